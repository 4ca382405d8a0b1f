/**
 * A small digit classifier (784 → 128 ReLU → 10 softmax) trained on the bundled MNIST digits. It scores
 * generated samples: its labels and confidences say which digit a sample looks like, and its hidden
 * activations are the features of the Fréchet distance. Training is seeded and deterministic.
 */
import * as path from 'path';
import { HeatbathError } from '../errors';
import { writeFileAtomicSync } from '../io/atomic';
import { makeDirectorySync } from '../io/directory';
import { DigitDataset, splitDataset } from '../io/dataset';
import { bundledDigits } from '../io/mnist';
import { SeededRandom } from '../util/random';
import { checkInteger, invalid } from '../util/validate';
import { encodeClassifier, readClassifierFile } from './classifier-file';
import { Mlp, MlpTrainer } from './mlp';

const SIDE = 28;
export const DIGIT_PIXELS = SIDE * SIDE;
export const DIGIT_CLASSES = 10;

export interface DigitClassifierOptions {
  /** Hidden units (default 128). */
  hidden?: number;
  /** Passes over the training split (default 6). */
  epochs?: number;
  /** Seed of the weights and the batch order (default 1). */
  seed?: number;
}

export interface Classification {
  /** Most probable digit of each sample. */
  labels: Uint8Array;
  /** Its probability. */
  confidence: Float32Array;
}

const BATCH = 64;
/** Non-digit images added to each batch with a uniform target, so that junk earns low confidence. */
const OUTLIERS = 4;
const LEARNING_RATE = 4e-3;
const SPLIT_SEED = 20240601;
const HELD_OUT_FRACTION = 0.2;

let split: { train: DigitDataset; test: DigitDataset } | undefined;

/** The fixed stratified split of the bundled digits: 8,000 to train the classifier, 2,000 held out. */
export function digitSplit(): { train: DigitDataset; test: DigitDataset } {
  split ??= splitDataset(bundledDigits(), { testFraction: HELD_OUT_FRACTION, seed: SPLIT_SEED });
  return split;
}

/** Checks a flat batch of 28×28 images with values in [0, 1]; returns the image count. */
export function checkDigitImages(name: string, images: unknown): number {
  if (!(images instanceof Float32Array)) throw invalid(`${name} must be a Float32Array of 28×28 images`);
  if (images.length === 0 || images.length % DIGIT_PIXELS !== 0) {
    throw invalid(`${name} must hold a whole number of 28×28 images (a multiple of ${DIGIT_PIXELS} values), got ${images.length}`);
  }
  for (let k = 0; k < images.length; k++) {
    const v = images[k];
    if (!(v >= 0 && v <= 1)) throw invalid(`${name}[${k}] is ${v}: pixel values must be in [0, 1]`);
  }
  return images.length / DIGIT_PIXELS;
}

export class DigitClassifier {
  /** The trained network. @internal */
  readonly network: Mlp;
  /** Accuracy on the 2,000 held-out digits, as grey images and binarized at 0.5. */
  readonly heldOutAccuracy: { grey: number; binary: number };

  /** @internal Made by `digitClassifier` or `trainDigitClassifier`. */
  constructor(network: Mlp) {
    if (network.shape.inputs !== DIGIT_PIXELS || network.shape.classes !== DIGIT_CLASSES) {
      throw invalid(`a digit classifier maps ${DIGIT_PIXELS} pixels to ${DIGIT_CLASSES} classes`);
    }
    this.network = network;
    const { test } = digitSplit();
    const grey = this.classify(test.images).labels;
    const binary = this.classify(test.images.map((v) => (v >= 0.5 ? 1 : 0))).labels;
    const accuracy = (labels: Uint8Array) => labels.reduce((n, label, k) => n + (label === test.labels[k] ? 1 : 0), 0) / test.count;
    this.heldOutAccuracy = { grey: accuracy(grey), binary: accuracy(binary) };
  }

  get hidden(): number {
    return this.network.shape.hidden;
  }

  /** Most probable digit and its probability, per image (images: n × 784 in [0, 1]). */
  classify(images: Float32Array): Classification {
    const { labels, confidence } = this.analyse(images, false);
    return { labels, confidence };
  }

  /** Hidden-layer activations (n × hidden), the features of the Fréchet distance. */
  features(images: Float32Array): Float32Array {
    return this.analyse(images, true).features!;
  }

  /** Labels and confidences, plus the hidden activations when asked, in one pass. */
  analyse(images: Float32Array, withFeatures: boolean): Classification & { features?: Float32Array } {
    const n = checkDigitImages('images', images);
    const hidden = this.hidden;
    const labels = new Uint8Array(n);
    const confidence = new Float32Array(n);
    const features = withFeatures ? new Float32Array(n * hidden) : undefined;
    const a = new Float32Array(hidden);
    const p = new Float32Array(DIGIT_CLASSES);
    for (let s = 0; s < n; s++) {
      this.network.hiddenInput(images, s * DIGIT_PIXELS, a);
      for (let j = 0; j < hidden; j++) if (a[j] < 0) a[j] = 0;
      features?.set(a, s * hidden);
      this.network.output(a, p);
      let best = 0;
      for (let c = 1; c < DIGIT_CLASSES; c++) if (p[c] > p[best]) best = c;
      labels[s] = best;
      confidence[s] = p[best];
    }
    return { labels, confidence, features };
  }
}

/**
 * Each training image is shifted by up to one pixel each way and shown grey, thresholded or
 * stochastically binarized (a third each), so the classifier also reads the binary samples of p-bit
 * models and tolerates small misplacements.
 */
function augment(image: Float32Array, out: Float32Array, random: SeededRandom): void {
  const dx = random.int(3) - 1;
  const dy = random.int(3) - 1;
  const kind = random.int(3);
  for (let r = 0; r < SIDE; r++) {
    for (let c = 0; c < SIDE; c++) {
      const sr = r - dy;
      const sc = c - dx;
      const v = sr >= 0 && sr < SIDE && sc >= 0 && sc < SIDE ? image[sr * SIDE + sc] : 0;
      out[r * SIDE + c] = kind === 0 ? v : kind === 1 ? (v >= 0.5 ? 1 : 0) : v > 0 && random.float() < v ? 1 : 0;
    }
  }
}

/**
 * A non-digit: uniform noise, sparse-to-dense binary noise, or a training digit with its pixels shuffled
 * (a digit's ink without its shape).
 */
function outlier(train: DigitDataset, out: Float32Array, random: SeededRandom): void {
  const kind = random.int(3);
  if (kind === 0) {
    for (let k = 0; k < DIGIT_PIXELS; k++) out[k] = random.float();
  } else if (kind === 1) {
    const density = 0.02 + 0.6 * random.float();
    for (let k = 0; k < DIGIT_PIXELS; k++) out[k] = random.float() < density ? 1 : 0;
  } else {
    const i = random.int(train.count);
    augment(train.images.subarray(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS), out, random);
    for (let k = DIGIT_PIXELS - 1; k > 0; k--) {
      const j = random.int(k + 1);
      const t = out[k];
      out[k] = out[j];
      out[j] = t;
    }
  }
}

/** Bump when the training recipe changes, so weights cached by an older recipe get retrained. */
const RECIPE = 'mlp-adam-shift-binarize-outliers-v1';
const DEFAULTS: Required<DigitClassifierOptions> = { hidden: 128, epochs: 6, seed: 1 };

/** Trains a classifier on the 8,000-digit training split (a few seconds). */
export function trainDigitClassifier(options: DigitClassifierOptions = {}): DigitClassifier {
  const hidden = checkInteger('hidden', options.hidden ?? DEFAULTS.hidden, 1, 4096);
  const epochs = checkInteger('epochs', options.epochs ?? DEFAULTS.epochs, 1, 1000);
  const random = new SeededRandom(checkInteger('seed', options.seed ?? DEFAULTS.seed, 0));
  const { train } = digitSplit();
  const mlp = Mlp.random({ inputs: DIGIT_PIXELS, hidden, classes: DIGIT_CLASSES }, random);
  const trainer = new MlpTrainer(mlp, { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  const x = new Float32Array((BATCH + OUTLIERS) * DIGIT_PIXELS);
  const target = new Float32Array((BATCH + OUTLIERS) * DIGIT_CLASSES);
  const order = Int32Array.from({ length: train.count }, (_, k) => k);
  const batches = Math.ceil(train.count / BATCH);
  for (let epoch = 0; epoch < epochs; epoch++) {
    random.shuffle(order);
    for (let b = 0; b < batches; b++) {
      const digits = Math.min(BATCH, train.count - b * BATCH);
      target.fill(0);
      for (let s = 0; s < digits; s++) {
        const i = order[b * BATCH + s];
        augment(train.images.subarray(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS), x.subarray(s * DIGIT_PIXELS), random);
        target[s * DIGIT_CLASSES + train.labels[i]] = 1;
      }
      for (let s = digits; s < digits + OUTLIERS; s++) {
        outlier(train, x.subarray(s * DIGIT_PIXELS), random);
        target.fill(1 / DIGIT_CLASSES, s * DIGIT_CLASSES, (s + 1) * DIGIT_CLASSES);
      }
      const progress = (epoch * batches + b) / (epochs * batches);
      trainer.step(x, target, digits + OUTLIERS, LEARNING_RATE * (1 - progress)); // linear decay to 0
    }
  }
  return new DigitClassifier(mlp);
}

let cached: DigitClassifier | undefined;

export interface DigitClassifierCache {
  /**
   * A directory to keep the trained weights in (created if needed): later processes load them instead
   * of training. Without it nothing is written to disk.
   */
  cacheDir?: string;
}

/** The default classifier, trained on first use and kept for the life of the process. */
export function digitClassifier(options: DigitClassifierCache = {}): DigitClassifier {
  if (options.cacheDir === undefined) {
    cached ??= trainDigitClassifier();
    return cached;
  }
  if (typeof options.cacheDir !== 'string' || options.cacheDir === '') throw invalid('cacheDir must be a directory path');
  const file = path.join(options.cacheDir, 'digit-classifier.bin');
  const training = `${RECIPE} ${JSON.stringify(DEFAULTS)}`;
  const stored = readClassifierFile(file);
  if (stored?.training === training) {
    const { inputs, hidden, classes } = stored.mlp.shape;
    if (inputs !== DIGIT_PIXELS || hidden !== DEFAULTS.hidden || classes !== DIGIT_CLASSES) {
      throw new HeatbathError('ERR_BAD_FILE', `${file} holds a ${inputs}-${hidden}-${classes} network, not ${DIGIT_PIXELS}-${DEFAULTS.hidden}-${DIGIT_CLASSES}`);
    }
    cached ??= new DigitClassifier(stored.mlp);
    return cached;
  }
  makeDirectorySync(options.cacheDir); // before training: a cache that cannot exist fails in milliseconds, not seconds
  cached ??= trainDigitClassifier();
  writeFileAtomicSync(file, encodeClassifier({ training, mlp: cached.network }));
  return cached;
}
