/**
 * Files made to hurt: sizes claimed but not held, sparse giants, paths that never end (/dev/zero, a named pipe),
 * a gzip bomb, tensor names that are also JavaScript's special keys. Every reader must answer quickly, with a
 * coded error, without allocating what a file merely claims.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { readIdx } from '../lib/io/idx';
import '../lib/models/model-kinds';
import { decodeModel, encodeModel, loadModel } from '../lib/io/model-file';
import { encodeNpy, readNpy } from '../lib/io/npy';
import { decodeSafetensors, encodeSafetensors, readSafetensors, Tensor, writeSafetensors } from '../lib/io/safetensors';
import { DenoisingModel } from '../lib/models/dtm';
import { GenerativeComputer } from '../lib/models/gtc';
import { RBM } from '../lib/models/rbm';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-hostile-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const TWO_GB = 2e9;
/** Peak resident memory of this process so far, in bytes. */
const peakRss = () => process.resourceUsage().maxRSS * 1024;

function write(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** `bytes`, then zeros up to `size` bytes: a sparse file, which costs no disk and reads as zeros. */
function sparse(name: string, bytes: Uint8Array, size: number): string {
  const file = write(name, bytes);
  fs.truncateSync(file, size);
  return file;
}

/** The header of a model file with some hyper-parameters replaced (what an edited or forged file holds). */
function withHyper(bytes: Uint8Array, change: Record<string, unknown>): Buffer {
  const { tensors, metadata } = decodeSafetensors(bytes);
  return encodeSafetensors(tensors, {
    ...metadata,
    hyper: JSON.stringify({ ...JSON.parse(metadata.hyper), ...change }),
  });
}

/** Every path reader, each with a well-formed small file of its format. */
const readers: Array<{ name: string; read: (file: string) => Promise<unknown>; sample: () => Uint8Array }> = [
  {
    name: 'readSafetensors',
    read: readSafetensors,
    sample: () => encodeSafetensors({ w: { dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) } }),
  },
  { name: 'loadModel', read: loadModel, sample: () => encodeModel(RBM.create({ visible: 3, hidden: 2 })) },
  { name: 'readNpy', read: readNpy, sample: () => encodeNpy({ dtype: 'f4', shape: [2], data: Float32Array.of(1, 2) }) },
  { name: 'readIdx', read: readIdx, sample: () => Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 2, 7, 9) },
];

describe('a 2 GB sparse file is refused from its header, without reading it', () => {
  // First in the file, so that the peak memory it checks is not already raised by another test.
  test.each(readers.map((r) => [r.name, r]))('%s', async (_name, { read, sample }) => {
    const file = sparse('giant', sample(), TWO_GB);
    const before = peakRss();
    const started = Date.now();
    await expect(read(file)).rejects.toMatchObject({
      code: 'ERR_BAD_FILE',
      message: expect.stringMatching(/trailing bytes|lacks/),
    });
    expect(peakRss() - before).toBeLessThan(100e6);
    expect(Date.now() - started).toBeLessThan(2000);
    fs.rmSync(file);
  });
});

describe('paths that are not regular files are refused at once (ERR_IO)', () => {
  const fifo = path.join(dir, 'pipe');
  beforeAll(() => execFileSync('mkfifo', [fifo]));

  test.each(readers.map((r) => [r.name, r]))(
    '%s: /dev/zero, a named pipe, a directory',
    async (_name, { read }) => {
      await expect(read('/dev/zero')).rejects.toMatchObject({
        code: 'ERR_IO',
        message: expect.stringMatching(/\/dev\/zero: it is a character device, not a regular file/),
      });
      await expect(read(fifo)).rejects.toMatchObject({
        code: 'ERR_IO',
        message: expect.stringMatching(/it is a named pipe/),
      });
      await expect(read(dir)).rejects.toMatchObject({
        code: 'ERR_IO',
        message: expect.stringMatching(/it is a directory/),
      });
    },
    5000,
  );
});

describe('declared sizes are checked before anything is built', () => {
  test('a small dtm file whose settings claim a 1000×1000 torus and 1000 steps fails in well under a second', async () => {
    const small = new DenoisingModel({ size: 8, pixels: 4, steps: 2 });
    const forged = write('forged-dtm.safetensors', withHyper(encodeModel(small), { size: 1000, steps: 1000 }));
    const started = Date.now();
    await expect(loadModel(forged)).rejects.toMatchObject({ code: 'ERR_BAD_FILE' });
    expect(Date.now() - started).toBeLessThan(1000);
    // Each claim on its own is caught too, and the untouched file still loads.
    const bytes = encodeModel(small);
    for (const change of [{ size: 1000 }, { steps: 1000 }, { pixels: 100000 }, { classes: 1000 }, { steps: '2' }]) {
      expect(() => decodeModel(withHyper(bytes, change))).toThrow(expect.objectContaining({ code: 'ERR_BAD_FILE' }));
    }
    expect((decodeModel(bytes) as DenoisingModel).steps).toBe(2);
  });

  test('a gtc file claiming more units than its tensors hold fails before allocating them', () => {
    const bytes = encodeModel(new GenerativeComputer({ visible: 4, hidden: 3 }));
    const started = Date.now();
    for (const change of [{ hidden: 65536 }, { visible: 1 << 20 }, { labels: 1024 }]) {
      expect(() => decodeModel(withHyper(bytes, change))).toThrow(
        expect.objectContaining({ code: 'ERR_BAD_FILE', message: expect.stringMatching(/tensor/) }),
      );
    }
    expect(Date.now() - started).toBeLessThan(1000);
    expect((decodeModel(bytes) as GenerativeComputer).hidden).toBe(3);
  });

  test("an rbm file whose settings disagree with its weights' shape is refused", () => {
    const bytes = encodeModel(RBM.create({ visible: 3, hidden: 2 }));
    expect(() => decodeModel(withHyper(bytes, { hidden: 5 }))).toThrow(
      expect.objectContaining({ code: 'ERR_BAD_FILE', message: expect.stringMatching(/hidden = 5/) }),
    );
    expect((decodeModel(bytes) as RBM).numHidden).toBe(2);
  });

  test('a file that honestly holds more than the load limit is ERR_TOO_LARGE, refused before reading', async () => {
    const huge = 5e9; // more than any Buffer holds
    const header = encodeSafetensors({ t: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } });
    const text = decodeHeaderText(header)
      .replace('"shape":[0]', `"shape":[${huge}]`)
      .replace('"data_offsets":[0,0]', `"data_offsets":[0,${huge}]`);
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(text.length));
    const file = sparse('honest-giant.safetensors', Buffer.concat([prefix, Buffer.from(text)]), 8 + text.length + huge);
    const started = Date.now();
    await expect(readSafetensors(file)).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

function decodeHeaderText(bytes: Buffer): string {
  return bytes.toString('utf8', 8, 8 + Number(bytes.readBigUInt64LE(0)));
}

describe('gzipped IDX inflates no further than its dimensions declare', () => {
  test('a 1 MB bomb that would inflate to 1 GB is refused after the first few bytes', async () => {
    // Concatenated gzip members inflate to their concatenation: a 16-byte image, then 1,000 × 1 MiB of zeros.
    const megabyte = zlib.gzipSync(Buffer.alloc(1 << 20), { level: 9 });
    const bomb = Buffer.concat([
      zlib.gzipSync(Uint8Array.of(0, 0, 8, 2, 0, 0, 0, 4, 0, 0, 0, 4)),
      ...new Array(1000).fill(megabyte),
    ]);
    expect(bomb.length).toBeLessThan(2e6);
    const file = write('bomb.idx.gz', bomb);
    const before = peakRss();
    await expect(readIdx(file)).rejects.toMatchObject({
      code: 'ERR_BAD_FILE',
      message: expect.stringMatching(/inflates past the 28 bytes its dimensions declare/),
    });
    expect(peakRss() - before).toBeLessThan(100e6);
  });

  test('an honest gzipped file still reads, and one that inflates short is truncated', async () => {
    const idx = Uint8Array.of(0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4);
    expect(await readIdx(write('ok.idx.gz', zlib.gzipSync(idx)))).toEqual({
      dtype: 'u8',
      shape: [2, 2],
      data: Uint8Array.of(1, 2, 3, 4),
    });
    await expect(readIdx(write('short.idx.gz', zlib.gzipSync(idx.subarray(0, 14))))).rejects.toMatchObject({
      code: 'ERR_BAD_FILE',
      message: expect.stringMatching(/truncated/),
    });
  });
});

describe('names taken from a file are plain keys, whatever they spell', () => {
  const tensor = (v: number): Tensor => ({ dtype: 'F32', shape: [1], data: Float32Array.of(v) });

  test('a tensor and a metadata entry named __proto__ survive a round trip', async () => {
    const tensors: Record<string, Tensor> = { ['__proto__']: tensor(1), constructor: tensor(2), w: tensor(3) };
    const metadata: Record<string, string> = { ['__proto__']: 'kept', toString: 'also kept' };
    const decoded = decodeSafetensors(encodeSafetensors(tensors, metadata));
    const file = path.join(dir, 'proto.safetensors');
    await writeSafetensors(file, tensors, metadata);
    for (const { tensors: t, metadata: m } of [decoded, await readSafetensors(file)]) {
      expect(Object.keys(t).sort()).toEqual(['__proto__', 'constructor', 'w']);
      expect(t['__proto__'].data).toEqual(Float32Array.of(1));
      expect(t['constructor'].data).toEqual(Float32Array.of(2));
      expect(Object.getPrototypeOf(t)).toBeNull();
      expect(Object.entries(m).sort()).toEqual([
        ['__proto__', 'kept'],
        ['toString', 'also kept'],
      ]);
    }
  });

  test('a model file naming an unknown kind after a prototype key is refused as unknown', () => {
    for (const kind of ['__proto__', 'constructor', 'toString']) {
      expect(() => decodeModel(encodeSafetensors({}, { kind, format_version: '1', hyper: '{}' }))).toThrow(
        expect.objectContaining({ code: 'ERR_BAD_FILE', message: expect.stringMatching(/unknown model kind/) }),
      );
    }
  });
});
