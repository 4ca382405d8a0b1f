/**
 * How digit-like a batch of generated 28×28 images is, and how much of the data it covers, judged by the
 * digit classifier, next to two references scored the same way: real held-out digits (what a perfect
 * generator would get at this sample size) and noise (what a useless one gets).
 */
import { SeededRandom } from '../util/random';
import { checkInteger, invalid } from '../util/validate';
import {
  Diversity,
  membersByClass,
  meanPairwiseDistance,
  precisionRecall,
  unitRows,
  withinClassDiversity,
} from './coverage';
import { digitClassifier } from './default-classifier';
import {
  Classification,
  DIGIT_CLASSES,
  DIGIT_PIXELS,
  DigitClassifier,
  checkDigitImages,
  digitSplit,
} from './digit-classifier';
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
  /**
   * Within-class diversity: per predicted class, the images' mean pairwise pixel distance over that of
   * the held-out real digits of the class (about 1 for real digits, near 0 for copies of one image).
   */
  diversity: Diversity;
  /** Share of the images inside the k-NN manifold of real digits' features: how many look real. */
  precision: number;
  /** Share of real digits inside the images' k-NN feature manifold: how much of the data they cover. */
  recall: number;
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
  /** The share each class 0…9 has among the held-out digits: what `classCounts / count` should be. */
  expectedShare: number[];
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

const realSpreads = new Map<boolean, number[]>();

/** Per class, the mean pairwise pixel distance of all held-out digits of that class, computed once. */
function realSpread(binary: boolean): number[] {
  let spread = realSpreads.get(binary);
  if (!spread) {
    const { test } = digitSplit();
    const images = binary ? thresholded(test.images) : test.images;
    spread = membersByClass(test.labels, DIGIT_CLASSES).map((rows) => meanPairwiseDistance(images, DIGIT_PIXELS, rows));
    realSpreads.set(binary, spread);
  }
  return spread;
}

/** What every scored batch is compared with: the training features' Gaussian and the real-digit manifolds. */
interface Baseline {
  frechet: FrechetReference;
  /**
   * Unit-length features of as many training digits as there are samples (the real k-NN manifold). The
   * manifolds use the features' directions: non-digits have short feature vectors that sit at a typical
   * neighbour distance from real digits, so with raw features one ordinary digit's ball can hold all the noise.
   */
  realDirections: Float32Array;
  spread: number[];
}

/** The scores of `images`, and the digit the classifier chose for each. */
function score(
  classifier: DigitClassifier,
  images: Float32Array,
  baseline: Baseline,
): { scores: DigitScores; labels: Uint8Array } {
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
    frechet: baseline.frechet.distanceTo(fitGaussian(features!, classifier.hidden)),
    diversity: withinClassDiversity(images, DIGIT_PIXELS, labels, baseline.spread),
    ...precisionRecall(baseline.realDirections, unitRows(features!, classifier.hidden), classifier.hidden),
  };
  return { scores, labels };
}

function intendedClasses(predicted: ArrayLike<number>, intended: ArrayLike<number>): IntendedClasses {
  if (intended.length !== predicted.length)
    throw invalid(`intendedLabels must have ${predicted.length} entries, got ${intended.length}`);
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

/** `size` images of `data` drawn without replacement. */
function randomImages(data: { count: number; images: Float32Array }, size: number, random: SeededRandom): Float32Array {
  const order = Int32Array.from({ length: data.count }, (_, k) => k);
  random.shuffle(order);
  const out = new Float32Array(size * DIGIT_PIXELS);
  for (let s = 0; s < size; s++)
    out.set(data.images.subarray(order[s] * DIGIT_PIXELS, (order[s] + 1) * DIGIT_PIXELS), s * DIGIT_PIXELS);
  return out;
}

/** Scores samples (n × 784, n >= 2, values in [0, 1] or exactly 0/1) against held-out digits and noise. */
export function evaluateDigits(samples: Float32Array, options: EvaluateDigitsOptions = {}): DigitEvaluation {
  const count = checkDigitImages('samples', samples);
  if (count < 2) throw invalid('evaluateDigits needs at least 2 samples (a covariance)');
  const random = new SeededRandom(checkInteger('seed', options.seed ?? 1, 0));
  const classifier = options.classifier ?? digitClassifier();
  const binary = isBinary(samples);
  const { train, test } = digitSplit();
  const size = Math.min(count, test.count);
  const heldOut = randomImages(test, size, random);
  const noise = new Float32Array(size * DIGIT_PIXELS);
  for (let k = 0; k < noise.length; k++) noise[k] = binary ? random.int(2) : random.float();
  const realDigits = randomImages(train, size, random);
  const baseline: Baseline = {
    frechet: trainingReference(classifier, binary),
    realDirections: unitRows(classifier.features(binary ? thresholded(realDigits) : realDigits), classifier.hidden),
    spread: realSpread(binary),
  };

  const { scores, labels } = score(classifier, samples, baseline);
  return {
    ...scores,
    binary,
    reference: {
      heldOut: score(classifier, binary ? thresholded(heldOut) : heldOut, baseline).scores,
      noise: score(classifier, noise, baseline).scores,
    },
    expectedShare: membersByClass(test.labels, DIGIT_CLASSES).map((rows) => rows.length / test.count),
    classifierAccuracy: binary ? classifier.heldOutAccuracy.binary : classifier.heldOutAccuracy.grey,
    ...(options.intendedLabels === undefined ? {} : { intended: intendedClasses(labels, options.intendedLabels) }),
  };
}

/** Most probable digit and its probability for each sample, by the default classifier. */
export function classify(samples: Float32Array): Classification {
  return digitClassifier().classify(samples);
}
