import { expm, identity, multiply, multiplyTransposed } from '../lib/linalg';
import { shortStep } from '../lib/linalg/van-loan';
import { OUProcess } from '../lib/models/ou';
import { symmetricEigen } from '../lib/util/symmetric-eigen';
import { kroneckerLyapunov, relativeError } from './helpers/linalg';

const cases: Array<[string, number[]]> = [
  ['symmetric', [2, 0.5, 0.5, 1]],
  ['non-symmetric', [1, 0.3, -0.1, 1.5]],
  ['strongly non-normal [[1, 100], [0, 2]]', [1, 100, 0, 2]],
];
const D = [1, 0.2, 0.2, 0.5];

/** Σ(h) = Σ∞ − F Σ∞ Fᵀ with Σ∞ from the Kronecker system: an independent route to the exact covariance. */
function lyapunovForm(a: Float64Array, d: Float64Array, n: number, h: number): Float64Array {
  const sInf = kroneckerLyapunov(a, d, n);
  const f = expm(
    a.map((v) => -v * h),
    n,
  );
  const fsf = multiplyTransposed(multiply(f, sInf, n), f, n);
  return sInf.map((v, k) => v - fsf[k]);
}

/**
 * thermox's transition covariance with D = I: (2S)⁻¹(I − e^{−2Sh}) for S = (A + Aᵀ)/2, which equals the
 * exact Σ(h) only when A is normal.
 */
function whitenedNormalCovariance(a: Float64Array, n: number, h: number): Float64Array {
  const { values, vectors } = symmetricEigen(
    a.map((_, k) => (a[k] + a[(k % n) * n + Math.floor(k / n)]) / 2),
    n,
  );
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++)
        sum += vectors![i * n + k] * vectors![j * n + k] * ((1 - Math.exp(-2 * values[k] * h)) / (2 * values[k]));
      out[i * n + j] = sum;
    }
  }
  return out;
}

describe.each(cases)('%s drift', (_, drift) => {
  const a = Float64Array.from(drift);
  const process = new OUProcess({ drift: [drift.slice(0, 2), drift.slice(2)], diffusion: D, mean: [1, -2] });

  test('stationary covariance solves the Lyapunov equation and matches the Kronecker solution', () => {
    expect(relativeError(process.stationaryCovariance(), kroneckerLyapunov(a, Float64Array.from(D), 2))).toBeLessThan(
      1e-12,
    );
    expect(Array.from(process.stationaryMean())).toEqual([1, -2]);
  });

  test.each([0.01, 0.3, 5])(
    'transition at h = %f: F = e^{−Ah}, Σ(h) equals one Van Loan block and Σ∞ − F Σ∞ Fᵀ',
    (h) => {
      const { transition, covariance } = process.transition(h);
      expect(
        relativeError(
          transition,
          expm(
            a.map((v) => -v * h),
            2,
          ),
        ),
      ).toBeLessThan(1e-13);
      expect(relativeError(covariance, lyapunovForm(a, Float64Array.from(D), 2, h))).toBeLessThan(1e-9);
      if (h <= 0.3)
        expect(
          relativeError(covariance, shortStep(a, Float64Array.from(D), new Float64Array(2), 2, h).covariance),
        ).toBeLessThan(1e-12);
    },
  );

  test('one-step transitions from a fixed state: empirical mean and covariance match b + F(x₀ − b) and Σ(h)', () => {
    const h = 0.3;
    const chains = 40_000;
    const x0 = [3, 0.5];
    const run = process.sample({ chains, steps: 1, dt: h, seed: 11, initial: x0 });
    const { transition: f, covariance: sigma } = process.transition(h);
    const mean = [1 + f[0] * (x0[0] - 1) + f[1] * (x0[1] + 2), -2 + f[2] * (x0[0] - 1) + f[3] * (x0[1] + 2)];
    const sums = [0, 0];
    const second = [0, 0, 0, 0];
    for (let c = 0; c < chains; c++) {
      const o = (chains + c) * 2;
      const d0 = run.states[o] - mean[0];
      const d1 = run.states[o + 1] - mean[1];
      sums[0] += d0;
      sums[1] += d1;
      second[0] += d0 * d0;
      second[1] += d0 * d1;
      second[3] += d1 * d1;
    }
    second[2] = second[1];
    // With the exact mean known: Var(mean_i) = Σ_ii / N, Var(ĉ_ij) = (Σ_ii Σ_jj + Σ_ij²) / N for Gaussians.
    for (let i = 0; i < 2; i++) expect(Math.abs(sums[i] / chains) / Math.sqrt(sigma[i * 3] / chains)).toBeLessThan(5);
    const z = (s: Float64Array | number[], k: number) =>
      Math.abs(second[k] / chains - s[k]) /
      Math.sqrt((sigma[(k >> 1) * 3] * sigma[(k & 1) * 3] + sigma[k] ** 2) / chains);
    for (const k of [0, 1, 3]) expect(z(sigma, k)).toBeLessThan(5);
  });

  test('stationary start stays stationary: mean and covariance after 20 steps', () => {
    const chains = 20_000;
    const run = process.sample({ chains, steps: 20, dt: 0.5, seed: 5 });
    const sigma = process.stationaryCovariance();
    const last = run.states.subarray(20 * chains * 2);
    const m = [0, 0];
    const c = [0, 0, 0, 0];
    for (let k = 0; k < chains; k++) {
      const d0 = last[2 * k] - 1;
      const d1 = last[2 * k + 1] + 2;
      m[0] += d0;
      m[1] += d1;
      c[0] += d0 * d0;
      c[1] += d0 * d1;
      c[3] += d1 * d1;
    }
    for (let i = 0; i < 2; i++) expect(Math.abs(m[i] / chains) / Math.sqrt(sigma[i * 3] / chains)).toBeLessThan(5);
    for (const k of [0, 1, 3]) {
      const se = Math.sqrt((sigma[(k >> 1) * 3] * sigma[(k & 1) * 3] + sigma[k] ** 2) / chains);
      expect(Math.abs(c[k] / chains - sigma[k]) / se).toBeLessThan(5);
    }
  });
});

describe("thermox's whitened-normal covariance (exact only for normal A), with D = I", () => {
  test.each([
    [
      'mildly non-symmetric [[1, 0.3], [−0.1, 1.5]], h = 0.5: off by 0.1–10 % (0.63 %)',
      [1, 0.3, -0.1, 1.5],
      0.5,
      1e-3,
      0.1,
    ],
    ['non-normal [[1, 100], [0, 2]], h = 0.05: off by > 50 % (×2.2)', [1, 100, 0, 2], 0.05, 0.5, Infinity],
    ['non-normal [[1, 100], [0, 2]], h = 1: off by > ×10^6 (×3e37)', [1, 100, 0, 2], 1, 1e6, Infinity],
  ])('%s', (_, drift, h, atLeast, atMost) => {
    const a = Float64Array.from(drift as number[]);
    const exact = new OUProcess({ drift: a, diffusion: 1 }).transition(h as number).covariance;
    expect(relativeError(exact, lyapunovForm(a, identity(2), 2, h as number))).toBeLessThan(1e-9);
    const error = relativeError(whitenedNormalCovariance(a, 2, h as number), exact);
    expect(error).toBeGreaterThan(atLeast as number);
    expect(error).toBeLessThan(atMost as number);
  });

  test('on [[1, 100], [0, 2]] sampled transitions reject the formula and accept the exact Σ(h)', () => {
    const a = Float64Array.from([1, 100, 0, 2]);
    const h = 0.05;
    const chains = 20_000;
    const process = new OUProcess({ drift: a, diffusion: 1 });
    const run = process.sample({ chains, steps: 1, dt: h, seed: 3, initial: [0, 0] });
    let c00 = 0;
    for (let k = 0; k < chains; k++) c00 += run.states[(chains + k) * 2] ** 2;
    const exact = process.transition(h).covariance;
    const stderr = Math.sqrt((2 * exact[0] ** 2) / chains); // of a Gaussian second moment about a known mean
    expect(Math.abs(c00 / chains - exact[0]) / stderr).toBeLessThan(5);
    expect(Math.abs(c00 / chains - whitenedNormalCovariance(a, 2, h)[0]) / stderr).toBeGreaterThan(20);
  });
});

describe('bad input', () => {
  test.each([
    [
      'unstable drift',
      {
        drift: [
          [1, 0],
          [0, -0.5],
        ],
      },
      'ERR_NOT_STABLE',
    ],
    [
      'marginal drift (a rotation)',
      {
        drift: [
          [0, 1],
          [-1, 0],
        ],
      },
      'ERR_NOT_STABLE',
    ],
    [
      'non-square drift',
      {
        drift: [
          [1, 0, 0],
          [0, 1, 0],
        ],
      },
      'ERR_INVALID_ARGUMENT',
    ],
    [
      'NaN in drift',
      {
        drift: [
          [1, NaN],
          [0, 1],
        ],
      },
      'ERR_NOT_FINITE',
    ],
    [
      'mean of the wrong length',
      {
        drift: [
          [1, 0],
          [0, 1],
        ],
        mean: [1, 2, 3],
      },
      'ERR_INVALID_ARGUMENT',
    ],
    [
      'diffusion of the wrong size',
      {
        drift: [
          [1, 0],
          [0, 1],
        ],
        diffusion: [[1]],
      },
      'ERR_INVALID_ARGUMENT',
    ],
    [
      'indefinite diffusion',
      {
        drift: [
          [1, 0],
          [0, 1],
        ],
        diffusion: [
          [1, 2],
          [2, 1],
        ],
      },
      'ERR_NOT_POSITIVE_DEFINITE',
    ],
    [
      'non-symmetric diffusion',
      {
        drift: [
          [1, 0],
          [0, 1],
        ],
        diffusion: [
          [1, 0.5],
          [0, 1],
        ],
      },
      'ERR_NOT_POSITIVE_DEFINITE',
    ],
    [
      'negative scalar diffusion',
      {
        drift: [
          [1, 0],
          [0, 1],
        ],
        diffusion: -1,
      },
      'ERR_NOT_POSITIVE_DEFINITE',
    ],
  ])('%s', (_, options, code) => {
    expect(() => new OUProcess(options as never)).toThrow(expect.objectContaining({ code }));
  });

  test('step sizes and sample options', () => {
    const process = new OUProcess({
      drift: [
        [1, 0],
        [0, 1],
      ],
    });
    expect(() => process.transition(0)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => process.transition(NaN)).toThrow(expect.objectContaining({ code: 'ERR_NOT_FINITE' }));
    expect(() => process.sample({ steps: 2, dt: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => process.sample({ steps: 2, dt: 1, initial: [1] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => process.sample({ steps: 2, dt: 1, chains: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  test('a singular diffusion (noise on one coordinate only) is allowed and gives a rank-deficient but exact Σ(h)', () => {
    const process = new OUProcess({
      drift: [
        [0, -1],
        [1, 0.5],
      ],
      diffusion: [
        [0, 0],
        [0, 1],
      ],
    });
    const { covariance } = process.transition(0.2);
    expect(relativeError(covariance, lyapunovForm(process.drift, process.diffusion, 2, 0.2))).toBeLessThan(1e-9);
    const run = process.sample({ chains: 3, steps: 4, dt: 0.2, seed: 1 });
    expect(run.states.every(Number.isFinite)).toBe(true);
  });
});
