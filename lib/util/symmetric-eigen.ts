/**
 * Eigendecomposition of a real symmetric matrix by cyclic Jacobi rotations: slow for large n (O(n³) per
 * sweep, ~10 sweeps) but simple and accurate to near machine precision, which suits the ~128-wide
 * covariance matrices of the Fréchet distance.
 */

export interface SymmetricEigen {
  /** Eigenvalues (unsorted). */
  values: Float64Array;
  /** n × n row-major, column k the unit eigenvector of values[k]; absent when not requested. */
  vectors?: Float64Array;
}

const MAX_SWEEPS = 100;

/** `matrix` is n × n row-major and must be symmetric; it is not modified. */
export function symmetricEigen(matrix: Float64Array, n: number, withVectors = true): SymmetricEigen {
  const { abs, sqrt } = Math; // local aliases: global lookups are slow in vm contexts (jest)
  const a = Float64Array.from(matrix);
  const v = withVectors ? new Float64Array(n * n) : undefined;
  if (v) for (let k = 0; k < n; k++) v[k * n + k] = 1;

  let total = 0;
  for (let k = 0; k < n * n; k++) total += a[k] * a[k];
  const tolerance = 1e-26 * total; // off-diagonal norm below 1e-13 of the whole: eigenvalue errors ~1e-26

  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off <= tolerance) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        // The rotation J (J_pp = J_qq = c, J_pq = s, J_qp = −s) with (JᵀAJ)_pq = 0, taking the smaller angle.
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (abs(theta) + sqrt(theta * theta + 1));
        const c = 1 / sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = a[q * n + p] = 0;
        if (v) {
          for (let k = 0; k < n; k++) {
            const vkp = v[k * n + p];
            const vkq = v[k * n + q];
            v[k * n + p] = c * vkp - s * vkq;
            v[k * n + q] = s * vkp + c * vkq;
          }
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let k = 0; k < n; k++) values[k] = a[k * n + k];
  return v ? { values, vectors: v } : { values };
}
