/** Validation of matrices and vectors given to the public API: every failure is a HeatbathError. */
import { HeatbathError } from '../errors';
import { invalid } from '../util/validate';

/**
 * A square matrix as rows (`number[][]` or an array of typed arrays) or flat row-major numbers
 * (`number[]`, Float64Array, …) whose length is a perfect square.
 */
export type MatrixInput = ArrayLike<number> | ArrayLike<ArrayLike<number>>;

export interface SquareMatrix {
  n: number;
  /** Row-major copy of the input. */
  data: Float64Array;
}

/** Copies a square matrix, checking its shape (and, unless `expectedOrder` is absent, its order) and finiteness. */
export function toSquareMatrix(name: string, input: MatrixInput, expectedOrder?: number): SquareMatrix {
  if (input == null || typeof input !== 'object' || typeof input.length !== 'number') {
    throw invalid(`${name} must be a square matrix: an array of rows or a flat row-major array`);
  }
  let n: number;
  let data: Float64Array;
  const first = input.length > 0 ? input[0] : undefined;
  if (typeof first === 'object' && first !== null) {
    const rows = input as ArrayLike<ArrayLike<number>>;
    n = rows.length;
    data = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      const row = rows[i];
      if (row == null || typeof row !== 'object' || row.length !== n) {
        throw invalid(`${name} must be square: it has ${n} rows but row ${i} has ${row?.length ?? 'no'} entries`);
      }
      for (let j = 0; j < n; j++) data[i * n + j] = checkNumber(name, row[j], `[${i}][${j}]`);
    }
  } else {
    const flat = input as ArrayLike<number>;
    n = Math.round(Math.sqrt(flat.length));
    if (n * n !== flat.length) {
      throw invalid(`${name} must be square: a flat array of ${flat.length} entries is not n × n`);
    }
    data = new Float64Array(n * n);
    for (let k = 0; k < n * n; k++) data[k] = checkNumber(name, flat[k], `[${Math.floor(k / n)}][${k % n}]`);
  }
  if (n === 0) throw invalid(`${name} must have at least one row`);
  if (expectedOrder !== undefined && n !== expectedOrder) {
    throw invalid(`${name} must be ${expectedOrder} × ${expectedOrder}, got ${n} × ${n}`);
  }
  return { n, data };
}

/** Copies a vector of the given length, rejecting non-numbers and NaN/Infinity. */
export function toVector(name: string, input: ArrayLike<number>, length: number): Float64Array {
  if (input == null || typeof input !== 'object' || typeof input.length !== 'number') {
    throw invalid(`${name} must be an array of ${length} numbers`);
  }
  if (input.length !== length)
    throw invalid(`${name} must have ${length} entries (the matrix order), got ${input.length}`);
  const out = new Float64Array(length);
  for (let k = 0; k < length; k++) out[k] = checkNumber(name, input[k], `[${k}]`);
  return out;
}

function checkNumber(name: string, value: unknown, where: string): number {
  if (typeof value !== 'number') throw invalid(`${name}${where} must be a number, got ${typeof value}`);
  if (!Number.isFinite(value)) throw new HeatbathError('ERR_NOT_FINITE', `${name}${where} is ${value}`);
  return value;
}
