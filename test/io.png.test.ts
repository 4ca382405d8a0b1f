import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { encodeGrid, writePngGrid } from '../lib';
import { writeFileAtomic, writeFileAtomicSync } from '../lib/io/atomic';

test('grids: layout, padding, scale and the grey mapping of each image type', () => {
  const spins = Int8Array.of(1, -1, -1, 1);
  const floats = Float32Array.of(0, 0.5, 1, 2);
  const bytes = Uint8Array.of(0, 1, 1, 0);
  const png = PNG.sync.read(
    encodeGrid([spins, floats, bytes], { width: 2, height: 2, columns: 3, scale: 2, padding: 1 }),
  );
  expect(png.width).toBe(3 * 4 + 4);
  expect(png.height).toBe(4 + 2);
  const grey = (x: number, y: number) => png.data[4 * (y * png.width + x)];
  expect(grey(0, 0)).toBe(128); // padding
  expect(grey(1, 1)).toBe(255); // spin +1, scaled ×2
  expect(grey(2, 2)).toBe(255);
  expect(grey(3, 1)).toBe(0); // spin −1
  expect(grey(6, 1)).toBe(0); // float 0
  expect(grey(8, 1)).toBe(128); // float 0.5 → 128 (rounded)
  expect(grey(8, 3)).toBe(255); // float 2 clamps to white
  expect(grey(11, 1)).toBe(0); // byte 0
  expect(grey(13, 1)).toBe(255); // byte 1 (binary) → white
  expect(() => encodeGrid([spins], { width: 3, height: 2 })).toThrow(/pixels/);
  expect(() => encodeGrid([], { width: 2, height: 2 })).toThrow(/at least one/);
});

describe('atomic writes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-io-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes a PNG and replaces an old file', async () => {
    const file = path.join(dir, 'grid.png');
    fs.writeFileSync(file, 'old');
    await writePngGrid(file, [Int8Array.of(1, -1)], { width: 2, height: 1 });
    expect(PNG.sync.read(fs.readFileSync(file)).width).toBe(2 + 4);
    expect(fs.readdirSync(dir)).toEqual(['grid.png']); // no temp file left behind
  });

  test('a failed write leaves the previous file intact and no temp file', async () => {
    const file = path.join(dir, 'keep.bin');
    fs.writeFileSync(file, 'precious');
    // Writing over a directory fails at the rename: the old content must survive.
    const target = path.join(dir, 'adir');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'inside'), 'x');
    await expect(writeFileAtomic(target, 'new')).rejects.toMatchObject({ code: 'ERR_IO' });
    expect(() => writeFileAtomicSync(target, 'new')).toThrow(expect.objectContaining({ code: 'ERR_IO' }));
    expect(fs.readFileSync(path.join(target, 'inside'), 'utf8')).toBe('x');
    // A missing directory fails before anything is written.
    await expect(writeFileAtomic(path.join(dir, 'missing', 'f'), 'x')).rejects.toMatchObject({ code: 'ERR_IO' });
    expect(fs.readFileSync(file, 'utf8')).toBe('precious');
    expect(fs.readdirSync(dir).sort()).toEqual(['adir', 'grid.png', 'keep.bin']);
  });
});
