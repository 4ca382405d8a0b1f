/** Options shared by the thermodynamic linear-algebra routines, and the shape of their answers. */
import { checkFinite, checkInteger, invalid } from '../util/validate';

export interface TlaOptions {
  /** Total samples over all chains (default 10,000). */
  samples?: number;
  /** Independent device runs; their spread gives the standard errors (default 20, at least 2). */
  chains?: number;
  seed?: number;
  /** Inverse temperature β of the noise √(2/β) dW (default 1). Not used by expm. */
  beta?: number;
  /** Device time between samples (default 2/λ_min(A), two relaxation times). Not used by expm. */
  interval?: number;
  /** Device time from x = 0 before the first sample, rounded up to whole intervals (default 36/λ_min(A): e^{−36} ≈ 2e-16 of the start remains). */
  burnIn?: number;
}

export interface TlaResult {
  /** The answer: a vector (solve) or an n × n row-major matrix (inverse, expm). */
  value: Float64Array;
  /** Standard error of each entry of `value`, from the spread between chains. */
  stderr: Float64Array;
  /** √Σ stderr²: the expected Euclidean (vector) or Frobenius (matrix) distance from the exact answer. */
  errorEstimate: number;
  n: number;
  /** Samples used (samples per chain × chains). */
  samples: number;
  chains: number;
  /** Device time between samples. */
  interval: number;
  /** Device time before the first sample. */
  burnIn: number;
  /** Device time of each chain: burnIn + (samples per chain − 1) × interval. */
  deviceTime: number;
}

export interface RunShape {
  chains: number;
  perChain: number;
  seed: number;
}

export function checkRunShape(options: TlaOptions): RunShape {
  const samples = checkInteger('samples', options.samples ?? 10_000, 2);
  const chains = checkInteger('chains', options.chains ?? 20, 2);
  if (chains > samples) throw invalid(`chains (${chains}) must not exceed samples (${samples})`);
  return { chains, perChain: Math.ceil(samples / chains), seed: checkInteger('seed', options.seed ?? 0, 0) };
}

export function checkPositive(name: string, value: unknown): number {
  const x = checkFinite(name, value);
  if (!(x > 0)) throw invalid(`${name} must be > 0, got ${x}`);
  return x;
}

/** Mean over chains of per-chain estimates (chains × size, row per chain), and its standard errors. */
export function combineChains(
  perChain: Float64Array,
  chains: number,
  size: number,
): { value: Float64Array; stderr: Float64Array; errorEstimate: number } {
  const value = new Float64Array(size);
  const stderr = new Float64Array(size);
  for (let c = 0; c < chains; c++) for (let k = 0; k < size; k++) value[k] += perChain[c * size + k] / chains;
  let total = 0;
  for (let k = 0; k < size; k++) {
    let ss = 0;
    for (let c = 0; c < chains; c++) ss += (perChain[c * size + k] - value[k]) ** 2;
    const variance = ss / (chains - 1) / chains;
    stderr[k] = Math.sqrt(variance);
    total += variance;
  }
  return { value, stderr, errorEstimate: Math.sqrt(total) };
}
