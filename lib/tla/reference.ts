/** Digital references for the thermodynamic routines: Cholesky for SPD systems, Padé for exponentials. */
import { choleskyInverse, choleskySolve } from '../linalg/cholesky';
import { expm as padeExpm } from '../linalg/expm';
import { MatrixInput, toSquareMatrix, toVector } from '../linalg/input';
import { asymmetry } from '../linalg/matrix';
import { HeatbathError } from '../errors';

/** A⁻¹b by Cholesky (ERR_NOT_POSITIVE_DEFINITE unless A is symmetric positive definite). */
export function digitalSolve(a: MatrixInput, b: ArrayLike<number>): Float64Array {
  const { n, data } = checkedSymmetric(a);
  return choleskySolve(data, n, toVector('b', b, n));
}

/** A⁻¹ by Cholesky, n × n row-major. */
export function digitalInverse(a: MatrixInput): Float64Array {
  const { n, data } = checkedSymmetric(a);
  return choleskyInverse(data, n);
}

/** e^A by Padé approximation with scaling and squaring, n × n row-major. */
export function digitalExpm(a: MatrixInput): Float64Array {
  const { n, data } = toSquareMatrix('A', a);
  return padeExpm(data, n);
}

function checkedSymmetric(a: MatrixInput): { n: number; data: Float64Array } {
  const { n, data } = toSquareMatrix('A', a);
  if (asymmetry(data, n) > 1e-12) throw new HeatbathError('ERR_NOT_POSITIVE_DEFINITE', 'A must be symmetric');
  return { n, data };
}
