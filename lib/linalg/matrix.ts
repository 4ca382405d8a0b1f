/**
 * Dense float64 square matrices stored row-major in a Float64Array with their order n: entry (i, j) is
 * a[i * n + j]. These helpers allocate their result unless an `out` is given; `out` must not alias inputs.
 */

const { abs, max } = Math; // local aliases: global lookups are slow in vm contexts (jest)

export function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/** out = a·b (n × n). */
export function multiply(a: Float64Array, b: Float64Array, n: number, out = new Float64Array(n * n)): Float64Array {
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[row + k];
      if (aik === 0) continue;
      const bRow = k * n;
      for (let j = 0; j < n; j++) out[row + j] += aik * b[bRow + j];
    }
  }
  return out;
}

/** out = a·bᵀ (n × n). */
export function multiplyTransposed(
  a: Float64Array,
  b: Float64Array,
  n: number,
  out = new Float64Array(n * n),
): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += a[i * n + k] * b[j * n + k];
      out[i * n + j] = sum;
    }
  }
  return out;
}

export function transpose(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = a[i * n + j];
  return out;
}

/** y = a·x. */
export function matVec(a: Float64Array, x: ArrayLike<number>, n: number, out = new Float64Array(n)): Float64Array {
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += a[i * n + j] * x[j];
    out[i] = sum;
  }
  return out;
}

/** Maximum absolute column sum (the induced 1-norm). */
export function norm1(a: Float64Array, n: number): number {
  let best = 0;
  for (let j = 0; j < n; j++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += abs(a[i * n + j]);
    best = max(best, sum);
  }
  return best;
}

/** Maximum absolute row sum (the induced ∞-norm). */
export function normInf(a: Float64Array, n: number): number {
  let best = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += abs(a[i * n + j]);
    best = max(best, sum);
  }
  return best;
}

/** Euclidean norm of a vector, or Frobenius norm of a matrix stored flat. */
export function frobenius(a: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += a[k] * a[k];
  return Math.sqrt(sum);
}

export function maxAbs(a: ArrayLike<number>): number {
  let best = 0;
  for (let k = 0; k < a.length; k++) best = max(best, abs(a[k]));
  return best;
}

/** ‖a − b‖ (Euclidean / Frobenius) of two arrays of equal length. */
export function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += (a[k] - b[k]) ** 2;
  return Math.sqrt(sum);
}

/** Largest |a_ij − a_ji| relative to the largest |a_ij| (0 for the zero matrix). */
export function asymmetry(a: Float64Array, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) worst = max(worst, abs(a[i * n + j] - a[j * n + i]));
  const scale = maxAbs(a);
  return scale === 0 ? 0 : worst / scale;
}

/** (a + aᵀ) / 2. */
export function symmetricPart(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = (a[i * n + j] + a[j * n + i]) / 2;
  return out;
}
