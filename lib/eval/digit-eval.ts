/**
 * How digit-like a batch of generated 28×28 images is, judged by the digit classifier, next to two
 * references scored the same way: real held-out digits (what a perfect generator would get at this
 * sample size) and noise (what a useless one gets).
 */
import { SeededRandom } from '../util/random';
import { checkInteger, invalid } from '../util/validate';
import { digitClassifier } from './default-classifier';
import { Classification, DIGIT_CLASSES, DIGIT_PIXELS, DigitClassifier, checkDigitImages, digitSplit } from './digit-classifier';
import { FrechetReference, fitGaussian } from './frechet';

export interface DigitScores {
  count: number;
  /** Mean probability the classifier gives its chosen digit (near 0.1 for non-digits). */
  meanConfidence: number;
  /** Samples per predicted digit 0…9. */
  classCounts: number[];
  /** Digits predicted for at least a quarter of a fair share of the samples (count/40, at least 1). */
  classesPresent: number;
  /**
   * Squared Fréchet distance between the classifier's hidden features of these images and of its 8,000
   * training digits (as FID, lower is better). It shrinks with sample size, so compare against
   * `reference.heldOut.frechet`, not against 0.
   */
  frechet: number;
}

export interface DigitEvaluation extends DigitScores {
  /** True when every pixel is 0 or 1: references are then binarized too (real digits at 0.5, coin-flip noise). */
  binary: boolean;
  reference: {
    /** min(count, 2,000) real digits the classifier never saw. */
    heldOut: DigitScores;
    /** As many uniform-noise images. */
    noise: DigitScores;
  };
  /** Classifier accuracy on all 2,000 held-out digits, in the samples' representation (grey or binary). */
  classifierAccuracy: number;
  /** With `intendedLabels`: how often each sample was classified as the class it was drawn for. */
  intended?: IntendedClasses;
}

/** For class-conditional samples: how often the classifier names the class each sample was drawn for. @inline */
export interface IntendedClasses {
  /** Share of all samples classified as their intended class. */
  accuracy: number;
  /** The same per intended class 0…9 (null for classes without samples). */
  perClass: (number | null)[];
}

export interface EvaluateDigitsOptions {
  /** The class each sample was drawn for (class-conditional samples): adds `intended` to the result. */
  intendedLabels?: ArrayLike<number>;
  /** Seed choosing the held-out subset and the noise (default 1). */
  seed?: number;
  /** Defaults to the process-wide classifier trained on the bundled digits. */
  classifier?: DigitClassifier;
}

const references = new WeakMap<DigitClassifier, Map<boolean, FrechetReference>>();

function thresholded(images: Float32Array): Float32Array {
  return images.map((v) => (v >= 0.5 ? 1 : 0));
}

/** The Gaussian of the classifier's features over its training split, binarized or not, computed once. */
function trainingReference(classifier: DigitClassifier, binary: boolean): FrechetReference {
  let byKind = references.get(classifier);
  if (!byKind) references.set(classifier, (byKind = new Map()));
  let reference = byKind.get(binary);
  if (!reference) {
    const { train } = digitSplit();
    const features = classifier.features(binary ? thresholded(train.images) : train.images);
    reference = new FrechetReference(fitGaussian(features, classifier.hidden));
    byKind.set(binary, reference);
  }
  return reference;
}

/** The scores of `images`, and the digit the classifier chose for each. */
function score(classifier: DigitClassifier, images: Float32Array, reference: FrechetReference): { scores: DigitScores; labels: Uint8Array } {
  const { labels, confidence, features } = classifier.analyse(images, true);
  const count = labels.length;
  const classCounts = new Array<number>(DIGIT_CLASSES).fill(0);
  for (const label of labels) classCounts[label]++;
  const enough = Math.max(1, Math.ceil(count / (4 * DIGIT_CLASSES)));
  const scores = {
    count,
    meanConfidence: confidence.reduce((sum, c) => sum + c, 0) / count,
    classCounts,
    classesPresent: classCounts.filter((n) => n >= enough).length,
    frechet: reference.distanceTo(fitGaussian(features!, classifier.hidden)),
  };
  return { scores, labels };
}

function intendedClasses(predicted: ArrayLike<number>, intended: ArrayLike<number>): IntendedClasses {
  if (intended.length !== predicted.length) throw invalid(`intendedLabels must have ${predicted.length} entries, got ${intended.length}`);
  const hits = new Array<number>(DIGIT_CLASSES).fill(0);
  const totals = new Array<number>(DIGIT_CLASSES).fill(0);
  for (let k = 0; k < intended.length; k++) {
    const label = checkInteger(`intendedLabels[${k}]`, intended[k], 0, DIGIT_CLASSES - 1);
    totals[label]++;
    if (predicted[k] === label) hits[label]++;
  }
  return {
    accuracy: hits.reduce((a, b) => a + b, 0) / intended.length,
    perClass: totals.map((t, l) => (t === 0 ? null : hits[l] / t)),
  };
}

function isBinary(images: Float32Array): boolean {
  for (let k = 0; k < images.length; k++) if (images[k] !== 0 && images[k] !== 1) return false;
  return true;
}

/** Scores samples (n × 784, n >= 2, values in [0, 1] or exactly 0/1) against held-out digits and noise. */
export function evaluateDigits(samples: Float32Array, options: EvaluateDigitsOptions = {}): DigitEvaluation {
  const count = checkDigitImages('samples', samples);
  if (count < 2) throw invalid('evaluateDigits needs at least 2 samples (a covariance)');
  const random = new SeededRandom(checkInteger('seed', options.seed ?? 1, 0));
  const classifier = options.classifier ?? digitClassifier();
  const binary = isBinary(samples);
  const reference = trainingReference(classifier, binary);

  const { test } = digitSplit();
  const size = Math.min(count, test.count);
  const order = Int32Array.from({ length: test.count }, (_, k) => k);
  random.shuffle(order);
  const heldOut = new Float32Array(size * DIGIT_PIXELS);
  for (let s = 0; s < size; s++) heldOut.set(test.images.subarray(order[s] * DIGIT_PIXELS, (order[s] + 1) * DIGIT_PIXELS), s * DIGIT_PIXELS);
  const noise = new Float32Array(size * DIGIT_PIXELS);
  for (let k = 0; k < noise.length; k++) noise[k] = binary ? random.int(2) : random.float();

  const { scores, labels } = score(classifier, samples, reference);
  return {
    ...scores,
    binary,
    reference: {
      heldOut: score(classifier, binary ? thresholded(heldOut) : heldOut, reference).scores,
      noise: score(classifier, noise, reference).scores,
    },
    classifierAccuracy: binary ? classifier.heldOutAccuracy.binary : classifier.heldOutAccuracy.grey,
    ...(options.intendedLabels === undefined ? {} : { intended: intendedClasses(labels, options.intendedLabels) }),
  };
}

/** Most probable digit and its probability for each sample, by the default classifier. */
export function classify(samples: Float32Array): Classification {
  return digitClassifier().classify(samples);
}
