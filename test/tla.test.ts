import { HeatbathError } from '../lib/errors';
import { distance, symmetricEigenRange } from '../lib/linalg';
import * as tla from '../lib/tla';
import { symmetricEigen } from '../lib/util/symmetric-eigen';
import { relativeError, wishart } from './helpers/linalg';
import { inverseSquaredError, solveSquaredError, SquaredError } from './helpers/tla-theory';

// thermox's notebook: d = 50, A = G Gᵀ / 100 with G 50 × 100 standard normal, b standard normal.
const d = 50;
const { a, b } = wishart(d, 1);
const lambdas = symmetricEigen(a, d, false).values;
const lambdaMin = symmetricEigenRange(a, d).min;
const exactX = tla.digitalSolve(a, b);
const exactInverse = tla.digitalInverse(a);
const interval = 2 / lambdaMin; // the default

/** Mean of K squared errors lies within 4.5 standard deviations of its predicted mean. */
function expectWithin(meanSquared: number, predicted: SquaredError, runs: number) {
  expect(Math.abs(meanSquared - predicted.mean)).toBeLessThan(4.5 * Math.sqrt(predicted.variance / runs));
}

describe('50 × 50 Wishart system (thermox notebook: solve 0.143, inverse 1.72 at 10⁴ samples)', () => {
  const seeds = [1, 2, 3];
  const runs = (samples: number) =>
    seeds.map((seed) => ({
      solve: tla.solve(a, b, { samples, seed }),
      inverse: tla.inverse(a, { samples, seed }),
    }));
  const small = runs(1_000);
  const large = runs(10_000);

  test('at 10⁴ samples every run beats thermox, and errors match their prediction from the spectrum', () => {
    for (const { solve, inverse } of large) {
      expect(solve.samples).toBe(10_000);
      expect(distance(solve.value, exactX)).toBeLessThan(0.143);
      expect(distance(inverse.value, exactInverse)).toBeLessThan(1.72);
    }
    const meanSquared = (key: 'solve' | 'inverse', exact: Float64Array, set = large) =>
      set.reduce((sum, r) => sum + distance(r[key].value, exact) ** 2, 0) / set.length;
    expectWithin(meanSquared('solve', exactX), solveSquaredError(lambdas, 1, interval, 10_000), seeds.length);
    expectWithin(meanSquared('inverse', exactInverse), inverseSquaredError(lambdas, interval, 10_000), seeds.length);
  });

  test('errors shrink as 1/√samples: 10³ vs 10⁴', () => {
    for (const [key, exact, theory] of [
      ['solve', exactX, (n: number) => solveSquaredError(lambdas, 1, interval, n)],
      ['inverse', exactInverse, (n: number) => inverseSquaredError(lambdas, interval, n)],
    ] as const) {
      const msSmall = small.reduce((s, r) => s + distance(r[key].value, exact) ** 2, 0) / seeds.length;
      const msLarge = large.reduce((s, r) => s + distance(r[key].value, exact) ** 2, 0) / seeds.length;
      // log of the ratio of two means of weighted χ² sums: sd from their predicted relative variances.
      const rel = (t: SquaredError) => t.variance / seeds.length / t.mean ** 2;
      const sd = Math.sqrt(rel(theory(1_000)) + rel(theory(10_000)));
      expect(Math.abs(Math.log(msSmall / msLarge) - Math.log(10))).toBeLessThan(4.5 * sd);
    }
  });

  test('the returned error estimate tracks the actual error', () => {
    for (const { solve, inverse } of [...small, ...large]) {
      // √Σ stderr² from 20 chains: its relative spread is ~1/√(2·19·dof), well inside a factor 1.6.
      expect(distance(solve.value, exactX) / solve.errorEstimate).toBeGreaterThan(0.3);
      expect(distance(solve.value, exactX) / solve.errorEstimate).toBeLessThan(2);
      expect(distance(inverse.value, exactInverse) / inverse.errorEstimate).toBeGreaterThan(0.6);
      expect(distance(inverse.value, exactInverse) / inverse.errorEstimate).toBeLessThan(1.6);
    }
  });

  test('device times: burn-in 36/λ_min and samples 2/λ_min apart', () => {
    const r = large[0].solve;
    expect(r.burnIn).toBeCloseTo(36 / lambdaMin, 10);
    expect(r.interval).toBeCloseTo(2 / lambdaMin, 10);
    expect(r.deviceTime).toBeCloseTo(r.burnIn + (500 - 1) * r.interval, 6);
  });
});

describe('expm from the lag-1 autocovariance', () => {
  // A non-symmetric 4 × 4 with a spread spectrum.
  const m = [
    [-1, 0.4, 0, 0.2],
    [0.1, -0.5, 0.3, 0],
    [0, -0.2, 0.3, 0.5],
    [0.2, 0, -0.1, -2],
  ];
  const exact = tla.digitalExpm(m);

  test('every entry within 6 standard errors (20 chains: t with 19 degrees of freedom, 16 entries)', () => {
    const r = tla.expm(m, { samples: 20_000, seed: 4 });
    for (let k = 0; k < 16; k++) expect(Math.abs(r.value[k] - exact[k]) / r.stderr[k]).toBeLessThan(6);
    expect(relativeError(r.value, exact)).toBeLessThan(0.1);
  });

  test('error estimate shrinks as 1/√samples (10³ vs 10⁴)', () => {
    const ratio =
      tla.expm(m, { samples: 1_000, seed: 1 }).errorEstimate / tla.expm(m, { samples: 10_000, seed: 1 }).errorEstimate;
    // Each estimate pools 16 entries × 19 degrees of freedom: relative sd ≈ 6 %, so ±4 sd around √10.
    expect(ratio).toBeGreaterThan(Math.sqrt(10) * 0.7);
    expect(ratio).toBeLessThan(Math.sqrt(10) / 0.7);
  });

  test('e^{−A} of the Wishart matrix at 10⁴ samples (thermox notebook: 0.69)', () => {
    const r = tla.expm(
      a.map((v) => -v),
      { samples: 10_000, seed: 2 },
    );
    expect(distance(r.value, tla.digitalExpm(a.map((v) => -v)))).toBeLessThan(1);
  });
});

describe('bad input', () => {
  const code = (c: string) => expect.objectContaining({ code: c });
  test.each([
    [
      'non-square A',
      () =>
        tla.solve(
          [
            [1, 0, 0],
            [0, 1, 0],
          ],
          [1, 1],
        ),
      'ERR_INVALID_ARGUMENT',
    ],
    [
      'b of the wrong length',
      () =>
        tla.solve(
          [
            [2, 0],
            [0, 1],
          ],
          [1, 1, 1],
        ),
      'ERR_INVALID_ARGUMENT',
    ],
    [
      'NaN in b',
      () =>
        tla.solve(
          [
            [2, 0],
            [0, 1],
          ],
          [1, NaN],
        ),
      'ERR_NOT_FINITE',
    ],
    [
      'NaN in A',
      () =>
        tla.inverse([
          [2, NaN],
          [0, 1],
        ]),
      'ERR_NOT_FINITE',
    ],
    [
      'non-symmetric A',
      () =>
        tla.inverse([
          [2, 1],
          [0, 1],
        ]),
      'ERR_NOT_POSITIVE_DEFINITE',
    ],
    [
      'indefinite A',
      () =>
        tla.solve(
          [
            [1, 2],
            [2, 1],
          ],
          [1, 1],
        ),
      'ERR_NOT_POSITIVE_DEFINITE',
    ],
    [
      'singular A',
      () =>
        tla.inverse([
          [1, 1],
          [1, 1],
        ]),
      'ERR_NOT_POSITIVE_DEFINITE',
    ],
    ['one chain', () => tla.solve([[1]], [1], { chains: 1 }), 'ERR_INVALID_ARGUMENT'],
    ['more chains than samples', () => tla.solve([[1]], [1], { samples: 4, chains: 5 }), 'ERR_INVALID_ARGUMENT'],
    ['beta <= 0', () => tla.inverse([[1]], { beta: 0 }), 'ERR_INVALID_ARGUMENT'],
    ['interval NaN', () => tla.inverse([[1]], { interval: NaN }), 'ERR_NOT_FINITE'],
    ['expm shift <= 0', () => tla.expm([[1]], { shift: 0 }), 'ERR_INVALID_ARGUMENT'],
    [
      'digital reference on indefinite A',
      () =>
        tla.digitalSolve(
          [
            [1, 2],
            [2, 1],
          ],
          [1, 1],
        ),
      'ERR_NOT_POSITIVE_DEFINITE',
    ],
  ])('%s', (_, call, c) => {
    expect(call).toThrow(HeatbathError);
    expect(call).toThrow(code(c));
  });
});
