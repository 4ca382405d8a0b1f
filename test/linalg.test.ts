import {
  cholesky,
  choleskyInverse,
  choleskySolve,
  expm,
  identity,
  matVec,
  multiply,
  multiplyTransposed,
  norm1,
  pivotedCholesky,
  solve,
  solveLyapunov,
  symmetricEigenRange,
  toSquareMatrix,
  toVector,
} from '../lib/linalg';
import { SeededRandom } from '../lib/util/random';
import { kroneckerLyapunov, relativeError } from './helpers/linalg';

const { exp, cos, sin } = Math;

function randomMatrix(n: number, seed: number): Float64Array {
  const rng = new SeededRandom(seed);
  return Float64Array.from({ length: n * n }, () => rng.normal());
}

function inverseOf(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const col = solve(
      a,
      n,
      Float64Array.from({ length: n }, (_, i) => (i === j ? 1 : 0)),
    );
    for (let i = 0; i < n; i++) out[i * n + j] = col[i];
  }
  return out;
}

/** max |A Σ + Σ Aᵀ − D| relative to the size of its terms. */
function lyapunovResidual(a: Float64Array, s: Float64Array, d: Float64Array, n: number): number {
  const as = multiply(a, s, n);
  const sa = multiplyTransposed(s, a, n);
  let worst = 0;
  for (let k = 0; k < n * n; k++) worst = Math.max(worst, Math.abs(as[k] + sa[k] - d[k]));
  return worst / (2 * norm1(a, n) * norm1(s, n) + norm1(d, n));
}

describe('expm against closed forms', () => {
  test('diagonalisable V diag(λ) V⁻¹, norms from 1e-3 to 160 (every Padé degree, and squaring)', () => {
    const n = 4;
    const v = Float64Array.from([1, 2, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 3]);
    const vInverse = inverseOf(v, n);
    const similar = (lambdas: number[]) => {
      const m = new Float64Array(n * n);
      lambdas.forEach((l, k) => (m[k * n + k] = l));
      return multiply(multiply(v, m, n), vInverse, n);
    };
    for (const scale of [0.001, 0.05, 0.3, 1, 3, 40]) {
      const lambdas = [-3, 0.5, 1, 1.5].map((l) => l * scale);
      expect(relativeError(expm(similar(lambdas), n), similar(lambdas.map(exp)))).toBeLessThan(1e-12);
    }
  });

  test('Jordan block λI + N: e^λ (I + N + N²/2 + N³/6)', () => {
    const n = 4;
    for (const lambda of [0, -0.7, 2.5]) {
      const j = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        j[i * n + i] = lambda;
        if (i + 1 < n) j[i * n + i + 1] = 1;
      }
      const expected = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let k = i; k < n; k++) expected[i * n + k] = exp(lambda) / [1, 1, 2, 6][k - i];
      }
      expect(relativeError(expm(j, n), expected)).toBeLessThan(1e-14);
    }
  });

  test('nilpotent: strictly upper triangular series terminates', () => {
    const n = 3;
    const a = Float64Array.from([0, 2, 3, 0, 0, 5, 0, 0, 0]);
    // I + A + A²/2 with A² = [[0, 0, 10], 0, 0]
    expect(relativeError(expm(a, n), [1, 2, 3 + 5, 0, 1, 5, 0, 0, 1])).toBeLessThan(1e-15);
  });

  test('rotation generator θ[[0, 1], [−1, 0]]: [[cos θ, sin θ], [−sin θ, cos θ]]', () => {
    for (const theta of [1e-4, 1, 30, 1000]) {
      const expected = [cos(theta), sin(theta), -sin(theta), cos(theta)];
      // Squaring loses ~θ·ε in angle: 1000 rotations lose ~1e-13.
      expect(relativeError(expm(Float64Array.from([0, theta, -theta, 0]), 2), expected)).toBeLessThan(
        1e-15 * Math.max(theta, 10),
      );
    }
  });

  test('zero matrix and a 1 × 1 matrix', () => {
    expect(Array.from(expm(new Float64Array(9), 3))).toEqual(Array.from(identity(3)));
    expect(expm(Float64Array.of(-2.5), 1)[0]).toBeCloseTo(exp(-2.5), 15);
  });
});

describe('Lyapunov A Σ + Σ Aᵀ = D', () => {
  // The Kronecker reference is itself only accurate to ~κ(A)·ε, hence the looser match for the stiff case.
  const cases: Array<[string, Float64Array, number, number]> = [
    ['symmetric', Float64Array.from([2, 0.5, 0.1, 0.5, 1, 0.2, 0.1, 0.2, 0.5]), 3, 1e-13],
    ['non-symmetric', Float64Array.from([1, 0.8, 0, -0.6, 1.2, 0.3, 0.2, 0, 0.7]), 3, 1e-13],
    ['strongly non-normal [[1, 100], [0, 2]]', Float64Array.from([1, 100, 0, 2]), 2, 1e-13],
    ['stiff (eigenvalues 1e-3 to 1e3)', Float64Array.from([1e3, 5, 0, 0, 1, 0.5, 0, 0, 1e-3]), 3, 1e-9],
  ];
  test.each(cases)('%s: residual at rounding level and equal to the Kronecker solution', (_, a, n, match) => {
    const d = identity(n);
    d[1] = d[n] = 0.3; // a general symmetric positive definite D
    const s = solveLyapunov(a, d, n);
    expect(lyapunovResidual(a, s, d, n)).toBeLessThan(1e-14);
    expect(relativeError(s, kroneckerLyapunov(a, d, n))).toBeLessThan(match);
  });

  test('random 30 × 30 non-normal stable A: tiny residual', () => {
    const n = 30;
    const a = randomMatrix(n, 4);
    for (let i = 0; i < n; i++) a[i * n + i] += 2 * Math.sqrt(n); // eigenvalues in Re > 0 (circular law radius √n)
    const s = solveLyapunov(a, identity(n), n);
    expect(lyapunovResidual(a, s, identity(n), n)).toBeLessThan(1e-14);
  });

  test.each([
    ['an eigenvalue < 0 (trace > 0)', [1, 0, 0, -0.5]],
    ['an eigenvalue 0', [1, 0, 0, 0]],
    ['a rotation (eigenvalues ±i)', [0, 1, -1, 0]],
    ['negative trace', [-1, 0, 0, -1]],
  ])('unstable drift with %s -> ERR_NOT_STABLE', (_, a) => {
    expect(() => solveLyapunov(Float64Array.from(a), identity(2), 2)).toThrow(
      expect.objectContaining({ code: 'ERR_NOT_STABLE' }),
    );
  });
});

describe('Cholesky, LU and eigenvalue bounds', () => {
  const spd = Float64Array.from([4, 2, 0.4, 2, 3, 0.5, 0.4, 0.5, 2]);

  test('Cholesky reproduces A, solves and inverts', () => {
    const l = cholesky(spd, 3);
    expect(relativeError(multiplyTransposed(l, l, 3), spd)).toBeLessThan(1e-15);
    const b = [1, -2, 3];
    const x = choleskySolve(spd, 3, b);
    expect(relativeError(matVec(spd, x, 3), b)).toBeLessThan(1e-15);
    expect(relativeError(multiply(spd, choleskyInverse(spd, 3), 3), identity(3))).toBeLessThan(1e-15);
  });

  test('Cholesky of an indefinite matrix -> ERR_NOT_POSITIVE_DEFINITE naming the pivot', () => {
    expect(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(
      expect.objectContaining({ code: 'ERR_NOT_POSITIVE_DEFINITE', message: expect.stringContaining('pivot 1') }),
    );
  });

  test('pivoted Cholesky: a rank-2 PSD matrix has rank 2 and is reproduced; an indefinite one leaves a residual', () => {
    const g = Float64Array.from([1, 2, 0, 1, -1, 3, 0, 0, 0]); // rank 2 (third row zero)
    const psd = multiplyTransposed(g, g, 3);
    const { factor, perm, rank, residual } = pivotedCholesky(psd, 3, 1e-14);
    expect(rank).toBe(2);
    expect(residual).toBeLessThan(1e-14);
    const rebuilt = multiplyTransposed(factor, factor, 3);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) expect(rebuilt[i * 3 + j]).toBeCloseTo(psd[perm[i] * 3 + perm[j]], 13);
    expect(pivotedCholesky(Float64Array.from([0, 1, 1, 0]), 2, 1e-12).residual).toBeGreaterThan(1e-12);
  });

  test('LU solves a non-symmetric system; a singular one -> ERR_INVALID_ARGUMENT', () => {
    const a = Float64Array.from([0, 2, 1, 1, 1, 0, 3, 0, 1]);
    const x = solve(a, 3, [3, 2, 4]);
    expect(relativeError(x, [1, 1, 1])).toBeLessThan(1e-15);
    expect(() => solve(Float64Array.from([1, 2, 2, 4]), 2, [1, 1])).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  test('symmetric eigenvalue range', () => {
    const { min, max } = symmetricEigenRange(Float64Array.from([2, 1, 1, 2]), 2);
    expect(min).toBeCloseTo(1, 14);
    expect(max).toBeCloseTo(3, 14);
  });
});

describe('matrix input', () => {
  test('rows and flat arrays give the same row-major copy', () => {
    expect(
      toSquareMatrix('A', [
        [1, 2],
        [3, 4],
      ]),
    ).toEqual({ n: 2, data: Float64Array.from([1, 2, 3, 4]) });
    expect(toSquareMatrix('A', [1, 2, 3, 4])).toEqual({ n: 2, data: Float64Array.from([1, 2, 3, 4]) });
  });

  test.each([
    ['ragged rows', 'ERR_INVALID_ARGUMENT', [[1, 2], [3]]],
    [
      '2 × 3 rows',
      'ERR_INVALID_ARGUMENT',
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
    ],
    ['flat length 6', 'ERR_INVALID_ARGUMENT', [1, 2, 3, 4, 5, 6]],
    ['empty', 'ERR_INVALID_ARGUMENT', []],
    [
      'NaN',
      'ERR_NOT_FINITE',
      [
        [1, NaN],
        [0, 1],
      ],
    ],
    ['a string entry', 'ERR_INVALID_ARGUMENT', [1, '2', 3, 4]],
    ['not an array', 'ERR_INVALID_ARGUMENT', 7],
  ])('%s -> %s', (_, code, input) => {
    expect(() => toSquareMatrix('A', input as never)).toThrow(expect.objectContaining({ code }));
  });

  test('vectors: wrong length and Infinity', () => {
    expect(() => toVector('b', [1, 2], 3)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => toVector('b', [1, Infinity, 2], 3)).toThrow(expect.objectContaining({ code: 'ERR_NOT_FINITE' }));
  });
});
