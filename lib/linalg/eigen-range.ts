/** The extreme eigenvalues of a symmetric matrix, from its Jacobi eigenvalues (accurate to rounding). */
import { symmetricEigen } from '../util/symmetric-eigen';

export interface EigenRange {
  min: number;
  max: number;
}

/** Smallest and largest eigenvalue of symmetric a (n × n row-major). */
export function symmetricEigenRange(a: Float64Array, n: number): EigenRange {
  const { values } = symmetricEigen(a, n, false);
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}
