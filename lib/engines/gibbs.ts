/**
 * Block Gibbs sampling of sparse Ising models on the native engine: one-shot runs (async and sync)
 * and resumable chains for streaming and training.
 */
import { randomInt } from 'crypto';
import { runCancellable } from '../native/cancellable';
import { callNative } from '../errors';
import type { Graph } from '../graphs/graph';
import {
  native,
  NativeGibbsChains,
  NativeRunArgs,
  NativeRunResult,
  OBSERVE_CHAIN_MEANS,
  OBSERVE_MEAN_FIELD_PAIRS,
  OBSERVE_ENERGY,
  OBSERVE_MAGNETIZATION,
  OBSERVE_MOMENTS,
  OBSERVE_STATES,
} from '../native';
import { checkInteger, checkSignal, checkThreads, invalid, MAX_CHAINS, toSpins } from '../util/validate';
import { BetaSchedule, describeBeta, resolveSchedule, Schedule, totalSweeps } from './sweeps';

/** What a model must provide to be sampled: spins s ∈ {−1,+1}, E(s) = −(Σ h_i s_i + Σ_edges J_e s_a s_b). */
export interface GibbsTarget {
  readonly graph: Graph;
  readonly couplings: Float32Array; // per edge of graph
  readonly biases: Float32Array; // per node
  readonly beta: number;
  /** Live chains of this model, if it has its own engine (default: the float engine's GibbsChains). */
  chains?(options: ChainOptions): GibbsChains;
}

/** The native chains' methods that every engine shares (all but how parameters are loaded). */
export type NativeChainHandle = Omit<NativeGibbsChains, 'setParameters'>;

export type Observable = 'states' | 'moments' | 'energy' | 'magnetization' | 'chainMeans' | 'meanFieldPairs';

export interface ChainOptions {
  /** Number of independent chains (default 64). */
  chains?: number;
  /** Seed of the chains' random streams (default: random, reported in the result). Same seed → same samples. */
  seed?: number | bigint;
  /** Initial spins: 'random' (default), 'hinton' (each spin from its bias alone), or given spins (n or chains×n). */
  init?: 'random' | 'hinton' | ArrayLike<number>;
  /** Clamped nodes keep these values: `values` has one entry per node (all chains) or chains × nodes (chain-major). */
  clamp?: { nodes: ArrayLike<number>; values: ArrayLike<number> };
}

export interface SampleOptions extends ChainOptions, Partial<Schedule> {
  /**
   * β: a number (default: the model's β), a schedule from `schedules` (evaluated per sweep in the engine, no
   * memory per sweep), one value per sweep, or (sweep, total) => β (these two become a table of one float per sweep).
   */
  beta?: BetaSchedule;
  /** What to record (default ['moments']). */
  observe?: Observable[];
  /** Node pairs for second moments and mean-field pairs: 'edges' (default) or explicit pairs. */
  pairs?: 'edges' | Array<[number, number]>;
  /** Threads of the native pool (default: all cores). Results do not depend on it. */
  threads?: number;
  signal?: AbortSignal;
}

/** What a run of live chains reports. */
export interface RunResult {
  numNodes: number;
  chains: number;
  samples: number;
  seed: bigint;
  /** samples × chains × nodes spins (if observed); see `state(sample, chain)`. */
  states?: Int8Array;
  /** ⟨s_i⟩ over samples and chains (if 'moments' observed). */
  mean?: Float64Array;
  /** The pairs (if 'moments' or 'meanFieldPairs' observed) and ⟨s_a s_b⟩ for each (if 'moments' observed). */
  pairs?: { a: Int32Array; b: Int32Array };
  pairMean?: Float64Array;
  /** E(s) per sample per chain, samples × chains (if observed). */
  energy?: Float64Array;
  /** Σ_i s_i / n per sample per chain, samples × chains (if observed). */
  magnetization?: Float64Array;
  /** Each chain's ⟨s_i⟩ over its samples, chains × nodes (if 'chainMeans' observed; fewer than 2^24 samples). */
  chainMeans?: Float32Array;
  /**
   * Per pair, the mean over chains of m_a m_b, m being each chain's ⟨s_i⟩ over its samples: the
   * mean-field value of ⟨s_a s_b⟩ (if 'meanFieldPairs' observed; same pairs as the moments).
   */
  pairMeanField?: Float64Array;
  sweeps: number;
  seconds: number;
  /** sweeps × nodes × chains / ns, the engine's throughput for this run. */
  flipsPerNs: number;
  /** Spins of one chain at one sample (a view into `states`). */
  state(sample: number, chain: number): Int8Array;
}

/** What a one-shot run reports: also the chains' final spins (live chains: `chains.spins()`). */
export interface SampleResult extends RunResult {
  /** The chains' spins after the last sweep, chains × nodes (read from the engine on first access). */
  readonly finalState: Int8Array;
}

const DEFAULT_SCHEDULE: Schedule = { warmup: 100, samples: 100, thin: 1 };
const OBSERVABLES: ReadonlySet<string> = new Set([
  'states',
  'moments',
  'energy',
  'magnetization',
  'chainMeans',
  'meanFieldPairs',
]);
/** Observables that are means over the samples: with none they would be 0, not a mean. */
const AVERAGES = ['moments', 'chainMeans', 'meanFieldPairs'] as const;

function resolveSeed(seed: number | bigint | undefined): bigint {
  if (seed === undefined) return BigInt(randomInt(0, 2 ** 48 - 1));
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed >= 1n << 64n) throw invalid('seed must be in [0, 2^64)');
    return seed;
  }
  return BigInt(checkInteger('seed', seed, 0));
}

function broadcast(name: string, values: ArrayLike<number>, perChain: number, chains: number): Int8Array {
  if (values.length === perChain && chains > 1) {
    const one = toSpins(name, values, perChain);
    const out = new Int8Array(perChain * chains);
    for (let c = 0; c < chains; c++) out.set(one, c * perChain);
    return out;
  }
  return toSpins(name, values, perChain * chains);
}

/** Live chains of one model: they keep their state and random streams between runs. */
export class GibbsChains {
  readonly target: GibbsTarget;
  readonly chains: number;
  readonly seed: bigint;
  /** @internal The native chains. */
  protected readonly handle: NativeChainHandle;

  constructor(target: GibbsTarget, options: ChainOptions = {}) {
    this.target = target;
    this.chains = checkInteger('chains', options.chains ?? 64, 1, MAX_CHAINS);
    this.seed = resolveSeed(options.seed);
    this.handle = this.openHandle(options);
    try {
      this.updateParameters();
      if (options.clamp) this.clamp(options.clamp);
      this.initialize(options.init ?? 'random');
    } catch (err) {
      this.dispose(); // nobody else holds the handle: free it now, not at garbage collection
      throw err;
    }
  }

  /** Clamps nodes to values (one per node for all chains, or chains × nodes), replacing any earlier clamp. */
  clamp(clamp: { nodes: ArrayLike<number>; values: ArrayLike<number> }): void {
    const n = this.target.graph.numNodes;
    const { nodes, values } = clamp;
    if (nodes == null || typeof nodes.length !== 'number')
      throw invalid('clamp.nodes must be an array of node indices');
    const nodeArray = Int32Array.from(nodes, (i) => checkInteger('clamped node', i, 0, n - 1));
    const valueArray = broadcast('clamp.values', values, nodeArray.length, this.chains);
    callNative(() => this.handle.setClamp(nodeArray, valueArray));
  }

  /** Restarts every chain's free spins: 'random', 'hinton' (from the biases alone) or given spins. */
  initialize(init: 'random' | 'hinton' | ArrayLike<number>): void {
    const n = this.target.graph.numNodes;
    if (init === 'hinton') callNative(() => this.handle.initHinton(this.target.beta));
    else if (init === 'random') callNative(() => this.handle.initRandom());
    else if (typeof init === 'object' && init !== null) {
      const spins = broadcast('init', init, n, this.chains);
      callNative(() => this.handle.initGiven(spins));
    } else throw invalid(`init must be 'random', 'hinton' or an array of spins, got ${String(init)}`);
  }

  /** @internal The native chains of this engine (subclasses bring their own, and may read engine options). */
  protected openHandle(_options: ChainOptions): NativeChainHandle {
    return callNative(() => new (native().GibbsChains)(this.target.graph.handle, this.chains, this.seed));
  }

  /** Re-reads the model's couplings and biases (after training changed them). */
  updateParameters(): void {
    const handle = this.handle as NativeGibbsChains;
    callNative(() => handle.setParameters(this.target.couplings, this.target.biases));
  }

  /**
   * Current spins, chains × nodes; into `out` (an Int8Array of that length) when given, which saves
   * allocating a new array on every call.
   */
  spins(out?: Int8Array): Int8Array {
    if (out !== undefined) {
      const length = this.chains * this.target.graph.numNodes;
      if (!(out instanceof Int8Array) || out.length !== length) {
        throw invalid(`out must be an Int8Array of ${length} entries (chains × nodes)`);
      }
    }
    return callNative(() => this.handle.readSpins(out));
  }

  /** Runs a schedule and waits for it off the main thread. */
  async run(options: SampleOptions = {}): Promise<RunResult> {
    return this.runFrom(options, 0, undefined);
  }

  /** @internal Runs a schedule whose sweep k sees β(first + k, total) (total: the run's length when undefined). */
  async runFrom(options: SampleOptions, first: number, total: number | undefined): Promise<RunResult> {
    checkSignal(options.signal);
    const { args, pairs, schedule } = this.prepare(options, first, total);
    const raw = await runCancellable(options.signal, 'sampling', (token) => this.handle.runAsync(token, ...args));
    return this.result(raw, schedule, pairs);
  }

  /** Runs a schedule on the calling thread (scripts, small models). */
  runSync(options: SampleOptions = {}): RunResult {
    if (options.signal !== undefined) throw invalid('signal is only supported by the async run');
    const { args, pairs, schedule } = this.prepare(options, 0, undefined);
    return this.result(
      callNative(() => this.handle.run(...args)),
      schedule,
      pairs,
    );
  }

  /**
   * Frees the native memory now instead of at garbage collection. While an async run is in flight it
   * is cancelled (its Promise rejects with ERR_ABORTED) and the memory is freed as it stops. Any later
   * call throws ERR_DISPOSED; disposing twice does nothing. Also `using x = …` (Symbol.dispose).
   */
  dispose(): void {
    this.handle.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private prepare(options: SampleOptions, first: number, total: number | undefined) {
    const schedule = resolveSchedule(options, DEFAULT_SCHEDULE);
    const sweeps = totalSweeps(schedule);
    // With no samples a run only advances the chains (a warm-up): nothing is observed unless asked for.
    const observe = new Set(options.observe ?? (schedule.samples === 0 ? [] : ['moments']));
    for (const o of observe) if (!OBSERVABLES.has(o)) throw invalid(`unknown observable '${String(o)}'`);
    for (const o of AVERAGES) {
      if (schedule.samples === 0 && observe.has(o))
        throw invalid(`'${o}' averages over samples: it needs samples >= 1, got 0`);
    }
    const pairs =
      observe.has('moments') || observe.has('meanFieldPairs') ? this.resolvePairs(options.pairs ?? 'edges') : undefined;
    const observeBits =
      (observe.has('states') ? OBSERVE_STATES : 0) |
      (observe.has('moments') ? OBSERVE_MOMENTS : 0) |
      (observe.has('energy') ? OBSERVE_ENERGY : 0) |
      (observe.has('magnetization') ? OBSERVE_MAGNETIZATION : 0) |
      (observe.has('chainMeans') ? OBSERVE_CHAIN_MEANS : 0) |
      (observe.has('meanFieldPairs') ? OBSERVE_MEAN_FIELD_PAIRS : 0);
    const args: NativeRunArgs = [
      schedule.warmup,
      schedule.samples,
      schedule.thin,
      describeBeta(options.beta ?? this.target.beta, sweeps, first, total ?? sweeps),
      observeBits,
      checkThreads(options.threads),
      pairs?.a,
      pairs?.b,
    ];
    return { args, pairs, schedule };
  }

  private resolvePairs(pairs: 'edges' | Array<[number, number]>): { a: Int32Array; b: Int32Array } {
    const graph = this.target.graph;
    if (pairs === 'edges') return { a: graph.src, b: graph.dst };
    if (!Array.isArray(pairs)) throw invalid("pairs must be 'edges' or an array of [a, b] node pairs");
    const a = new Int32Array(pairs.length);
    const b = new Int32Array(pairs.length);
    pairs.forEach((pair, k) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw invalid(`pairs[${k}] must be [a, b]`);
      a[k] = checkInteger(`pairs[${k}][0]`, pair[0], 0, graph.numNodes - 1);
      b[k] = checkInteger(`pairs[${k}][1]`, pair[1], 0, graph.numNodes - 1);
    });
    return { a, b };
  }

  private result(raw: NativeRunResult, schedule: Schedule, pairs?: { a: Int32Array; b: Int32Array }): RunResult {
    const n = this.target.graph.numNodes;
    const chains = this.chains;
    const [states, mean, pairMean, energy, magnetization, sweeps, seconds, chainMeans, pairMeanField] = raw;
    return {
      numNodes: n,
      chains,
      samples: schedule.samples,
      seed: this.seed,
      states,
      mean,
      pairs,
      pairMean,
      energy,
      magnetization,
      chainMeans,
      pairMeanField,
      sweeps,
      seconds,
      flipsPerNs: seconds > 0 ? (sweeps * n * chains) / (seconds * 1e9) : 0,
      state(sample: number, chain: number): Int8Array {
        if (!states) throw invalid("states were not observed: pass observe: ['states', ...]");
        checkInteger('sample', sample, 0, schedule.samples - 1);
        checkInteger('chain', chain, 0, chains - 1);
        return states.subarray((sample * chains + chain) * n, (sample * chains + chain + 1) * n);
      },
    };
  }
}

/**
 * Adds the final spins and frees the chains: one-shot calls must not leave native memory for the
 * garbage collector, whose finalizers wait for the event loop (a synchronous loop would pile it up).
 */
function withFinalState(result: RunResult, chains: GibbsChains): SampleResult {
  try {
    return Object.assign(result, { finalState: chains.spins() });
  } finally {
    chains.dispose();
  }
}

function openChains(target: GibbsTarget, options: ChainOptions): GibbsChains {
  return target.chains ? target.chains(options) : new GibbsChains(target, options);
}

/** Samples a model: fresh chains, one schedule. */
export async function sample(target: GibbsTarget, options: SampleOptions = {}): Promise<SampleResult> {
  const chains = openChains(target, options);
  let result: RunResult;
  try {
    result = await chains.run(options);
  } catch (err) {
    chains.dispose();
    throw err;
  }
  return withFinalState(result, chains);
}

export function sampleSync(target: GibbsTarget, options: SampleOptions = {}): SampleResult {
  const chains = openChains(target, options);
  let result: RunResult;
  try {
    result = chains.runSync(options);
  } catch (err) {
    chains.dispose();
    throw err;
  }
  return withFinalState(result, chains);
}

export interface StreamOptions extends Omit<SampleOptions, 'samples'> {
  /** Samples per yielded batch (default 16). */
  batch?: number;
  /** Stop after this many batches (default: never; use `break` or the signal). */
  maxBatches?: number;
}

/**
 * Endless sampling as an async iterator of batches: the first batch starts after `warmup` sweeps,
 * every sample is `thin` sweeps after the previous one. The next batch is computed only when the
 * consumer asks for it (backpressure); `break` or the signal stops it. `Readable.from(stream(...))`
 * gives a Node stream. A β schedule counts sweeps from the start of the stream; a β function is
 * called with totalSweeps = Infinity.
 */
export async function* stream(target: GibbsTarget, options: StreamOptions = {}): AsyncGenerator<RunResult> {
  const batch = checkInteger('batch', options.batch ?? 16, 1);
  const maxBatches = options.maxBatches === undefined ? Infinity : checkInteger('maxBatches', options.maxBatches, 0);
  const thin = checkInteger('thin', options.thin ?? 1, 1);
  const chains = openChains(target, options);
  try {
    let sweepsDone = 0;
    for (let k = 0; k < maxBatches; k++) {
      const warmup = k === 0 ? checkInteger('warmup', options.warmup ?? DEFAULT_SCHEDULE.warmup, 0) : thin;
      yield await chains.runFrom({ ...options, warmup, thin, samples: batch }, sweepsDone, Infinity);
      sweepsDone += warmup + (batch - 1) * thin;
    }
  } finally {
    chains.dispose(); // the consumer stopped (break, error, end): freed now
  }
}
