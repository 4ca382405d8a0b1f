/**
 * The Monte-Carlo gradient of one reverse step of a denoising thermodynamic model on a batch of pairs
 * (x^{k−1}, x^k), for the loss −Σ ln P_θ(x^{k−1} | x^k) (SCIENCE.md §1, §3), in the spin convention:
 *   ∂/∂J_ab = −β (⟨s_a s_b⟩₊ − ⟨s_a s_b⟩₋) − λ (m_a m_b − ⟨s_a s_b⟩₋),   ∂/∂h_i = −β (⟨s_i⟩₊ − ⟨s_i⟩₋)
 * ₊: outputs clamped to x^{k−1} and inputs to x^k, latents sampled; ₋: only the inputs clamped to x^k.
 * Each chain holds one pair, so both averages run over the batch's conditionals. The second coupling term
 * is the adaptive correlation penalty (λ = 0: none): m_a m_b is the mean-field value of the correlation,
 * from each negative chain's own means (conditional on its x^k), so only the chains' own correlations are
 * penalised, not those the data induce. Chains start from the Hinton initialisation every time.
 */
import { HeatbathError } from '../errors';
import type { DenoisingModel } from '../models/dtm';
import { GibbsChains, RunResult } from '../sampling/gibbs';
import { Schedule } from '../sampling/schedule';

export interface DtmBatch {
  /** rows × outputs spins: the targets x^{k−1} and the inputs x^k. */
  before: Int8Array;
  after: Int8Array;
  rows: number;
}

export interface DtmGradientOptions extends Schedule {
  /** Correlation penalty strength λ (default 0). */
  penalty?: number;
  seed: number;
  threads?: number;
  signal?: AbortSignal;
}

export interface DtmGradient {
  /** ∂loss/∂J per torus edge and ∂loss/∂h per torus node (written into the caller's buffers). */
  couplings: Float64Array;
  biases: Float64Array;
  /** Share of output bits the negative chains' final states get wrong (vs x^{k−1}). */
  denoiseError: number;
  /** Spin updates made and the engine's seconds for them. */
  flips: number;
  seconds: number;
}

/** Clamp values for every chain: each row's `parts` side by side. */
function clampRows(rows: number, parts: Int8Array[], width: number): Int8Array {
  const out = new Int8Array(rows * width * parts.length);
  for (let r = 0; r < rows; r++) parts.forEach((p, j) => out.set(p.subarray(r * width, (r + 1) * width), (r * parts.length + j) * width));
  return out;
}

function moments(run: RunResult): { mean: Float64Array; pairMean: Float64Array } {
  if (!run.mean || !run.pairMean) throw new HeatbathError('ERR_INTERNAL', 'moments missing from a sampling run');
  return { mean: run.mean, pairMean: run.pairMean };
}

/**
 * Σ over chains of m_a m_b / chains per edge, from each chain's mean spins (chains × nodes). The means
 * are first laid out node-major so that each edge is one contiguous product.
 */
export function meanFieldCorrelations(chainMeans: Float32Array, chains: number, numNodes: number, src: Int32Array, dst: Int32Array, edges: number): Float64Array {
  const byNode = new Float32Array(numNodes * chains);
  for (let c = 0; c < chains; c++) for (let i = 0; i < numNodes; i++) byNode[i * chains + c] = chainMeans[c * numNodes + i];
  const out = new Float64Array(edges);
  for (let e = 0; e < edges; e++) {
    const a = src[e] * chains;
    const b = dst[e] * chains;
    let sum = 0;
    for (let c = 0; c < chains; c++) sum += byNode[a + c] * byNode[b + c];
    out[e] = sum / chains;
  }
  return out;
}

export async function dtmGradient(
  model: DenoisingModel,
  step: number,
  batch: DtmBatch,
  options: DtmGradientOptions,
  out: { couplings: Float64Array; biases: Float64Array },
): Promise<DtmGradient> {
  const { layout } = model;
  const { rows } = batch;
  const width = layout.numOutputs;
  const target = model.step(step);
  const outputNodes = layout.outputs;
  const schedule = { warmup: options.warmup, samples: options.samples, thin: options.thin, threads: options.threads, signal: options.signal };
  const penalty = options.penalty ?? 0;

  const positive = new GibbsChains(target, {
    chains: rows,
    seed: options.seed,
    init: 'hinton',
    clamp: { nodes: Int32Array.from([...outputNodes, ...layout.inputs]), values: clampRows(rows, [batch.before, batch.after], width) },
  });
  const negative = new GibbsChains(target, {
    chains: rows,
    seed: options.seed + 1,
    init: 'hinton',
    clamp: { nodes: layout.inputs, values: batch.after },
  });
  const pos = await positive.run({ ...schedule, observe: ['moments'] });
  const negRun = await negative.run({ ...schedule, observe: penalty > 0 ? ['moments', 'chainMeans'] : ['moments'] });
  const p = moments(pos);
  const q = moments(negRun);

  const edges = model.numTorusEdges;
  const torusNodes = layout.size ** 2;
  const beta = target.beta;
  const { src, dst } = layout.graph;
  const meanField = penalty > 0 ? meanFieldCorrelations(negRun.chainMeans as Float32Array, rows, layout.numNodes, src, dst, edges) : undefined;
  for (let e = 0; e < edges; e++) {
    out.couplings[e] = -beta * (p.pairMean[e] - q.pairMean[e]) - (meanField ? penalty * (meanField[e] - q.pairMean[e]) : 0);
  }
  for (let i = 0; i < torusNodes; i++) out.biases[i] = -beta * (p.mean[i] - q.mean[i]);

  const final = negative.spins();
  const n = layout.numNodes;
  let wrong = 0;
  for (let r = 0; r < rows; r++) for (let o = 0; o < width; o++) if (final[r * n + outputNodes[o]] !== batch.before[r * width + o]) wrong++;

  const sweeps = pos.sweeps;
  const freePositive = torusNodes - width;
  return {
    couplings: out.couplings,
    biases: out.biases,
    denoiseError: wrong / (rows * width),
    flips: sweeps * rows * (freePositive + torusNodes),
    seconds: pos.seconds + negRun.seconds,
  };
}
