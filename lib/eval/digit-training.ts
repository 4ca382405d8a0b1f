/**
 * How the digit classifier is trained: mini-batches of augmented digits and a few non-digits, cross-entropy
 * against soft targets, Adam with a linearly decaying rate. Seeded and deterministic.
 */
import { DigitDataset } from '../io/dataset';
import { MlpClassifier } from '../nn/mlp-classifier';
import { adam } from '../nn/optimizers';
import { SeededRandom } from '../util/random';
import { deriveSeed } from '../util/seed';
import { checkInteger } from '../util/validate';
import {
  DIGIT_CLASSES,
  DIGIT_PIXELS,
  DIGIT_SIDE as SIDE,
  DigitClassifier,
  DigitClassifierOptions,
  DigitClassifierTraining,
  digitSplit,
  MAX_EPOCHS,
  MAX_HIDDEN,
} from './digit-classifier';

const BATCH = 64;
/** Non-digit images added to each batch with a uniform target, so that junk earns low confidence. */
const OUTLIERS = 4;
const LEARNING_RATE = 4e-3;

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
const RECIPE = 'nn-mlp-adam-shift-binarize-outliers-v2';
const DEFAULTS: Required<DigitClassifierOptions> = { hidden: 128, epochs: 6, seed: 1 };

/** Whether a classifier was trained as `trainDigitClassifier()` trains one now. */
export function isDefaultTraining({ recipe, hidden, epochs, seed }: DigitClassifierTraining): boolean {
  return recipe === RECIPE && hidden === DEFAULTS.hidden && epochs === DEFAULTS.epochs && seed === DEFAULTS.seed;
}

/** Trains a classifier on the 8,000-digit training split (a few seconds). */
export function trainDigitClassifier(options: DigitClassifierOptions = {}): DigitClassifier {
  const hidden = checkInteger('hidden', options.hidden ?? DEFAULTS.hidden, 1, MAX_HIDDEN);
  const epochs = checkInteger('epochs', options.epochs ?? DEFAULTS.epochs, 1, MAX_EPOCHS);
  const seed = checkInteger('seed', options.seed ?? DEFAULTS.seed, 0);
  const { train } = digitSplit();
  const mlp = new MlpClassifier({ inputs: DIGIT_PIXELS, hidden, classes: DIGIT_CLASSES }, seed);
  const random = new SeededRandom(deriveSeed(seed, 'digit-classifier-batches'));
  const optimizer = adam();
  const grad = new Float32Array(mlp.params.length);
  const groups = [{ name: 'params', param: mlp.params, grad }];
  const rows = BATCH + OUTLIERS;
  const x = new Float32Array(rows * DIGIT_PIXELS);
  const target = new Float32Array(rows * DIGIT_CLASSES);
  const logitGradient = new Float32Array(rows * DIGIT_CLASSES);
  // The loss is the cross-entropy against `target` (uniform for outliers), so the linearisation's labels,
  // which only feed its own loss and gradient, are not used.
  const labels = new Uint8Array(rows);
  const order = Int32Array.from({ length: train.count }, (_, k) => k);
  const batches = Math.ceil(train.count / BATCH);
  for (let epoch = 0; epoch < epochs; epoch++) {
    random.shuffle(order);
    for (let b = 0; b < batches; b++) {
      const digits = Math.min(BATCH, train.count - b * BATCH);
      const count = digits + OUTLIERS;
      target.fill(0);
      for (let s = 0; s < digits; s++) {
        const i = order[b * BATCH + s];
        augment(train.images.subarray(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS), x.subarray(s * DIGIT_PIXELS), random);
        target[s * DIGIT_CLASSES + train.labels[i]] = 1;
      }
      for (let s = digits; s < count; s++) {
        outlier(train, x.subarray(s * DIGIT_PIXELS), random);
        target.fill(1 / DIGIT_CLASSES, s * DIGIT_CLASSES, (s + 1) * DIGIT_CLASSES);
      }
      const lin = mlp.linearize({
        inputs: x.subarray(0, count * DIGIT_PIXELS),
        labels: labels.subarray(0, count),
        count,
      });
      const e = logitGradient.subarray(0, count * DIGIT_CLASSES);
      for (let k = 0; k < e.length; k++) e[k] = (lin.probs[k] - target[k]) / count; // ∂(mean cross-entropy)/∂logits
      lin.vjp(e, grad);
      const progress = (epoch * batches + b) / (epochs * batches);
      optimizer.step(groups, LEARNING_RATE * (1 - progress)); // linear decay to 0
    }
  }
  return new DigitClassifier(mlp, { recipe: RECIPE, hidden, epochs, seed });
}
