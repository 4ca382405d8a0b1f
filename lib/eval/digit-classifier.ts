/**
 * A small digit classifier (784 → 128 ReLU → 10 softmax) trained on the bundled MNIST digits. It scores
 * generated samples: its labels and confidences say which digit a sample looks like, and its hidden
 * activations are the features of the Fréchet distance. Saved as the model kind 'digit-classifier'.
 */
import { DigitDataset, splitDataset } from '../io/dataset';
import { bundledDigits } from '../io/mnist';
import { f32Tensor, ModelFile, registerModelKind } from '../io/model-file';
import { softmax } from '../nn/classifier';
import { MlpClassifier } from '../nn/mlp-classifier';
import { checkInteger, invalid } from '../util/validate';

export const DIGIT_SIDE = 28;
export const DIGIT_PIXELS = DIGIT_SIDE * DIGIT_SIDE;
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
    throw invalid(
      `${name} must hold a whole number of 28×28 images (a multiple of ${DIGIT_PIXELS} values), got ${images.length}`,
    );
  }
  for (let k = 0; k < images.length; k++) {
    const v = images[k];
    if (!(v >= 0 && v <= 1)) throw invalid(`${name}[${k}] is ${v}: pixel values must be in [0, 1]`);
  }
  return images.length / DIGIT_PIXELS;
}

export const MAX_HIDDEN = 4096;
export const MAX_EPOCHS = 1000;

/** How a classifier was trained: the recipe's name and its settings. */
export interface DigitClassifierTraining extends Required<DigitClassifierOptions> {
  recipe: string;
}

/** Images classified per matrix product: bounds the scratch memory of large batches. */
const CHUNK = 500;

export class DigitClassifier {
  /** The trained network. @internal */
  readonly network: MlpClassifier;
  readonly training: DigitClassifierTraining;
  /** Accuracy on the 2,000 held-out digits, as grey images and binarized at 0.5. */
  readonly heldOutAccuracy: { grey: number; binary: number };

  /** @internal Made by `digitClassifier` or `trainDigitClassifier`. */
  constructor(network: MlpClassifier, training: DigitClassifierTraining) {
    if (network.inputs !== DIGIT_PIXELS || network.classes !== DIGIT_CLASSES) {
      throw invalid(`a digit classifier maps ${DIGIT_PIXELS} pixels to ${DIGIT_CLASSES} classes`);
    }
    this.network = network;
    this.training = training;
    const { test } = digitSplit();
    const grey = this.classify(test.images).labels;
    const binary = this.classify(test.images.map((v) => (v >= 0.5 ? 1 : 0))).labels;
    const accuracy = (labels: Uint8Array) =>
      labels.reduce((n, label, k) => n + (label === test.labels[k] ? 1 : 0), 0) / test.count;
    this.heldOutAccuracy = { grey: accuracy(grey), binary: accuracy(binary) };
  }

  get hidden(): number {
    return this.network.hidden;
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
    const a = new Float32Array(Math.min(n, CHUNK) * hidden);
    const p = new Float32Array(Math.min(n, CHUNK) * DIGIT_CLASSES);
    for (let start = 0; start < n; start += CHUNK) {
      const count = Math.min(CHUNK, n - start);
      const chunkFeatures =
        features?.subarray(start * hidden, (start + count) * hidden) ?? a.subarray(0, count * hidden);
      this.network.activations(
        images.subarray(start * DIGIT_PIXELS, (start + count) * DIGIT_PIXELS),
        count,
        chunkFeatures,
      );
      this.network.readout(chunkFeatures, count, p.subarray(0, count * DIGIT_CLASSES));
      softmax(p, count, DIGIT_CLASSES);
      for (let s = 0; s < count; s++) {
        const o = s * DIGIT_CLASSES;
        let best = 0;
        for (let c = 1; c < DIGIT_CLASSES; c++) if (p[o + c] > p[o + best]) best = c;
        labels[start + s] = best;
        confidence[start + s] = p[o + best];
      }
    }
    return { labels, confidence, features };
  }

  /** The 'digit-classifier' model file: the network's four tensors, and how it was trained as hyper-parameters. */
  toModelFile(): ModelFile {
    const { w1, b1, w2, b2 } = this.network.views;
    const { hidden } = this;
    const f32 = (shape: number[], data: Float32Array) => ({ dtype: 'F32' as const, shape, data });
    return {
      kind: 'digit-classifier',
      version: 1,
      tensors: {
        w1: f32([DIGIT_PIXELS, hidden], w1),
        b1: f32([hidden], b1),
        w2: f32([hidden, DIGIT_CLASSES], w2),
        b2: f32([DIGIT_CLASSES], b2),
      },
      hyper: { ...this.training },
    };
  }

  static fromModelFile(file: ModelFile): DigitClassifier {
    const { recipe, hidden: h, epochs, seed } = file.hyper;
    if (typeof recipe !== 'string') throw invalid('the digit classifier file does not name its training recipe');
    const hidden = checkInteger('hidden', h, 1, MAX_HIDDEN);
    const training = {
      recipe,
      hidden,
      epochs: checkInteger('epochs', epochs, 1, MAX_EPOCHS),
      seed: checkInteger('seed', seed, 0),
    };
    const network = new MlpClassifier({ inputs: DIGIT_PIXELS, hidden, classes: DIGIT_CLASSES });
    const { views } = network;
    views.w1.set(f32Tensor(file, 'w1', [DIGIT_PIXELS, hidden]));
    views.b1.set(f32Tensor(file, 'b1', [hidden]));
    views.w2.set(f32Tensor(file, 'w2', [hidden, DIGIT_CLASSES]));
    views.b2.set(f32Tensor(file, 'b2', [DIGIT_CLASSES]));
    return new DigitClassifier(network, training);
  }
}

// Registered here rather than in io/model-kinds: eval imports io, never the reverse.
registerModelKind('digit-classifier', 1, (file) => DigitClassifier.fromModelFile(file));
