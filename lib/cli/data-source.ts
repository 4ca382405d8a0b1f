/**
 * The `--data` option of the CLI: `mnist` (the bundled digits) or IDX files (`images.idx[.gz]`, with
 * `--labels labels.idx[.gz]`), binarized and split into train and held-out rows with a seed.
 */
import { binarize, splitDataset, DigitDataset } from '../io/dataset';
import { readIdxDataset } from '../io/idx';
import { bundledDigits } from '../io/mnist';
import { invalid } from '../util/validate';
import type { NamedFile } from './outputs';

export interface DataOptions {
  data: string;
  labels?: string;
  binarize: string;
  testFraction: number;
  seed: number;
}

/** The data files of --data and --labels: inputs that no output may replace. */
export function dataInputs(opts: { data: string; labels?: string }): NamedFile[] {
  const files = opts.data === 'mnist' ? [] : [{ flag: '--data', file: opts.data }];
  return opts.labels === undefined ? files : [...files, { flag: '--labels', file: opts.labels }];
}

export async function loadTrainingData(
  opts: DataOptions,
): Promise<{ train: DigitDataset; test: DigitDataset; source: string }> {
  const raw = opts.data === 'mnist' ? bundledDigits() : await readIdxDataset(opts.data, opts.labels);
  const data = binarizeAs(raw, opts.binarize, opts.seed);
  if (!(opts.testFraction > 0 && opts.testFraction < 1))
    throw invalid('--test-fraction must lie strictly between 0 and 1');
  const { train, test } = splitDataset(data, {
    testFraction: opts.testFraction,
    seed: opts.seed,
    stratified: raw.labels.length > 0,
  });
  return { train, test, source: opts.data === 'mnist' ? 'bundled MNIST digits (mnist package)' : opts.data };
}

function binarizeAs(data: DigitDataset, mode: string, seed: number): DigitDataset {
  if (mode === 'none') return data;
  if (mode === 'threshold') return binarize(data, { mode: 'threshold', threshold: 0.5 });
  if (mode === 'stochastic') return binarize(data, { mode: 'stochastic', seed });
  throw invalid(`--binarize must be threshold, stochastic or none, not ${mode}`);
}

/**
 * At most `count` of the images, each label keeping its share, in their original order. Not simply the
 * first `count`: the bundled digits are sorted by label, so those would all be zeros.
 */
export function pickImages(data: DigitDataset, count: number, seed: number): DigitDataset {
  if (count >= data.count) return data;
  return splitDataset(data, { testFraction: 1 - count / data.count, seed, stratified: data.labels.length > 0 }).train;
}
