import { ggnProduct, softmaxCrossEntropy } from '../lib/nn/classifier';
import { MlpClassifier } from '../lib/nn/mlp-classifier';
import { SoftmaxRegression } from '../lib/nn/softmax-regression';
import { logitsAt, maxAbs, maxAbsDifference, tinyBatch, tinyLogistic, tinyMlp, TINY } from './helpers/tiny-classifier';

// Central differences of float32 logits with this step: truncation is exact for the piecewise-linear
// (ReLU) and linear models away from kinks, rounding ~1e-7/EPS relative.
const EPS = 1e-3;
const FD_TOLERANCE = 2e-3;

const models = [
  ['mlp', () => tinyMlp()],
  ['logistic', () => tinyLogistic()],
] as const;

describe.each(models)('%s Jacobian products', (_, make) => {
  const model = make();
  const batch = tinyBatch();
  const lin = model.linearize(batch);
  const n = model.params.length;
  const m = TINY.batch * TINY.classes;
  const v = Float32Array.from({ length: n }, (_, i) => Math.cos(0.7 * i));

  it('J v matches central differences of the logits', () => {
    const jv = new Float32Array(m);
    lin.jvp(v, jv);
    const plus = logitsAt(model, batch, v, EPS);
    const minus = logitsAt(model, batch, v, -EPS);
    const fd = plus.map((p, i) => (p - minus[i]) / (2 * EPS));
    expect(maxAbsDifference(jv, fd)).toBeLessThan(FD_TOLERANCE * maxAbs(fd));
  });

  it('Jᵀ u is the adjoint of J v', () => {
    const u = Float32Array.from({ length: m }, (_, i) => Math.sin(3 * i + 1));
    const jv = new Float32Array(m);
    const jtu = new Float32Array(n);
    lin.jvp(v, jv);
    lin.vjp(u, jtu);
    const left = jv.reduce((s, x, i) => s + x * u[i], 0);
    const right = jtu.reduce((s, x, i) => s + x * v[i], 0);
    expect(Math.abs(left - right)).toBeLessThan(1e-5 * (Math.abs(left) + 1));
  });

  it('the Gram matrix equals J Jᵀ assembled from Jacobian columns', () => {
    const jacobian = new Float64Array(m * n);
    const unit = new Float32Array(n);
    const column = new Float32Array(m);
    for (let j = 0; j < n; j++) {
      unit.fill(0);
      unit[j] = 1;
      lin.jvp(unit, column);
      for (let i = 0; i < m; i++) jacobian[i * n + j] = column[i];
    }
    const gram = new Float32Array(m * m);
    lin.gram(gram);
    let worst = 0;
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < m; k++) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += jacobian[i * n + j] * jacobian[k * n + j];
        worst = Math.max(worst, Math.abs(sum - gram[i * m + k]) / (1 + Math.abs(sum)));
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('the GGN product Jᵀ H J v matches finite differences of the loss and the logits', () => {
    // r(θ) = ∂ℓ/∂z at θ; H J v = d/dε r(θ + εv); Jᵀ w = ∇_θ (w · z(θ)).
    const logitGradient = (eps: number) => {
      const z = Float32Array.from(logitsAt(model, batch, v, eps));
      const r = new Float32Array(m);
      softmaxCrossEntropy(z, batch.labels, TINY.batch, TINY.classes, r, 1 / TINY.batch);
      return r;
    };
    const rPlus = logitGradient(EPS);
    const rMinus = logitGradient(-EPS);
    const hjv = rPlus.map((p, i) => (p - rMinus[i]) / (2 * EPS));
    const fd = new Float64Array(n);
    const unit = new Float32Array(n);
    for (let j = 0; j < n; j++) {
      unit.fill(0);
      unit[j] = 1;
      const plus = logitsAt(model, batch, unit, EPS);
      const minus = logitsAt(model, batch, unit, -EPS);
      for (let i = 0; i < m; i++) fd[j] += (hjv[i] * (plus[i] - minus[i])) / (2 * EPS);
    }
    const gv = new Float32Array(n);
    ggnProduct(lin, v, 0, gv);
    expect(maxAbsDifference(gv, fd)).toBeLessThan(FD_TOLERANCE * maxAbs(fd));
  });

  it('the loss gradient Jᵀ e matches central differences of the loss', () => {
    const loss = (eps: number) => {
      const z = Float32Array.from(logitsAt(model, batch, v, eps));
      return softmaxCrossEntropy(z, batch.labels, TINY.batch, TINY.classes) / TINY.batch;
    };
    const gradient = new Float32Array(n);
    lin.vjp(lin.logitGradient, gradient);
    const directional = gradient.reduce((s, g, i) => s + g * v[i], 0);
    expect(Math.abs(directional - (loss(EPS) - loss(-EPS)) / (2 * EPS))).toBeLessThan(
      FD_TOLERANCE * Math.abs(directional) + 1e-4,
    );
  });
});

describe('logistic regression', () => {
  it('has a GGN equal to its Hessian: Gv matches differences of the gradient', () => {
    const model = tinyLogistic();
    const batch = tinyBatch();
    const n = model.params.length;
    const v = Float32Array.from({ length: n }, (_, i) => Math.sin(0.9 * i + 0.3));
    const gradientAt = (eps: number) => {
      const saved = model.params.slice();
      model.params.forEach((p, i) => (model.params[i] = p + eps * v[i]));
      const lin = model.linearize(batch);
      model.params.set(saved);
      const g = new Float32Array(n);
      lin.vjp(lin.logitGradient, g);
      return g;
    };
    const plus = gradientAt(EPS);
    const minus = gradientAt(-EPS);
    const fd = plus.map((p, i) => (p - minus[i]) / (2 * EPS));
    const gv = new Float32Array(n);
    ggnProduct(model.linearize(batch), v, 0, gv);
    expect(maxAbsDifference(gv, fd)).toBeLessThan(FD_TOLERANCE * maxAbs(fd));
  });
});

describe('classifier input checks', () => {
  it('rejects bad shapes and batches with a code', () => {
    expect(() => new MlpClassifier({ inputs: 0, hidden: 2, classes: 2 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => new SoftmaxRegression(4, 1)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    const model = tinyMlp();
    const good = tinyBatch();
    const bad = [
      { ...good, count: 0 },
      { ...good, inputs: good.inputs.subarray(1) },
      { ...good, labels: Uint8Array.from([0, 1, 7, 0]) },
      { ...good, inputs: good.inputs.map((x, i) => (i === 3 ? NaN : x)) },
    ];
    for (const batch of bad)
      expect(() => model.linearize(batch)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('keeps a linearisation valid after the parameters change', () => {
    const model = tinyMlp();
    const lin = model.linearize(tinyBatch());
    const before = new Float32Array(lin.parameters);
    lin.vjp(lin.logitGradient, before);
    model.params.fill(0.5);
    const after = new Float32Array(lin.parameters);
    lin.vjp(lin.logitGradient, after);
    expect(Array.from(after)).toEqual(Array.from(before));
  });
});
