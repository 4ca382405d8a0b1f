/**
 * `heatbath eval <samples.npy>`: how digit-like a set of generated images is, beside the same figures
 * for held-out real digits and for noise, so the numbers can be read.
 */
import { readNpy } from '../io/npy';
import { digitClassifier } from '../eval/digit-classifier';
import { evaluateDigits, DigitEvaluation, DigitScores } from '../eval/digit-eval';
import { invalid } from '../util/validate';
import { parseLabels } from './sample-gtc';

/** For class-conditional samples: how often the classifier names the class each sample was drawn for. */
export interface IntendedClasses {
  /** Share of all samples classified as their intended class. */
  accuracy: number;
  /** The same per intended class 0…9 (null for classes without samples). */
  perClass: (number | null)[];
}

export async function evalCommand(
  file: string,
  opts: { seed: number; cacheDir?: string; labels?: string },
): Promise<DigitEvaluation & { intended?: IntendedClasses }> {
  const array = await readNpy(file);
  const pixels = array.shape.slice(1).reduce((a, b) => a * b, 1);
  if (array.shape.length < 2 || pixels !== 784) {
    throw invalid(`${file} has shape [${array.shape}]; expected n × 784 or n × 28 × 28 digit images`);
  }
  const images = Float32Array.from(array.data as ArrayLike<number>, (x) => (array.dtype === 'u1' ? x / 255 : x));
  for (let k = 0; k < images.length; k++) {
    if (!(images[k] >= 0 && images[k] <= 1)) throw invalid(`${file}: value ${k} is ${images[k]}; images must lie in [0, 1] (or be uint8 0…255)`);
  }
  const count = array.shape[0];
  const labels = parseLabels(opts.labels, count, 10);
  const classifier = opts.cacheDir === undefined ? undefined : digitClassifier({ cacheDir: opts.cacheDir });
  const result = evaluateDigits(images, { seed: opts.seed, classifier });
  if (labels === undefined) return result;
  const predicted = (classifier ?? digitClassifier()).classify(images).labels;
  const hits = new Array<number>(10).fill(0);
  const totals = new Array<number>(10).fill(0);
  labels.forEach((label, k) => {
    totals[label]++;
    if (predicted[k] === label) hits[label]++;
  });
  const accuracy = hits.reduce((a, b) => a + b, 0) / count;
  return { ...result, intended: { accuracy, perClass: totals.map((t, l) => (t === 0 ? null : hits[l] / t)) } };
}

export function formatEval(result: DigitEvaluation & { intended?: IntendedClasses }): string {
  const row = (label: string, s: DigitScores) =>
    `${label.padEnd(22)} ${String(s.count).padStart(6)} ${s.meanConfidence.toFixed(3).padStart(11)} ${`${s.classesPresent}/10`.padStart(8)} ${s.frechet.toFixed(2).padStart(9)}   ${s.classCounts.join(' ')}`;
  return [
    `${'images'.padEnd(22)} ${'count'.padStart(6)} ${'confidence'.padStart(11)} ${'classes'.padStart(8)} ${'Fréchet'.padStart(9)}   per class 0…9`,
    row('samples', result),
    row('held-out real digits', result.reference.heldOut),
    row('noise', result.reference.noise),
    `${result.binary ? 'binary' : 'grey'} images; classifier accuracy on held-out digits ${(100 * result.classifierAccuracy).toFixed(1)} %.`,
    'Digit-like samples score near the real digits: high confidence, all classes, a Fréchet distance near theirs.',
    ...(result.intended === undefined
      ? []
      : [
          `classified as the class they were drawn for: ${(100 * result.intended.accuracy).toFixed(1)} %; per class 0…9: ` +
            result.intended.perClass.map((p) => (p === null ? '–' : p.toFixed(2))).join(' '),
        ]),
  ].join('\n');
}
