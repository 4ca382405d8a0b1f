/**
 * Labelled image sets (MNIST-like digits) held as flat typed arrays, and the seeded operations
 * trainers need on them: binarize, split, subset.
 */
import { SeededRandom } from '../util/random';
import { checkFinite, checkInteger, invalid } from '../util/validate';

export interface DigitDataset {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** count × rows·cols intensities in [0, 1], image-major, each image row-major. */
  readonly images: Float32Array;
  /** One label per image (0…9 for digits), or empty when the set has no labels. */
  readonly labels: Uint8Array;
}

export type BinarizeOptions =
  | { mode: 'threshold'; /** pixels >= threshold become 1 (default 0.5) */ threshold?: number }
  | { mode: 'stochastic'; /** each pixel becomes 1 with probability equal to its intensity */ seed: number };

export interface SplitOptions {
  /** Share of the images that goes to the test set, in [0, 1]. */
  testFraction: number;
  seed: number;
  /** Keep each label's share equal in both parts (default true; ignored for unlabelled sets). */
  stratified?: boolean;
}

/** Checks the invariants of a dataset and returns it typed; used wherever one enters the library. */
export function checkDataset(name: string, data: unknown): DigitDataset {
  const d = data as DigitDataset;
  if (typeof d !== 'object' || d === null) throw invalid(`${name} must be a DigitDataset`);
  checkInteger(`${name}.count`, d.count, 0);
  checkInteger(`${name}.rows`, d.rows, 1);
  checkInteger(`${name}.cols`, d.cols, 1);
  if (!(d.images instanceof Float32Array) || d.images.length !== d.count * d.rows * d.cols) {
    throw invalid(`${name}.images must be a Float32Array of count·rows·cols = ${d.count * d.rows * d.cols} values`);
  }
  if (!(d.labels instanceof Uint8Array) || (d.labels.length !== d.count && d.labels.length !== 0)) {
    throw invalid(`${name}.labels must be a Uint8Array of ${d.count} labels (or empty)`);
  }
  return d;
}

export function binarize(data: DigitDataset, options: BinarizeOptions): DigitDataset {
  const { images } = checkDataset('data', data);
  const out = new Float32Array(images.length);
  if (options?.mode === 'threshold') {
    const threshold = checkFinite('threshold', options.threshold ?? 0.5);
    for (let k = 0; k < images.length; k++) out[k] = images[k] >= threshold ? 1 : 0;
  } else if (options?.mode === 'stochastic') {
    const random = new SeededRandom(checkInteger('seed', options.seed, 0));
    for (let k = 0; k < images.length; k++) out[k] = random.uint32() < images[k] * 4294967296 ? 1 : 0;
  } else {
    throw invalid("binarize options.mode must be 'threshold' or 'stochastic'");
  }
  return { ...data, images: out, labels: data.labels.slice() };
}

/** The images at the given indices, in that order (repeats allowed). */
export function subset(data: DigitDataset, indices: ArrayLike<number>): DigitDataset {
  const { count, rows, cols, images, labels } = checkDataset('data', data);
  if (indices == null || typeof indices.length !== 'number') throw invalid('indices must be an array of integers');
  const size = rows * cols;
  const out = new Float32Array(indices.length * size);
  const outLabels = new Uint8Array(labels.length === 0 ? 0 : indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = checkInteger(`indices[${k}]`, indices[k], 0, count - 1);
    out.set(images.subarray(i * size, (i + 1) * size), k * size);
    if (outLabels.length > 0) outLabels[k] = labels[i];
  }
  return { count: indices.length, rows, cols, images: out, labels: outLabels };
}

/**
 * Splits into train and test parts, each keeping the original order of its images. With stratification
 * every label contributes its share of the test set (largest remainders make the total exact).
 */
export function splitDataset(data: DigitDataset, options: SplitOptions): { train: DigitDataset; test: DigitDataset } {
  const { count, labels } = checkDataset('data', data);
  const fraction = checkFinite('testFraction', options?.testFraction);
  if (fraction < 0 || fraction > 1) throw invalid(`testFraction must be in [0, 1], got ${fraction}`);
  const random = new SeededRandom(checkInteger('seed', options.seed, 0));
  const stratified = (options.stratified ?? true) && labels.length > 0;

  const groups = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const key = stratified ? labels[i] : 0;
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  }
  const keys = [...groups.keys()].sort((a, b) => a - b);
  const quotas = keys.map((key) => groups.get(key)!.length * fraction);
  const taken = quotas.map(Math.floor);
  let missing = Math.round(count * fraction) - taken.reduce((a, b) => a + b, 0);
  const byRemainder = keys.map((_, g) => g).sort((a, b) => quotas[b] - taken[b] - (quotas[a] - taken[a]) || a - b);
  for (const g of byRemainder) {
    if (missing <= 0) break;
    taken[g]++;
    missing--;
  }

  const isTest = new Uint8Array(count);
  keys.forEach((key, g) => {
    const group = groups.get(key)!;
    random.shuffle(group);
    for (let k = 0; k < taken[g]; k++) isTest[group[k]] = 1;
  });
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < count; i++) (isTest[i] ? test : train).push(i);
  return { train: subset(data, train), test: subset(data, test) };
}
