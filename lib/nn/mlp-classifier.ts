/**
 * A one-hidden-layer perceptron, z = relu(x W1 + b1) W2 + b2 (W1 inputs × hidden, W2 hidden ×
 * classes). Parameters, flat: [W1, b1, W2, b2].
 *
 * With a_s the hidden activations, d_sj ∈ {0, 1} the ReLU gates and V_(s,c),j = d_sj W2[j, c], the
 * Jacobian's Gram matrix is
 *   J Jᵀ[(s,c), (s',c')] = δ_cc' (a_s · a_s' + 1) + (x_s · x_s' + 1) (V Vᵀ)[(s,c), (s',c')]
 * (the W2 and b2 columns, then the W1 and b1 columns): three matrix products, no m × N Jacobian.
 */
import { SeededRandom } from '../util/random';
import { checkInteger } from '../util/validate';
import {
  checkBatch,
  checkGramOutput,
  checkParameterCount,
  Classifier,
  LabelledBatch,
  Linearization,
  lossAtLogits,
} from './classifier';
import { addRowVector, linearLayerGradient, matmul, matmulTransB } from './dense';

export interface MlpClassifierShape {
  inputs: number;
  hidden: number;
  classes: number;
}

export class MlpClassifier implements Classifier {
  readonly inputs: number;
  readonly hidden: number;
  readonly classes: number;
  readonly params: Float32Array;
  readonly views: { w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array };
  /** V of the Gram matrix, kept between calls (fresh large buffers cost page faults). */
  private gatedW2 = new Float32Array(0);

  /** He-initialised weights (seeded), zero biases. */
  constructor(shape: MlpClassifierShape, seed = 1) {
    this.inputs = checkInteger('inputs', shape?.inputs, 1);
    this.hidden = checkInteger('hidden', shape.hidden, 1);
    this.classes = checkInteger('classes', shape.classes, 2);
    const { inputs: d, hidden: h, classes: k } = this;
    this.params = new Float32Array(checkParameterCount(d * h + h + h * k + k));
    let at = 0;
    const take = (n: number) => this.params.subarray(at, (at += n));
    this.views = { w1: take(d * h), b1: take(h), w2: take(h * k), b2: take(k) };
    const random = new SeededRandom(seed);
    for (const [w, fanIn] of [
      [this.views.w1, d],
      [this.views.w2, h],
    ] as const) {
      const scale = Math.sqrt(2 / fanIn);
      for (let i = 0; i < w.length; i++) w[i] = scale * random.normal();
    }
  }

  /** Hidden activations relu(x W1 + b1) of `count` inputs into out (count × hidden): the learned features. */
  activations(inputs: Float32Array, count: number, out: Float32Array): void {
    matmul(inputs, this.views.w1, out, count, this.inputs, this.hidden);
    addRowVector(out, count, this.hidden, this.views.b1);
    for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = 0;
  }

  /** Logits a W2 + b2 of `count` rows of hidden activations into out (count × classes). */
  readout(activations: Float32Array, count: number, out: Float32Array): void {
    matmul(activations, this.views.w2, out, count, this.hidden, this.classes);
    addRowVector(out, count, this.classes, this.views.b2);
  }

  logits(inputs: Float32Array, count: number, out: Float32Array): void {
    const a = new Float32Array(count * this.hidden);
    this.activations(inputs, count, a);
    this.readout(a, count, out);
  }

  linearize(batch: LabelledBatch): Linearization {
    const { inputs: d, hidden: h, classes: k } = this;
    const { count: b, labels } = checkBatch(this, batch);
    const x = batch.inputs.slice();
    const w2 = this.views.w2.slice();
    const a = new Float32Array(b * h);
    this.activations(x, b, a);
    const gate = a.map((value) => (value > 0 ? 1 : 0));
    const logits = new Float32Array(b * k);
    matmul(a, w2, logits, b, h, k);
    addRowVector(logits, b, k, this.views.b2);
    // Offsets of W1, b1, W2, b2 in the flat parameter vector.
    const oB1 = d * h;
    const oW2 = oB1 + h;
    const oB2 = oW2 + h * k;
    const hiddenTangent = new Float32Array(b * h);
    const scratch = (length: number) => {
      if (this.gatedW2.length < length) this.gatedW2 = new Float32Array(length);
      return this.gatedW2.subarray(0, length);
    };
    return {
      batch: b,
      classes: k,
      parameters: this.params.length,
      ...lossAtLogits(logits, labels, b, k),
      jvp(v, out) {
        matmul(x, v.subarray(0, oB1), hiddenTangent, b, d, h);
        addRowVector(hiddenTangent, b, h, v, oB1);
        for (let i = 0; i < hiddenTangent.length; i++) hiddenTangent[i] *= gate[i];
        matmul(hiddenTangent, w2, out, b, h, k);
        matmul(a, v.subarray(oW2, oB2), out, b, h, k, 1);
        addRowVector(out, b, k, v, oB2);
      },
      vjp(u, out) {
        linearLayerGradient(a, u, b, h, k, out, oW2, oB2);
        matmulTransB(u, w2, hiddenTangent, b, k, h);
        for (let i = 0; i < hiddenTangent.length; i++) hiddenTangent[i] *= gate[i];
        linearLayerGradient(x, hiddenTangent, b, d, h, out, 0, oB1);
      },
      gram(out) {
        const m = b * k;
        checkGramOutput(out, m);
        const xx = new Float32Array(b * b);
        const aa = new Float32Array(b * b);
        matmulTransB(x, x, xx, b, d, b);
        matmulTransB(a, a, aa, b, h, b);
        const gatedW2 = scratch(m * h); // V: row (s, c) holds d_sj W2[j, c] over j
        for (let s = 0; s < b; s++) {
          for (let c = 0; c < k; c++) {
            const row = (s * k + c) * h;
            for (let j = 0; j < h; j++) gatedW2[row + j] = gate[s * h + j] * w2[j * k + c];
          }
        }
        matmulTransB(gatedW2, gatedW2, out, m, h, m);
        scaleByInputKernel(out, xx, aa, b, k);
      },
    };
  }
}

/**
 * out[(s,c), (t,c')] ← (x_s·x_t + 1)·out[(s,c), (t,c')] + δ_cc' (a_s·a_t + 1), in place (m = batch·classes
 * rows; xx and aa hold the batch × batch inner products).
 */
function scaleByInputKernel(
  out: Float32Array,
  xx: Float32Array,
  aa: Float32Array,
  batch: number,
  classes: number,
): void {
  const m = batch * classes;
  for (let s = 0; s < batch; s++) {
    for (let c = 0; c < classes; c++) {
      const row = (s * classes + c) * m;
      for (let t = 0; t < batch; t++) {
        const inputKernel = xx[s * batch + t] + 1;
        const start = row + t * classes;
        for (let j = start, end = start + classes; j < end; j++) out[j] *= inputKernel;
        out[start + c] += aa[s * batch + t] + 1;
      }
    }
  }
}
