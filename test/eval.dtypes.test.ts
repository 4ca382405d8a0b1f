/**
 * `eval` reads samples by what they hold: the same images stored as bool, uint8 0/1, int8 ±1 or float 0/1
 * score the same, and so do grey levels stored as uint8 0…255 or float in [0, 1]. A cache directory that cannot
 * be made is a coded error at once, not a loop.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { evalCommand } from '../lib/cli/eval';
import { digitClassifier } from '../lib/eval/default-classifier';
import { digitSplit } from '../lib/eval/digit-classifier';
import { toIntensities } from '../lib/eval/pixel-values';
import { encodeNpy, NdArray } from '../lib/io/npy';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-eval-dtypes-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const COUNT = 40;
/** COUNT held-out digits as grey levels 0…255 (the bundled digits are exact levels k/255). */
function greyLevels(): Uint8Array {
  const { test } = digitSplit();
  return Uint8Array.from(test.images.subarray(0, COUNT * 784), (v) => Math.round(v * 255));
}

/** Writes a .npy; `bool` relabels a uint8 0/1 array as numpy's bool ('|b1'), which has the same bytes. */
function writeNpy(name: string, array: NdArray, bool = false): string {
  const bytes = encodeNpy(array);
  if (bool) bytes.write("'|b1'", bytes.indexOf("'|u1'"), 'latin1');
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('toIntensities', () => {
  const of = (dtype: NdArray['dtype'], values: number[]): NdArray => {
    const types = { f4: Float32Array, f8: Float64Array, u1: Uint8Array, i1: Int8Array, i4: Int32Array };
    return { dtype, shape: [values.length], data: types[dtype].from(values) } as NdArray;
  };

  test('each encoding becomes intensities in [0, 1]', () => {
    expect(toIntensities('x', of('u1', [0, 1, 1]))).toEqual(Float32Array.of(0, 1, 1)); // bool or uint8 0/1
    expect(toIntensities('x', of('i1', [-1, 1, 1]))).toEqual(Float32Array.of(0, 1, 1)); // spins
    expect(toIntensities('x', of('f4', [-1, 1]))).toEqual(Float32Array.of(0, 1)); // spins as floats
    expect(toIntensities('x', of('u1', [0, 51, 255]))).toEqual(Float32Array.of(0, 0.2, 1)); // grey levels
    expect(toIntensities('x', of('i4', [0, 2, 255]))).toEqual(Float32Array.of(0, 2 / 255, 1));
    expect(toIntensities('x', of('f8', [0, 0.25, 1]))).toEqual(Float32Array.of(0, 0.25, 1)); // intensities
  });

  test('anything else is refused, naming the value', () => {
    for (const [array, bad] of [
      [of('f4', [0.5, 2]), 'value 1 is 2'],
      [of('i4', [0, 256]), 'value 1 is 256'],
      [of('i1', [-1, 0, 1]), 'value 1 is 0'],
      [of('f4', [0, NaN]), 'value 1 is NaN'],
    ] as const) {
      expect(() => toIntensities('x', array)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining(bad) }),
      );
    }
  });
});

describe('eval scores each storage of the same images alike', () => {
  beforeAll(() => digitClassifier()); // trained once (a few seconds), shared by both tests

  test('binary images: bool, uint8 0/1, int8 ±1 and float 0/1', async () => {
    const bits = Uint8Array.from(greyLevels(), (v) => (v >= 128 ? 1 : 0));
    const shape = [COUNT, 784];
    const float = await evalCommand(writeNpy('f4.npy', { dtype: 'f4', shape, data: Float32Array.from(bits) }), {
      seed: 1,
    });
    expect(float.binary).toBe(true);
    expect(float.meanConfidence).toBeGreaterThan(0.8);
    const others = [
      writeNpy('bool.npy', { dtype: 'u1', shape, data: bits }, true),
      writeNpy('u1.npy', { dtype: 'u1', shape, data: bits }),
      writeNpy('i1.npy', { dtype: 'i1', shape, data: Int8Array.from(bits, (b) => 2 * b - 1) }),
    ];
    for (const file of others) expect(await evalCommand(file, { seed: 1 })).toEqual(float);
  });

  test('grey images: uint8 0…255 and float in [0, 1]', async () => {
    const levels = greyLevels();
    const shape = [COUNT, 28, 28];
    const float = await evalCommand(
      writeNpy('grey-f4.npy', { dtype: 'f4', shape, data: Float32Array.from(levels, (v) => v / 255) }),
      { seed: 1 },
    );
    expect(float.binary).toBe(false);
    expect(await evalCommand(writeNpy('grey-u1.npy', { dtype: 'u1', shape, data: levels }), { seed: 1 })).toEqual(
      float,
    );
  });
});

describe('eval --cache-dir that cannot be a directory', () => {
  const run = promisify(execFile);
  const cli = path.resolve(__dirname, '..', 'dist', 'lib', 'cli', 'main.js');

  test.each([
    ['under /proc, where mkdir says ENOENT however often it is asked', '/proc/heatbath-cache'],
    ['a regular file', path.join(dir, 'plain-file')],
  ])(
    '%s: ERR_IO at once',
    async (_what, cacheDir) => {
      fs.writeFileSync(path.join(dir, 'plain-file'), 'not a directory');
      const samples = writeNpy('cli.npy', { dtype: 'u1', shape: [2, 784], data: new Uint8Array(2 * 784) });
      const failure = await run(process.execPath, [cli, 'eval', samples, '--cache-dir', cacheDir], {
        timeout: 20000,
      }).then(
        () => undefined,
        (err: { code: unknown; killed: boolean; stderr: string }) => err,
      );
      expect(failure).toMatchObject({
        killed: false,
        code: 1,
        stderr: expect.stringMatching(/could not (create|read).*\(ERR_IO\)/),
      });
    },
    30000,
  );
});
