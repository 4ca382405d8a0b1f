/** Row-major float32 matrix products on the native engine (one thread: the layers' products are small), named by shape. */
import { gemm } from '../engines/rbm';

/** c (m × n) = a (m × k) · b (k × n) + beta·c. */
export function matmul(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  k: number,
  n: number,
  beta = 0,
): void {
  gemm(false, false, m, n, k, 1, a, b, beta, c, 1);
}

/** c (m × n) = aᵀ · b with a (k × m), b (k × n). */
export function matmulTransA(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  gemm(true, false, m, n, k, 1, a, b, 0, c, 1);
}

/** c (m × n) = a · bᵀ with a (m × k), b (n × k). */
export function matmulTransB(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  gemm(false, true, m, n, k, 1, a, b, 0, c, 1);
}

/** Adds the row vector `bias` (at `offset` in its array) to every row of a (rows × cols). */
export function addRowVector(a: Float32Array, rows: number, cols: number, bias: Float32Array, offset = 0): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) a[r * cols + c] += bias[offset + c];
}

/**
 * Parameter gradients of a linear layer y = x W + b (x rows × inputs) for the upstream gradient g
 * (rows × outputs): W̄ = xᵀ g into out at weightOffset, b̄ = Σ_rows g into out at biasOffset.
 */
export function linearLayerGradient(
  x: Float32Array,
  g: Float32Array,
  rows: number,
  inputs: number,
  outputs: number,
  out: Float32Array,
  weightOffset: number,
  biasOffset: number,
): void {
  matmulTransA(x, g, out.subarray(weightOffset, weightOffset + inputs * outputs), inputs, rows, outputs);
  for (let c = 0; c < outputs; c++) out[biasOffset + c] = 0;
  for (let r = 0; r < rows; r++) for (let c = 0; c < outputs; c++) out[biasOffset + c] += g[r * outputs + c];
}
