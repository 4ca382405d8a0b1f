/**
 * How well an RBM fits: reconstruction error, pseudo-log-likelihood, and annealed importance sampling
 * (AIS, Salakhutdinov & Murray 2008) estimates of log Z and of the log-likelihood of data.
 */
import { RBM, softplus } from '../models/rbm';
import { SeededRandom } from '../util/random';
import { checkInteger, invalid } from '../util/validate';

/** @inline */
export interface MonitorOptions {
  threads?: number;
  seed?: number;
}

/** Mean squared difference per value between rows and their one-step reconstructions P(v | h ~ P(h|v)). */
export function reconstructionError(
  rbm: RBM,
  visible: Float32Array,
  rows: number,
  options: MonitorOptions = {},
): number {
  const hidden = new Float32Array(rows * rbm.numHidden);
  rbm.hiddenGivenVisible(visible, rows, {
    samples: hidden,
    seed: options.seed ?? 0,
    stream: 0,
    threads: options.threads,
  });
  const recon = rbm.visibleGivenHidden(hidden, rows, { threads: options.threads });
  let sum = 0;
  for (let k = 0; k < visible.length; k++) sum += (visible[k] - recon[k]) ** 2;
  return sum / visible.length;
}

/**
 * Mean pseudo-log-likelihood per row, Σ_i log P(v_i | v_{−i}) with every unit i (exact, not the
 * one-random-bit estimate): P(v_i | v_{−i}) = σ(F(v with i flipped) − F(v)). Rows must be binary.
 * Costs V·H softplus evaluations per row.
 */
export function pseudoLogLikelihood(
  rbm: RBM,
  visible: Float32Array,
  rows: number,
  options: MonitorOptions = {},
): number {
  const { numVisible: V, numHidden: H, weights, visibleBias } = rbm;
  for (let k = 0; k < visible.length; k++) {
    if (visible[k] !== 0 && visible[k] !== 1)
      throw invalid(`pseudo-likelihood needs binary rows; value ${k} is ${visible[k]}`);
  }
  const inputs = rbm.hiddenInputs(visible, rows, options.threads);
  const base = new Float64Array(H);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const a = inputs.subarray(r * H, (r + 1) * H);
    for (let j = 0; j < H; j++) base[j] = softplus(a[j]);
    for (let i = 0; i < V; i++) {
      const flip = 1 - 2 * visible[r * V + i]; // +1 turns the unit on, −1 off
      // F(ṽ) − F(v) = −b_i·flip − Σ_j [softplus(a_j + flip·W_ij) − softplus(a_j)]
      let delta = -visibleBias[i] * flip;
      const row = i * H;
      for (let j = 0; j < H; j++) delta -= softplus(a[j] + flip * weights[row + j]) - base[j];
      total += -softplus(-delta); // log σ(delta)
    }
  }
  return total / rows;
}

export interface AisOptions extends MonitorOptions {
  /** Independent annealing runs (default 100). */
  runs?: number;
  /** Intermediate distributions (default 10,000): more gives a less biased estimate. */
  steps?: number;
  /** Visible biases of the base-rate model (default 0); `RBM.visibleBiasFromData` is a good choice. */
  baseVisibleBias?: Float32Array;
}

export interface AisEstimate {
  logZ: number;
  /** Standard error of log Z from the spread of the importance weights (delta method). */
  standardError: number;
  runs: number;
  steps: number;
}

/**
 * AIS from a base-rate model p_A(v) ∝ exp(b_Aᵀv) (W = 0, Z_A known) to the RBM, through
 *   p*_β(v) = exp((1−β) b_Aᵀv + β bᵀv) · Π_j (1 + exp(β (c_j + (vW)_j))),   β = 0 … 1 (linear),
 * each stage left invariant by one Gibbs sweep at its β. log Z = log Z_0 + log mean_runs(w).
 */
export function annealedLogPartition(rbm: RBM, options: AisOptions = {}): AisEstimate {
  const { numVisible: V, numHidden: H } = rbm;
  const M = checkInteger('runs', options.runs ?? 100, 2);
  const K = checkInteger('steps', options.steps ?? 10000, 1);
  const baseBias = options.baseVisibleBias ?? new Float32Array(V);
  if (baseBias.length !== V) throw invalid(`baseVisibleBias has ${baseBias.length} values; expected ${V}`);
  const seed = options.seed ?? 0;
  const rng = new SeededRandom(seed);

  // Exact samples of the base model, and log Z_0 = Σ_i softplus(b_A,i) + H log 2.
  const v = new Float32Array(M * V);
  for (let r = 0; r < M; r++) {
    for (let i = 0; i < V; i++) v[r * V + i] = rng.float() < 1 / (1 + Math.exp(-baseBias[i])) ? 1 : 0;
  }
  let logZ0 = H * Math.LN2;
  for (let i = 0; i < V; i++) logZ0 += softplus(baseBias[i]);

  // Buffers reused by every annealing step.
  const logW = new Float64Array(M);
  const inputs = new Float32Array(M * H);
  const hidden = new Float32Array(M * H);
  const hiddenProb = new Float32Array(M * H);
  const visibleProb = new Float32Array(M * V);
  const bias = new Float32Array(V);
  let stream = 1;
  let prevBeta = 0;
  for (let k = 1; k <= K; k++) {
    const beta = k / K;
    // Weight update: log p*_β(v) − log p*_{β_prev}(v) at the current states.
    rbm.hiddenInputs(v, M, options.threads, inputs);
    for (let r = 0; r < M; r++) {
      let d = 0;
      for (let i = 0; i < V; i++) d += (beta - prevBeta) * (rbm.visibleBias[i] - baseBias[i]) * v[r * V + i];
      for (let j = 0; j < H; j++) {
        const a = inputs[r * H + j];
        d += softplus(beta * a) - softplus(prevBeta * a);
      }
      logW[r] += d;
    }
    if (k === K) break;
    // Transition that leaves p_β invariant: h | v at β, then v | h with bias ((1−β)/β)·b_A + b at β.
    rbm.hiddenGivenVisible(v, M, {
      beta,
      probabilities: hiddenProb,
      samples: hidden,
      seed,
      stream: stream++,
      threads: options.threads,
    });
    for (let i = 0; i < V; i++) bias[i] = ((1 - beta) / beta) * baseBias[i] + rbm.visibleBias[i];
    rbm.visibleGivenHidden(hidden, M, {
      beta,
      bias,
      probabilities: visibleProb,
      samples: v,
      seed,
      stream: stream++,
      threads: options.threads,
    });
    prevBeta = beta;
  }

  const { logMean, standardError } = logMeanExp(logW);
  return { logZ: logZ0 + logMean, standardError, runs: M, steps: K };
}

/** Mean log-likelihood per row, log p(v) = −F(v) − log Z, with log Z from AIS. */
export function logLikelihood(
  rbm: RBM,
  visible: Float32Array,
  rows: number,
  logZ: number,
  options: MonitorOptions = {},
): number {
  const free = rbm.freeEnergy(visible, rows, options.threads);
  let sum = 0;
  for (let r = 0; r < rows; r++) sum += -free[r] - logZ;
  return sum / rows;
}

/** log of the mean of exp(x), and its standard error by the delta method (sd(w) / (√M · mean(w))). */
function logMeanExp(x: Float64Array): { logMean: number; standardError: number } {
  let max = -Infinity;
  for (const value of x) max = Math.max(max, value);
  let sum = 0;
  let sumSq = 0;
  for (const value of x) {
    const w = Math.exp(value - max);
    sum += w;
    sumSq += w * w;
  }
  const M = x.length;
  const mean = sum / M;
  const variance = Math.max(0, sumSq / M - mean * mean) * (M / (M - 1));
  return { logMean: max + Math.log(mean), standardError: Math.sqrt(variance / M) / mean };
}
