/**
 * Monte-Carlo gradient of KL(p_data ‖ p_model) for a Boltzmann machine with visible and latent
 * units (SCIENCE.md §1), in the spin convention:
 *   ∂KL/∂J_ab = −β (⟨s_a s_b⟩₊ − ⟨s_a s_b⟩₋),   ∂KL/∂h_i = −β (⟨s_i⟩₊ − ⟨s_i⟩₋)
 * ₊: data clamped on the visible nodes, latents sampled from p(z | v), averaged over the data;
 * ₋: the free model. Descend it: J ← J − lr · gradient.
 */
import { HeatbathError } from '../errors';
import { GibbsChains, GibbsTarget, RunResult } from '../engines/gibbs';
import { checkInteger, invalid, toSpins } from '../util/validate';
import { checkSeed, deriveSeed } from '../util/seed';

export interface KlGradientOptions {
  /** Visible node indices. */
  visible: ArrayLike<number>;
  /** Data: rows of ±1 values for the visible nodes, concatenated (rows × visible.length). */
  data: ArrayLike<number>;
  /** Chains per data row in the positive phase (default 1). */
  chainsPerRow?: number;
  /** Chains of the free negative phase (default: as many as the positive phase). */
  negativeChains?: number;
  warmup?: number;
  samples?: number;
  thin?: number;
  init?: 'random' | 'hinton';
  seed?: number;
  threads?: number;
  signal?: AbortSignal;
}

export interface KlGradient {
  /** ∂KL/∂J per edge (graph edge order). */
  couplings: Float64Array;
  /** ∂KL/∂h per node. */
  biases: Float64Array;
  positive: { mean: Float64Array; pairMean: Float64Array };
  negative: { mean: Float64Array; pairMean: Float64Array };
}

/** The two phases' chains and schedule, shared by the async and sync estimators. */
function phases(model: GibbsTarget, options: KlGradientOptions) {
  const n = model.graph.numNodes;
  if (options.visible == null || typeof options.visible.length !== 'number' || options.visible.length === 0) {
    throw invalid('visible must list at least one node');
  }
  const visible = Int32Array.from(options.visible, (i) => checkInteger('visible node', i, 0, n - 1));
  const width = visible.length;
  if (options.data == null || options.data.length === 0 || options.data.length % width !== 0) {
    throw invalid(`data must hold whole rows of ${width} visible values`);
  }
  const rows = options.data.length / width;
  const perRow = checkInteger('chainsPerRow', options.chainsPerRow ?? 1, 1);
  const data = toSpins('data', options.data, rows * width);
  const positiveChains = rows * perRow;
  const clampValues = new Int8Array(positiveChains * width);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < perRow; k++)
      clampValues.set(data.subarray(r * width, (r + 1) * width), (r * perRow + k) * width);
  }
  const seed = checkSeed(options.seed ?? 0);
  return {
    positive: new GibbsChains(model, {
      chains: positiveChains,
      seed: deriveSeed(seed, 'kl-positive'),
      init: options.init,
      clamp: { nodes: visible, values: clampValues },
    }),
    negative: new GibbsChains(model, {
      chains: checkInteger('negativeChains', options.negativeChains ?? positiveChains, 1),
      seed: deriveSeed(seed, 'kl-negative'),
      init: options.init,
    }),
    schedule: {
      warmup: options.warmup ?? 100,
      // Both phases' moments are means over samples: none would give a gradient of 0, not an estimate.
      samples: checkInteger('samples', options.samples ?? 100, 1),
      thin: options.thin ?? 1,
      observe: ['moments' as const],
      threads: options.threads,
      signal: options.signal,
    },
  };
}

function gradient(beta: number, positive: RunResult, negative: RunResult): KlGradient {
  if (!positive.mean || !positive.pairMean || !negative.mean || !negative.pairMean) {
    throw new HeatbathError('ERR_INTERNAL', 'moments missing from a sampling run');
  }
  const neg = { mean: negative.mean, pairMean: negative.pairMean };
  return {
    couplings: positive.pairMean.map((p, e) => -beta * (p - neg.pairMean[e])),
    biases: positive.mean.map((p, i) => -beta * (p - neg.mean[i])),
    positive: { mean: positive.mean, pairMean: positive.pairMean },
    negative: neg,
  };
}

export async function estimateKlGradient(model: GibbsTarget, options: KlGradientOptions): Promise<KlGradient> {
  const { positive, negative, schedule } = phases(model, options);
  try {
    return gradient(model.beta, await positive.run(schedule), await negative.run(schedule));
  } finally {
    positive.dispose(); // one-shot chains: freed now, not at garbage collection
    negative.dispose();
  }
}

/** The same estimate on the calling thread (no signal). */
export function estimateKlGradientSync(model: GibbsTarget, options: Omit<KlGradientOptions, 'signal'>): KlGradient {
  const { positive, negative, schedule } = phases(model, { ...options, signal: undefined });
  try {
    return gradient(model.beta, positive.runSync(schedule), negative.runSync(schedule));
  } finally {
    positive.dispose(); // one-shot chains: freed now, not at garbage collection
    negative.dispose();
  }
}
