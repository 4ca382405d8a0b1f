/**
 * How well a reverse step's chains mix, and the adaptive correlation penalty (ACP) that keeps them mixing
 * (SCIENCE.md §3).
 *
 * Measurement: two replica chains per row, both conditioned on the same x^k, run `warmup` sweeps, then
 * record `samples` states `thin` sweeps apart. The output spins are projected on fixed random directions.
 * Across rows, the covariance of a chain's projection at two times mixes the chain's own memory with the
 * spread of the conditional means between rows; the two replicas share only the latter, so
 *   ρ(lag) = (Cov(y_a(s), y_a(s+lag)) − Cov(ȳ_a, ȳ_b)) / (Var(y_a(s)) − Cov(ȳ_a, ȳ_b))
 * (ȳ: time averages, a ≠ b replicas) is the chains' normalised autocorrelation, unbiased by the data.
 */
import type { DenoisingModel } from '../models/dtm';
import { GibbsChains, GibbsTarget, RunResult } from '../engines/gibbs';
import { SeededRandom } from '../util/random';
import { checkFinite, checkInteger, invalid } from '../util/validate';
import { deriveSeed } from '../util/seed';

export interface MixingOptions {
  warmup: number;
  samples: number;
  thin: number;
  /** Random projection directions (default 16). */
  directions?: number;
  seed: number | bigint;
  threads?: number;
  signal?: AbortSignal;
}

export interface Mixing {
  /** Lags in sweeps (thin, 2·thin, …) and the autocorrelation at each. */
  lags: number[];
  autocorrelation: number[];
  /** Mean autocorrelation over the longer half of the lags (the estimate's noise averages down): the ACP's signal. */
  longLag: number;
  /** Integrated autocorrelation time in sweeps, 1 + 2Σρ over the initial positive lags (in units of thin). */
  integratedTime: number;
  /** First lag (sweeps) where ρ < 1/e, or null when it stays above within the measured lags. */
  mixingSweeps: number | null;
}

/**
 * Autocorrelation of the model's step-k chains given inputs x^k (rows × outputs spins). `target`: the
 * model the chains sample (default the float step k; the chip's when training with a precision).
 */
export async function measureMixing(
  model: DenoisingModel,
  step: number,
  inputs: Int8Array,
  options: MixingOptions,
  target: GibbsTarget = model.step(step),
): Promise<Mixing> {
  const { layout } = model;
  const width = layout.numOutputs;
  const rows = inputs.length / width;
  if (!Number.isInteger(rows) || rows < 2) throw invalid('mixing needs at least 2 rows of inputs');
  const samples = checkInteger('samples', options.samples, 2);
  const thin = checkInteger('thin', options.thin, 1);
  const directions = checkInteger('directions', options.directions ?? 16, 1);
  const values = new Int8Array(2 * rows * width);
  for (let r = 0; r < rows; r++) {
    values.set(inputs.subarray(r * width, (r + 1) * width), 2 * r * width);
    values.set(inputs.subarray(r * width, (r + 1) * width), (2 * r + 1) * width);
  }
  const chainOptions = {
    chains: 2 * rows,
    seed: deriveSeed(options.seed, 'mixing-chains'),
    init: 'hinton' as const,
    clamp: { nodes: layout.inputs, values },
  };
  const chains = target.chains ? target.chains(chainOptions) : new GibbsChains(target, chainOptions);
  let run: RunResult;
  try {
    run = await chains.run({
      warmup: options.warmup,
      samples,
      thin,
      observe: ['states'],
      threads: options.threads,
      signal: options.signal,
    });
  } finally {
    chains.dispose(); // one-shot chains: freed now, not at garbage collection
  }
  const y = project(
    run.states as Int8Array,
    samples,
    2 * rows,
    layout.numNodes,
    layout.outputs,
    directions,
    options.seed,
  );
  return autocorrelation(y, samples, rows, directions, thin);
}

/** y[((s · chains) + c) · directions + d]: the outputs of chain c at sample s on Gaussian direction d. */
function project(
  states: Int8Array,
  samples: number,
  chains: number,
  numNodes: number,
  outputs: Int32Array,
  directions: number,
  seed: number | bigint,
): Float64Array {
  const random = new SeededRandom(deriveSeed(seed, 'mixing-projection'));
  const g = Float64Array.from({ length: directions * outputs.length }, () => random.normal());
  const y = new Float64Array(samples * chains * directions);
  const spins = new Float64Array(outputs.length);
  for (let s = 0; s < samples; s++) {
    for (let c = 0; c < chains; c++) {
      const row = (s * chains + c) * numNodes;
      for (let o = 0; o < outputs.length; o++) spins[o] = states[row + outputs[o]];
      for (let d = 0; d < directions; d++) {
        let sum = 0;
        for (let o = 0; o < outputs.length; o++) sum += g[d * outputs.length + o] * spins[o];
        y[(s * chains + c) * directions + d] = sum;
      }
    }
  }
  return y;
}

/**
 * The replica estimator above from projections y of `rows` pairs of replica chains (chain 2r and 2r + 1
 * share row r). Exported for tests.
 */
export function autocorrelation(
  y: Float64Array,
  samples: number,
  rows: number,
  directions: number,
  thin: number,
): Mixing {
  const at = (s: number, r: number, replica: number, d: number) => y[(s * 2 * rows + 2 * r + replica) * directions + d];
  // Centre every (sample, replica, direction) across rows.
  const centred = new Float64Array(y.length);
  for (let s = 0; s < samples; s++) {
    for (let a = 0; a < 2; a++) {
      for (let d = 0; d < directions; d++) {
        let mean = 0;
        for (let r = 0; r < rows; r++) mean += at(s, r, a, d);
        mean /= rows;
        for (let r = 0; r < rows; r++) centred[(s * 2 * rows + 2 * r + a) * directions + d] = at(s, r, a, d) - mean;
      }
    }
  }
  const c = (s: number, r: number, a: number, d: number) => centred[(s * 2 * rows + 2 * r + a) * directions + d];
  const covariance = (lag: number) => {
    let sum = 0;
    for (let s = 0; s + lag < samples; s++)
      for (let r = 0; r < rows; r++)
        for (let a = 0; a < 2; a++) for (let d = 0; d < directions; d++) sum += c(s, r, a, d) * c(s + lag, r, a, d);
    return sum / ((samples - lag) * rows * 2 * directions);
  };
  // Spread of the conditional means: covariance of the two replicas' time averages.
  let shared = 0;
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < directions; d++) {
      let a = 0;
      let b = 0;
      for (let s = 0; s < samples; s++) {
        a += c(s, r, 0, d);
        b += c(s, r, 1, d);
      }
      shared += (a / samples) * (b / samples);
    }
  }
  shared /= rows * directions;
  const variance = covariance(0) - shared;
  const lags: number[] = [];
  const rho: number[] = [];
  for (let k = 1; k < samples; k++) {
    lags.push(k * thin);
    rho.push(variance > 0 ? (covariance(k) - shared) / variance : 0);
  }
  let integrated = 1;
  for (const r of rho) {
    if (r <= 0) break;
    integrated += 2 * r;
  }
  const below = rho.findIndex((r) => r < Math.exp(-1));
  return {
    lags,
    autocorrelation: rho,
    longLag: mean(rho.slice(Math.floor(rho.length / 2))),
    integratedTime: integrated * thin,
    mixingSweeps: below < 0 ? null : lags[below],
  };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * The adaptive correlation penalty's controller, once per epoch and step with the measured
 * autocorrelation ac: below the threshold it relaxes λ ← λ·(0.6 + 0.2·ac/thr); above it and worse than
 * last time it raises λ (×1.2 below 1.8·thr, ×1.5 beyond); otherwise λ ← 0.95·λ. λ never drops below
 * the floor.
 */
export class AdaptivePenalty {
  lambda: number;
  readonly threshold: number;
  readonly floor: number;
  private previous = Infinity;

  constructor(options: { initial?: number; threshold?: number; floor?: number } = {}) {
    this.threshold = checkFinite('threshold', options.threshold ?? 0.03);
    this.floor = checkFinite('floor', options.floor ?? 0.001);
    this.lambda = Math.max(this.floor, checkFinite('initial', options.initial ?? 0.01));
    if (!(this.threshold > 0) || this.floor < 0) throw invalid('threshold must be > 0 and floor >= 0');
  }

  update(ac: number): number {
    checkFinite('autocorrelation', ac);
    const thr = this.threshold;
    if (ac < thr) this.lambda *= 0.6 + (0.2 * Math.max(ac, 0)) / thr;
    else if (ac > this.previous) this.lambda *= ac < 1.8 * thr ? 1.2 : 1.5;
    else this.lambda *= 0.95;
    this.lambda = Math.max(this.lambda, this.floor);
    this.previous = ac;
    return this.lambda;
  }
}
