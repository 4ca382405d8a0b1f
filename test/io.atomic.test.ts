/** Atomic writes: unique temporary names, and no temporary file left behind by a failure or an exit mid-write. */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeFileAtomic, writeFileAtomicSync } from '../lib/io/atomic';
import { tempFiles } from './helpers/cli-process';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-atomic-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('concurrent writes to one file each get their own temporary file: all succeed, one wins whole', async () => {
  const target = path.join(dir, 'shared.json');
  const texts = Array.from({ length: 24 }, (_, k) => JSON.stringify({ writer: k, padding: 'x'.repeat(10000 + k) }));
  await Promise.all(texts.map((text) => writeFileAtomic(target, text)));
  expect(texts).toContain(fs.readFileSync(target, 'utf8'));
  expect(tempFiles(dir)).toEqual([]);
});

test('a failed write removes its temporary file and leaves the previous file as it was', async () => {
  const target = path.join(dir, 'kept.txt');
  fs.writeFileSync(target, 'previous');
  // Renaming a file over a folder fails after the temporary file was written.
  const folder = path.join(dir, 'a-folder');
  fs.mkdirSync(folder);
  await expect(writeFileAtomic(folder, 'new')).rejects.toMatchObject({ code: 'ERR_IO' });
  expect(() => writeFileAtomicSync(folder, 'new')).toThrow(expect.objectContaining({ code: 'ERR_IO' }));
  expect(fs.readFileSync(target, 'utf8')).toBe('previous');
  expect(tempFiles(dir)).toEqual([]);
});

test('process.exit() during a write removes the temporary file', async () => {
  const sub = fs.mkdtempSync(path.join(dir, 'exit-'));
  const atomic = path.resolve(__dirname, '..', 'dist', 'lib', 'io', 'atomic.js');
  // Starts a 256 MB write and exits (code 7) as soon as its temporary file is seen, mid-write.
  const script = `
    const fs = require('fs');
    require(${JSON.stringify(atomic)}).writeFileAtomic(${JSON.stringify(path.join(sub, 'big.bin'))}, Buffer.alloc(256 << 20, 1)).then(() => process.exit(0));
    setInterval(() => { if (fs.readdirSync(${JSON.stringify(sub)}).some((n) => n.endsWith('.tmp'))) process.exit(7); }, 1);`;
  const code = await new Promise((resolve) => spawn(process.execPath, ['-e', script]).on('close', resolve));
  expect(code).toBe(7);
  expect(fs.readdirSync(sub)).toEqual([]);
}, 60000);
