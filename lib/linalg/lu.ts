/** LU factorisation with partial pivoting, for general square systems. */
import { invalid } from '../util/validate';

const { abs } = Math;

export interface LU {
  n: number;
  /** L (unit lower, below the diagonal) and U (on and above it) packed row-major. */
  lu: Float64Array;
  /** Row i of the factored matrix is row pivots[i] of the original. */
  pivots: Int32Array;
}

/** Factors P·a = L·U. Throws ERR_INVALID_ARGUMENT when a is singular to working precision. */
export function luFactor(a: Float64Array, n: number, name = 'matrix'): LU {
  const lu = Float64Array.from(a);
  const pivots = Int32Array.from({ length: n }, (_, i) => i);
  let scale = 0;
  for (let k = 0; k < n * n; k++) scale = Math.max(scale, abs(a[k]));
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (abs(lu[i * n + k]) > abs(lu[p * n + k])) p = i;
    if (!(abs(lu[p * n + k]) > scale * n * Number.EPSILON)) throw invalid(`${name} is singular to working precision`);
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = lu[k * n + j];
        lu[k * n + j] = lu[p * n + j];
        lu[p * n + j] = t;
      }
      const t = pivots[k];
      pivots[k] = pivots[p];
      pivots[p] = t;
    }
    const pivot = lu[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const factor = (lu[i * n + k] /= pivot);
      if (factor === 0) continue;
      for (let j = k + 1; j < n; j++) lu[i * n + j] -= factor * lu[k * n + j];
    }
  }
  return { n, lu, pivots };
}

/** X = a⁻¹·B for B with `columns` columns (n × columns, row-major). */
export function luSolve({ n, lu, pivots }: LU, b: Float64Array, columns = 1): Float64Array {
  const x = new Float64Array(n * columns);
  for (let i = 0; i < n; i++) for (let c = 0; c < columns; c++) x[i * columns + c] = b[pivots[i] * columns + c];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      const lik = lu[i * n + k];
      if (lik === 0) continue;
      for (let c = 0; c < columns; c++) x[i * columns + c] -= lik * x[k * columns + c];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const uik = lu[i * n + k];
      if (uik === 0) continue;
      for (let c = 0; c < columns; c++) x[i * columns + c] -= uik * x[k * columns + c];
    }
    const uii = lu[i * n + i];
    for (let c = 0; c < columns; c++) x[i * columns + c] /= uii;
  }
  return x;
}

/** x = a⁻¹·b for a general square a. */
export function solve(a: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  return luSolve(luFactor(a, n), Float64Array.from(b));
}
