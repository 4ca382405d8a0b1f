import { solve } from '../lib/linalg/lu';
import { Linearization } from '../lib/nn/classifier';
import { naturalGradient, ngd } from '../lib/training/ngd';
import { adam, Optimizer, sgd } from '../lib/nn/optimizers';
import { tngd, TngdOptions } from '../lib/training/tngd';
import { SoftmaxRegression } from '../lib/nn/softmax-regression';
import {
  denseCurvature,
  lossGradientOf,
  maxAbs,
  maxAbsDifference,
  tinyBatch,
  tinyMlp,
  TINY,
} from './helpers/tiny-classifier';

const DAMPING = 0.3;

/** One optimizer step from zero parameters: returns −(update)/lr, the direction the optimizer took. */
function direction(optimizer: Optimizer, lin: Linearization): Float32Array {
  const param = new Float32Array(lin.parameters);
  optimizer.setCurvature!(lin);
  optimizer.step([{ name: 'params', param, grad: param }], -1);
  return param;
}

/** Euler–Maruyama of dg = −(F g − ∇ℓ) dt without noise, in float64 on the dense F: the device by brute force. */
function bruteForceDevice(
  f: Float64Array,
  gradient: Float64Array,
  g: Float64Array,
  dt: number,
  steps: number,
): Float64Array {
  const n = gradient.length;
  let state = Float64Array.from(g);
  for (let k = 0; k < steps; k++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let fg = 0;
      for (let j = 0; j < n; j++) fg += f[i * n + j] * state[j];
      next[i] = state[i] - dt * (fg - gradient[i]);
    }
    state = next;
  }
  return state;
}

describe('natural gradient', () => {
  it('equals a direct solve with the dense damped GGN', () => {
    const lin = tinyMlp().linearize(tinyBatch());
    const f = denseCurvature(lin, DAMPING);
    const exact = solve(f, lin.parameters, lossGradientOf(lin));
    expect(maxAbsDifference(naturalGradient(lin, DAMPING), exact)).toBeLessThan(1e-5 * maxAbs(exact));
  });

  it('needs damping > 0', () => {
    expect(() => ngd({ damping: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('tngd', () => {
  const model = tinyMlp();
  const lin = model.linearize(tinyBatch());
  const gradient = lossGradientOf(lin);
  const f = denseCurvature(lin, DAMPING);

  it('relaxes to the natural gradient F⁻¹∇ℓ without noise and with a long analog time', () => {
    // Slowest mode: λ = 0.3, so t = 100 leaves e^(−30) of the start.
    const exact = solve(f, lin.parameters, gradient);
    const g = direction(tngd({ time: 100, dt: 0.05, damping: DAMPING }), lin);
    expect(maxAbsDifference(g, exact)).toBeLessThan(1e-4 * maxAbs(exact));
  });

  it('gives the plain gradient at t = 0', () => {
    const g = direction(tngd({ time: 0, damping: DAMPING }), lin);
    expect(maxAbsDifference(g, gradient)).toBe(0);
  });

  it('with t = 0 and no warm start takes exactly the steps of SGD', () => {
    const a = tinyMlp();
    const b = tinyMlp();
    const thermodynamic = tngd({ time: 0, warmStart: false });
    const plain = sgd();
    for (let step = 0; step < 4; step++) {
      const batch = tinyBatch(1, step);
      thermodynamic.setCurvature!(a.linearize(batch));
      thermodynamic.step([{ name: 'params', param: a.params, grad: a.params }], 0.1);
      plain.step(
        [{ name: 'params', param: b.params, grad: Float32Array.from(lossGradientOf(b.linearize(batch))) }],
        0.1,
      );
    }
    expect(Array.from(a.params)).toEqual(Array.from(b.params));
  });

  it('runs the same Euler–Maruyama steps as the full N-dimensional device', () => {
    const dt = 0.05;
    const steps = 37;
    const brute = bruteForceDevice(f, gradient, gradient, dt, steps);
    const g = direction(tngd({ time: steps * dt, dt, damping: DAMPING }), lin);
    expect(maxAbsDifference(g, brute)).toBeLessThan(2e-6 * maxAbs(brute));
  });

  it('warm-starts from its previous readout, and a delay relaxes first under the previous model', () => {
    const dt = 0.05;
    const second = tinyMlp(5).linearize(tinyBatch(1, 1));
    const f2 = denseCurvature(second, DAMPING);
    const gradient2 = lossGradientOf(second);
    const options: TngdOptions = { time: 2, delay: 0.5, dt, damping: DAMPING };
    const optimizer = tngd(options);
    direction(optimizer, lin);
    const readout = direction(optimizer, second);
    const first = bruteForceDevice(f, gradient, gradient, dt, 40);
    const delayed = bruteForceDevice(f, gradient, first, dt, 10);
    const expected = bruteForceDevice(f2, gradient2, delayed, dt, 30);
    expect(maxAbsDifference(readout, expected)).toBeLessThan(2e-6 * maxAbs(expected));
  });

  it('takes smaller steps where δt would make Euler–Maruyama diverge, and still converges', () => {
    const stiff = tinyMlp().linearize(tinyBatch(30));
    const fStiff = denseCurvature(stiff, DAMPING);
    const exact = solve(fStiff, stiff.parameters, lossGradientOf(stiff));
    const g = direction(tngd({ time: 100, dt: 1, damping: DAMPING }), stiff);
    expect(maxAbsDifference(g, exact)).toBeLessThan(1e-3 * maxAbs(exact));
  });

  // A batch with a repeated example has a rank-deficient J Jᵀ: the noise factorisation must find its rank.
  const repeated = tinyBatch();
  repeated.inputs.copyWithin(6, 0, 6);
  repeated.labels[1] = repeated.labels[0];
  it.each([
    ['full rank', lin],
    ['a repeated example', model.linearize(repeated)],
  ] as const)('samples the Euler–Maruyama law of the noisy device (%s): mean and variance per unit', (_, lin) => {
    const gradient = lossGradientOf(lin);
    const f = denseCurvature(lin, DAMPING);
    // Exact law of n EM steps from g0 = ∇ℓ: mean μ_{k+1} = T μ_k + dt ∇ℓ, covariance Σ_{k+1} = T Σ_k Tᵀ + 2κ₀dt I, T = I − dt F.
    const n = lin.parameters;
    const dt = 0.05;
    const steps = 40;
    const kappa = 0.02;
    const mean = bruteForceDevice(f, gradient, gradient, dt, steps);
    let covariance = new Float64Array(n * n);
    const t = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[i * n + j] = (i === j ? 1 : 0) - dt * f[i * n + j];
    for (let k = 0; k < steps; k++) {
      const tc = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let l = 0; l < n; l++) for (let j = 0; j < n; j++) tc[i * n + j] += t[i * n + l] * covariance[l * n + j];
      const next = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let l = 0; l < n; l++) s += tc[i * n + l] * t[j * n + l];
          next[i * n + j] = s + (i === j ? 2 * kappa * dt : 0);
        }
      covariance = next;
    }
    const samples = 3000;
    const sum = new Float64Array(n);
    const squares = new Float64Array(n);
    for (let r = 0; r < samples; r++) {
      const g = direction(tngd({ time: steps * dt, dt, damping: DAMPING, noise: kappa, seed: r + 1 }), lin);
      for (let i = 0; i < n; i++) {
        sum[i] += g[i];
        squares[i] += g[i] * g[i];
      }
    }
    // Per unit: the mean within 4.5 standard errors, the variance within 4.5 of its relative standard
    // error √(2/samples) (Gaussian law); 4.5σ keeps the chance of a false alarm over all units below 1e-3.
    for (let i = 0; i < n; i++) {
      const variance = covariance[i * n + i];
      const sampleMean = sum[i] / samples;
      const sampleVariance = squares[i] / samples - sampleMean * sampleMean;
      expect(Math.abs(sampleMean - mean[i])).toBeLessThan(4.5 * Math.sqrt(variance / samples));
      expect(Math.abs(sampleVariance / variance - 1)).toBeLessThan(4.5 * Math.sqrt(2 / samples));
    }
  });

  it('is reproducible per seed and keeps its readout in its state', () => {
    const a = direction(tngd({ time: 1, noise: 0.01, seed: 7 }), lin);
    const b = direction(tngd({ time: 1, noise: 0.01, seed: 7 }), lin);
    const c = direction(tngd({ time: 1, noise: 0.01, seed: 8 }), lin);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const optimizer = tngd({ time: 1 });
    const readout = direction(optimizer, lin);
    expect(Array.from(optimizer.state()['device.readout'])).toEqual(Array.from(readout));
  });

  it('refuses batches whose Gram matrix would not fit, before allocating it', () => {
    const huge = { ...lin, batch: 3000, classes: 10 };
    expect(() => direction(tngd({ time: 1 }), huge)).toThrow(expect.objectContaining({ code: 'ERR_TOO_LARGE' }));
    expect(() => naturalGradient(huge, 1)).toThrow(expect.objectContaining({ code: 'ERR_TOO_LARGE' }));
  });

  it('TNGD-Adam takes the Adam step of the device readout', () => {
    const readout = direction(tngd({ time: 3, damping: DAMPING }), lin);
    const viaTngd = tinyMlp().params;
    const optimizer = tngd({ time: 3, damping: DAMPING, adam: true });
    optimizer.setCurvature!(lin);
    optimizer.step([{ name: 'params', param: viaTngd, grad: viaTngd }], 0.01);
    const viaAdam = tinyMlp().params;
    adam().step([{ name: 'params', param: viaAdam, grad: readout }], 0.01);
    expect(Array.from(viaTngd)).toEqual(Array.from(viaAdam));
    expect(Object.keys(optimizer.state()).sort()).toEqual(['device.readout', 'params.m', 'params.step', 'params.v']);
  });

  it('resumes from its state: the next step equals that of the optimizer it was saved from', () => {
    const second = tinyMlp(5).linearize(tinyBatch(1, 1));
    const original = tngd({ time: 2, damping: DAMPING });
    direction(original, lin);
    const resumed = tngd({ time: 2, damping: DAMPING });
    resumed.loadState(original.state());
    expect(Array.from(direction(resumed, second))).toEqual(Array.from(direction(original, second)));
    expect(() => resumed.loadState({ 'device.readout': Float32Array.of(NaN) })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    resumed.loadState({ 'device.readout': new Float32Array(3) });
    expect(() => direction(resumed, second)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('handles a delay that leaves almost no time after it, and refuses relaxations of absurd length', () => {
    const optimizer = tngd({ time: 1, delay: 1 - 1e-12, damping: DAMPING });
    direction(optimizer, lin);
    expect(direction(optimizer, lin).every(Number.isFinite)).toBe(true);
    const raw = new SoftmaxRegression(TINY.inputs, TINY.classes).linearize(tinyBatch(3000)); // inputs ~10³: λ_max(F) ~ 10⁶
    expect(() => direction(tngd({ time: 50 }), raw)).toThrow(expect.objectContaining({ code: 'ERR_TOO_LARGE' }));
  });

  it('rejects bad settings and steps without curvature', () => {
    const code = { code: 'ERR_INVALID_ARGUMENT' };
    expect(() => tngd({ time: 1, delay: 2 })).toThrow(expect.objectContaining(code));
    expect(() => tngd({ dt: 0 })).toThrow(expect.objectContaining(code));
    expect(() => tngd({ time: -1 })).toThrow(expect.objectContaining(code));
    expect(() => tngd({ noise: NaN })).toThrow(expect.objectContaining({ code: 'ERR_NOT_FINITE' }));
    const optimizer = tngd();
    const param = new Float32Array(lin.parameters);
    expect(() => optimizer.step([{ name: 'p', param, grad: param }], 0.1)).toThrow(expect.objectContaining(code));
    optimizer.setCurvature!(lin);
    const short = new Float32Array(3);
    expect(() => optimizer.step([{ name: 'p', param: short, grad: short }], 0.1)).toThrow(
      expect.objectContaining(code),
    );
  });
});
