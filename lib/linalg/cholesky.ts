/** Cholesky factorisations and triangular solves for symmetric positive (semi)definite matrices. */
import { HeatbathError } from '../errors';

const { sqrt, abs, max } = Math;

/**
 * The lower-triangular L with a = L·Lᵀ (row-major, upper part zero). Only the lower triangle of `a` is
 * read. Throws ERR_NOT_POSITIVE_DEFINITE, naming the failing pivot, when a is not positive definite.
 */
export function cholesky(a: Float64Array, n: number, name = 'matrix'): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let diag = a[j * n + j];
    for (let k = 0; k < j; k++) diag -= l[j * n + k] * l[j * n + k];
    if (!(diag > 0)) {
      throw new HeatbathError(
        'ERR_NOT_POSITIVE_DEFINITE',
        `${name} is not positive definite: Cholesky pivot ${j} is ${diag} (it must be symmetric with all eigenvalues > 0)`,
      );
    }
    const ljj = sqrt(diag);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = sum / ljj;
    }
  }
  return l;
}

/** Solves L·y = b in place (L lower triangular). */
export function solveLower(l: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i * n + k] * b[k];
    b[i] = sum / l[i * n + i];
  }
  return b;
}

/** Solves Lᵀ·x = y in place (L lower triangular, so Lᵀ is upper). */
export function solveLowerTransposed(l: Float64Array, n: number, y: Float64Array): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i] * y[k];
    y[i] = sum / l[i * n + i];
  }
  return y;
}

/** x = a⁻¹·b for symmetric positive definite a. */
export function choleskySolve(a: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const l = cholesky(a, n);
  return solveLowerTransposed(l, n, solveLower(l, n, Float64Array.from(b)));
}

/** a⁻¹ for symmetric positive definite a (symmetric to rounding). */
export function choleskyInverse(a: Float64Array, n: number): Float64Array {
  const l = cholesky(a, n);
  const inverse = new Float64Array(n * n);
  const column = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    column.fill(0);
    column[j] = 1;
    solveLowerTransposed(l, n, solveLower(l, n, column));
    for (let i = 0; i < n; i++) inverse[i * n + j] = column[i];
  }
  return inverse;
}

export interface PivotedCholesky {
  /** Rows in pivot order: a[perm[i]][perm[j]] ≈ Σ_k factor[i][k]·factor[j][k], factor lower triangular, zero beyond column rank. */
  factor: Float64Array;
  perm: Int32Array;
  rank: number;
  /** Largest |entry| of the part left unfactored, relative to the largest diagonal entry of a. */
  residual: number;
}

/**
 * Cholesky with complete (diagonal) pivoting for positive semidefinite matrices: stops when every remaining
 * diagonal entry is <= tolerance × the largest diagonal entry of a. A `residual` above the tolerance means a
 * is not positive semidefinite (a PSD remainder has |s_ij| <= max s_ii).
 */
export function pivotedCholesky(a: Float64Array, n: number, tolerance: number): PivotedCholesky {
  const s = Float64Array.from(a);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  let scale = 0;
  for (let i = 0; i < n; i++) scale = max(scale, a[i * n + i]);
  const factor = new Float64Array(n * n);
  const threshold = tolerance * scale;
  let rank = 0;
  for (; rank < n; rank++) {
    let pivot = rank;
    for (let i = rank + 1; i < n; i++) if (s[i * n + i] > s[pivot * n + pivot]) pivot = i;
    if (!(s[pivot * n + pivot] > threshold)) break;
    swapSymmetric(s, n, rank, pivot);
    swapRows(factor, n, rank, pivot);
    const t = perm[rank];
    perm[rank] = perm[pivot];
    perm[pivot] = t;
    const d = sqrt(s[rank * n + rank]);
    factor[rank * n + rank] = d;
    for (let i = rank + 1; i < n; i++) factor[i * n + rank] = s[i * n + rank] / d;
    for (let i = rank + 1; i < n; i++) {
      const li = factor[i * n + rank];
      for (let j = rank + 1; j <= i; j++) {
        const v = s[i * n + j] - li * factor[j * n + rank];
        s[i * n + j] = v;
        s[j * n + i] = v;
      }
    }
  }
  let remainder = 0;
  for (let i = rank; i < n; i++) for (let j = rank; j < n; j++) remainder = max(remainder, abs(s[i * n + j]));
  return { factor, perm, rank, residual: scale > 0 ? remainder / scale : remainder };
}

function swapSymmetric(s: Float64Array, n: number, p: number, q: number): void {
  if (p === q) return;
  swapRows(s, n, p, q);
  for (let i = 0; i < n; i++) {
    const t = s[i * n + p];
    s[i * n + p] = s[i * n + q];
    s[i * n + q] = t;
  }
}

function swapRows(m: Float64Array, n: number, p: number, q: number): void {
  if (p === q) return;
  for (let j = 0; j < n; j++) {
    const t = m[p * n + j];
    m[p * n + j] = m[q * n + j];
    m[q * n + j] = t;
  }
}
