/** A tiny classifier problem (few parameters) whose Jacobian and GGN can be formed densely in tests. */
import { Classifier, ggnProduct, LabelledBatch, Linearization } from '../../lib/nn/classifier';
import { MlpClassifier } from '../../lib/nn/mlp-classifier';
import { SoftmaxRegression } from '../../lib/nn/softmax-regression';

export const TINY = { inputs: 6, hidden: 5, classes: 3, batch: 4 };

export function tinyBatch(scale = 1, seed = 0): LabelledBatch {
  const { inputs, batch } = TINY;
  return {
    inputs: Float32Array.from({ length: batch * inputs }, (_, i) => scale * (Math.sin(1.7 * i + seed) + 0.2)),
    labels: Uint8Array.from({ length: batch }, (_, s) => (s * 2 + seed) % TINY.classes),
    count: batch,
  };
}

export function tinyMlp(seed = 3): MlpClassifier {
  return new MlpClassifier({ inputs: TINY.inputs, hidden: TINY.hidden, classes: TINY.classes }, seed);
}

export function tinyLogistic(): SoftmaxRegression {
  const model = new SoftmaxRegression(TINY.inputs, TINY.classes);
  model.params.forEach((_, i) => (model.params[i] = 0.3 * Math.cos(2.1 * i)));
  return model;
}

/** The dense damped GGN F = Jᵀ H J + λI (N × N, float64), one product per column. */
export function denseCurvature(lin: Linearization, damping: number): Float64Array {
  const n = lin.parameters;
  const f = new Float64Array(n * n);
  const unit = new Float32Array(n);
  const column = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    unit.fill(0);
    unit[j] = 1;
    ggnProduct(lin, unit, damping, column);
    for (let i = 0; i < n; i++) f[i * n + j] = column[i];
  }
  return f;
}

export function lossGradientOf(lin: Linearization): Float64Array {
  const g = new Float32Array(lin.parameters);
  lin.vjp(lin.logitGradient, g);
  return Float64Array.from(g);
}

/** Logits of the model at params + eps·direction (params restored afterwards). */
export function logitsAt(
  model: Classifier,
  batch: LabelledBatch,
  direction: ArrayLike<number>,
  eps: number,
): Float64Array {
  const saved = model.params.slice();
  for (let i = 0; i < saved.length; i++) model.params[i] = saved[i] + eps * direction[i];
  const z = new Float32Array(batch.count * model.classes);
  model.logits(batch.inputs, batch.count, z);
  model.params.set(saved);
  return Float64Array.from(z);
}

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
