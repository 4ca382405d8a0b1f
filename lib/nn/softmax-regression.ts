/**
 * Multinomial logistic regression: z = x W + b, W inputs × classes. Parameters, flat: [W, b].
 * Its Jacobian rows are (x_s ⊗ e_c, e_c), so J Jᵀ = δ_cc' (x_s · x_s' + 1).
 */
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

export class SoftmaxRegression implements Classifier {
  readonly inputs: number;
  readonly classes: number;
  readonly params: Float32Array;
  readonly views: { weights: Float32Array; bias: Float32Array };

  /** Zero weights and biases (the loss is convex: no symmetry to break). */
  constructor(inputs: number, classes: number) {
    this.inputs = checkInteger('inputs', inputs, 1);
    this.classes = checkInteger('classes', classes, 2);
    this.params = new Float32Array(checkParameterCount(inputs * classes + classes));
    this.views = { weights: this.params.subarray(0, inputs * classes), bias: this.params.subarray(inputs * classes) };
  }

  logits(inputs: Float32Array, count: number, out: Float32Array): void {
    matmul(inputs, this.views.weights, out, count, this.inputs, this.classes);
    addRowVector(out, count, this.classes, this.views.bias);
  }

  linearize(batch: LabelledBatch): Linearization {
    const { inputs: d, classes } = this;
    const { count: b, labels } = checkBatch(this, batch);
    const x = batch.inputs.slice();
    const logits = new Float32Array(b * classes);
    this.logits(x, b, logits);
    const weightCount = d * classes;
    return {
      batch: b,
      classes,
      parameters: this.params.length,
      ...lossAtLogits(logits, labels, b, classes),
      jvp(v, out) {
        matmul(x, v.subarray(0, weightCount), out, b, d, classes);
        addRowVector(out, b, classes, v, weightCount);
      },
      vjp(u, out) {
        linearLayerGradient(x, u, b, d, classes, out, 0, weightCount);
      },
      gram(out) {
        const m = b * classes;
        checkGramOutput(out, m);
        const xx = new Float32Array(b * b);
        matmulTransB(x, x, xx, b, d, b);
        out.fill(0);
        for (let s = 0; s < b; s++) {
          for (let t = 0; t < b; t++) {
            const k = xx[s * b + t] + 1;
            for (let c = 0; c < classes; c++) out[(s * classes + c) * m + t * classes + c] = k;
          }
        }
      },
    };
  }
}
