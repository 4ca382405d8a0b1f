/**
 * `heatbath eval <samples.npy>`: how digit-like a set of generated images is, beside the same figures
 * for held-out real digits and for noise, so the numbers can be read. Samples are read by what they hold
 * (0/1, ±1, grey levels 0…255 or floats in [0, 1]: lib/eval/pixel-values.ts).
 */
import { readNpy } from '../io/npy';
import { digitClassifier } from '../eval/default-classifier';
import { evaluateDigits, DigitEvaluation, DigitScores } from '../eval/digit-eval';
import { toIntensities } from '../eval/pixel-values';
import { invalid } from '../util/validate';
import { parseLabels } from './sample-gtc';

export async function evalCommand(
  file: string,
  opts: { seed: number; cacheDir?: string; labels?: string },
): Promise<DigitEvaluation> {
  const array = await readNpy(file);
  const pixels = array.shape.slice(1).reduce((a, b) => a * b, 1);
  if (array.shape.length < 2 || pixels !== 784) {
    throw invalid(`${file} has shape [${array.shape}]; expected n × 784 or n × 28 × 28 digit images`);
  }
  const images = toIntensities(file, array);
  const intendedLabels = parseLabels(opts.labels, array.shape[0], 10);
  const classifier = opts.cacheDir === undefined ? undefined : digitClassifier({ cacheDir: opts.cacheDir });
  return evaluateDigits(images, { seed: opts.seed, classifier, intendedLabels });
}

const fixed = (value: number, digits: number, width: number) =>
  (Number.isNaN(value) ? '–' : value.toFixed(digits)).padStart(width);

export function formatEval(result: DigitEvaluation): string {
  const row = (label: string, s: DigitScores) =>
    `${label.padEnd(22)} ${String(s.count).padStart(6)} ${s.meanConfidence.toFixed(3).padStart(11)} ${`${s.classesPresent}/10`.padStart(8)} ${s.frechet.toFixed(2).padStart(9)} ${fixed(s.diversity.overall, 2, 10)} ${fixed(s.precision, 2, 10)} ${fixed(s.recall, 2, 7)}   ${s.classCounts.join(' ')}`;
  const expected = result.expectedShare.map((share) => Math.round(share * result.count));
  return [
    `${'images'.padEnd(22)} ${'count'.padStart(6)} ${'confidence'.padStart(11)} ${'classes'.padStart(8)} ${'Fréchet'.padStart(9)} ${'diversity'.padStart(10)} ${'precision'.padStart(10)} ${'recall'.padStart(7)}   per class 0…9`,
    row('samples', result),
    row('held-out real digits', result.reference.heldOut),
    row('noise', result.reference.noise),
    `${'expected per class'.padEnd(22)} ${' '.repeat(69)}   ${expected.join(' ')}`,
    `samples' diversity per class 0…9: ${result.diversity.perClass.map((d) => (d === null ? '–' : d.toFixed(2))).join(' ')}`,
    `${result.binary ? 'binary' : 'grey'} images; classifier accuracy on held-out digits ${(100 * result.classifierAccuracy).toFixed(1)} %.`,
    'Digit-like samples score near the real digits: high confidence, all classes, a Fréchet distance near theirs.',
    'Samples that cover the data also score near them in diversity (spread within each class, 1 for real digits),',
    'precision (share that look real) and recall (share of real digits they come close to); copies of a few digits',
    'keep precision but lose diversity and recall.',
    ...(result.intended === undefined
      ? []
      : [
          `classified as the class they were drawn for: ${(100 * result.intended.accuracy).toFixed(1)} %; per class 0…9: ` +
            result.intended.perClass.map((p) => (p === null ? '–' : p.toFixed(2))).join(' '),
        ]),
  ].join('\n');
}
