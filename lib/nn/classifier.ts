/**
 * Differentiable classifiers for the optimizer studies: a model maps a batch of inputs to logits
 * z (batch × classes), is trained on the mean cross-entropy ℓ = −(1/b) Σ_s log softmax(z_s)[y_s], and
 * can be linearised at a batch: its Jacobian J = ∂z/∂θ (m = batch·classes rows, one column per
 * parameter) is available only through products (J v, Jᵀ u) and through the Gram matrix J Jᵀ (m × m),
 * never as a matrix of m × N numbers.
 *
 * The generalised Gauss–Newton matrix of the loss is G = Jᵀ H J with H block diagonal, one block
 * (diag p_s − p_s p_sᵀ)/b per example (the Hessian of the loss in the logits), and ∇ℓ = Jᵀ e with
 * e_s = (p_s − onehot(y_s))/b.
 */
import { HeatbathError } from '../errors';
import { checkInteger, invalid } from '../util/validate';
import type { DeviceLinearization } from '../engines/tngd-device';

export interface LabelledBatch {
  /** count × inputs values. */
  inputs: Float32Array;
  /** count class indices. */
  labels: Uint8Array;
  count: number;
}

/** A classifier linearised on a batch: what the natural-gradient device reads, and the loss. */
export interface Linearization extends DeviceLinearization {
  readonly parameters: number;
  /** The mean loss at the linearisation point. */
  readonly loss: number;
}

export interface Classifier {
  readonly inputs: number;
  readonly classes: number;
  /** All parameters in one flat array (the named views below share its memory). */
  readonly params: Float32Array;
  readonly views: Record<string, Float32Array>;
  /** Logits of `count` inputs into out (count × classes). */
  logits(inputs: Float32Array, count: number, out: Float32Array): void;
  /**
   * The model linearised at the current parameters on a batch. It keeps its own copies of what it
   * needs, so it stays valid (at the old point) after the parameters change.
   */
  linearize(batch: LabelledBatch): Linearization;
}

/** Most parameters a classifier may have (a Float32Array of them, and as many for its gradient and optimizer state). */
const MAX_PARAMETERS = 2 ** 28;

/** Checks that a model of `count` parameters can be allocated; returns count. */
export function checkParameterCount(count: number): number {
  if (count > MAX_PARAMETERS) {
    throw new HeatbathError(
      'ERR_TOO_LARGE',
      `a classifier of ${count} parameters is too large (at most ${MAX_PARAMETERS})`,
    );
  }
  return count;
}

/** Checks the output buffer of Linearization.gram. */
export function checkGramOutput(out: Float32Array, m: number): Float32Array {
  if (!(out instanceof Float32Array) || out.length !== m * m)
    throw invalid(`gram(out) needs a Float32Array of m² = ${m * m} numbers`);
  return out;
}

/** Checks a batch against a model; returns it. */
export function checkBatch(model: Classifier, batch: LabelledBatch): LabelledBatch {
  const count = checkInteger('batch.count', batch?.count, 1);
  if (!(batch.inputs instanceof Float32Array) || batch.inputs.length !== count * model.inputs) {
    throw invalid(`batch.inputs must be a Float32Array of count × inputs = ${count * model.inputs} values`);
  }
  if (!(batch.labels instanceof Uint8Array) || batch.labels.length !== count)
    throw invalid(`batch.labels must be a Uint8Array of ${count} labels`);
  for (let s = 0; s < count; s++) {
    if (batch.labels[s] >= model.classes)
      throw invalid(`batch.labels[${s}] is ${batch.labels[s]}: there are ${model.classes} classes`);
  }
  const { inputs } = batch;
  for (let k = 0; k < inputs.length; k++) {
    const v = inputs[k];
    if (v - v !== 0) throw invalid(`batch.inputs[${k}] is ${v}`); // NaN or ±Infinity (no call per value: hot in jest's vm)
  }
  return batch;
}

/** Softmax of logits in place, `count` rows of `classes`. */
export function softmax(logits: Float32Array, count: number, classes: number): void {
  const { exp } = Math; // a local alias: global lookups are slow in hot loops under jest's vm
  for (let s = 0; s < count; s++) {
    const o = s * classes;
    let max = logits[o];
    for (let c = 1; c < classes; c++) if (logits[o + c] > max) max = logits[o + c];
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += logits[o + c] = exp(logits[o + c] - max);
    for (let c = 0; c < classes; c++) logits[o + c] /= sum;
  }
}

/**
 * Softmax of logits in place (rows of `classes`), returning the summed cross-entropy of the labels
 * and writing e = (p − onehot)·scale into `gradient` when given.
 */
export function softmaxCrossEntropy(
  logits: Float32Array,
  labels: Uint8Array,
  count: number,
  classes: number,
  gradient?: Float32Array,
  scale = 1,
): number {
  const { log } = Math;
  softmax(logits, count, classes);
  let loss = 0;
  for (let s = 0; s < count; s++) {
    const o = s * classes;
    loss -= log(Math.max(logits[o + labels[s]], 1e-30));
    if (gradient)
      for (let c = 0; c < classes; c++) gradient[o + c] = scale * (logits[o + c] - (c === labels[s] ? 1 : 0));
  }
  return loss;
}

/** The mean loss of a batch's logits and what a linearisation keeps of it: softmax (in place) and e = ∂ℓ/∂z. */
export function lossAtLogits(
  logits: Float32Array,
  labels: Uint8Array,
  count: number,
  classes: number,
): Pick<Linearization, 'probs' | 'logitGradient' | 'loss'> {
  const logitGradient = new Float32Array(count * classes);
  const loss = softmaxCrossEntropy(logits, labels, count, classes, logitGradient, 1 / count) / count;
  return { probs: logits, logitGradient, loss };
}

/** out = G v + damping·v with G = Jᵀ H J the generalised Gauss–Newton matrix of the linearisation. */
export function ggnProduct(lin: Linearization, v: Float32Array, damping: number, out: Float32Array): void {
  const { batch, classes, probs } = lin;
  const z = new Float32Array(batch * classes);
  lin.jvp(v, z);
  for (let s = 0; s < batch; s++) {
    const o = s * classes;
    let pz = 0;
    for (let c = 0; c < classes; c++) pz += probs[o + c] * z[o + c];
    for (let c = 0; c < classes; c++) z[o + c] = (probs[o + c] * (z[o + c] - pz)) / batch;
  }
  lin.vjp(z, out);
  for (let i = 0; i < out.length; i++) out[i] += damping * v[i];
}
