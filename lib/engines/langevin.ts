/**
 * Langevin dynamics of continuous units on the native engine: many chains of one LangevinNetwork,
 * batched so that dense couplings cost one matrix product per step for all chains.
 *
 *   overdamped:   dx = μ F(x, t) dt + √(2 μ kT) dW         ('euler-maruyama', 'leimkuhler-matthews')
 *   underdamped:  dx = v dt,  m dv = F dt − γ m v dt + √(2 γ m kT) dW                       ('baoab')
 *
 * with F = −∇U (sign conventions in langevin-network.ts). Chain c's noise depends only on (seed, c):
 * results are identical for any thread count. Leimkuhler–Matthews has the cost of Euler–Maruyama but
 * an O(Δt²) bias of stationary averages (Euler–Maruyama's is O(Δt)). A state that becomes non-finite
 * stops the run with ERR_NOT_FINITE naming the step.
 */
import { runCancellable } from '../native/cancellable';
import { callNative } from '../errors';
import {
  LANGEVIN_INTEGRATORS,
  LANGEVIN_OBSERVE,
  native,
  NativeLangevinArgs,
  NativeLangevinChains,
  NativeLangevinResult,
} from '../native';
import { checkFinite, checkInteger, checkSignal, checkThreads, invalid, MAX_CHAINS, toFloat32 } from '../util/validate';
import { LangevinNetwork, LangevinNetworkSpec } from './langevin-network';
import { ProtocolValue, sampleProtocol } from './langevin-protocol';

export * from './langevin-network';
export { PiecewiseLinear, ProtocolValue, interpolate } from './langevin-protocol';

export type LangevinIntegrator = 'euler-maruyama' | 'leimkuhler-matthews' | 'baoab';
export type LangevinObservable = 'trajectory' | 'velocities' | 'energy' | 'heat' | 'moments';

/** The most steps (and the longest sampling interval and burn-in) of one run (the addon's limit too). */
const MAX_STEPS = 2 ** 40;

const INTEGRATORS: Record<LangevinIntegrator, number> = LANGEVIN_INTEGRATORS;
const OBSERVE_BITS: Record<LangevinObservable, number> = LANGEVIN_OBSERVE;

export interface LangevinRunOptions {
  /** Number of steps (required). */
  steps: number;
  /** Time step Δt > 0 (required). */
  dt: number;
  /** Default 'euler-maruyama'. */
  integrator?: LangevinIntegrator;
  /** Temperature kT >= 0: a number, { times, values } (piecewise-linear) or t => kT. Default 1. */
  kT?: ProtocolValue;
  /** Mobility μ of the overdamped integrators (default 1). */
  mobility?: number;
  /** Friction γ of BAOAB (default 1). */
  friction?: number;
  /** Scale s of the couplings J over time (default 1). */
  couplingScale?: ProtocolValue;
  /** Scale fs of the chains' external field over time (default 1). */
  fieldScale?: ProtocolValue;
  /**
   * What to record: 'trajectory' (states every `every` steps), 'velocities' (BAOAB), 'energy' (U at
   * the same times), 'heat' (released to the bath over the run, per chain), 'moments' (per-chain ⟨x_i⟩
   * and ⟨x_i²⟩ over the steps after burnIn, float64). The final state is always kept (readState).
   */
  observe?: LangevinObservable[];
  /** Sample spacing in steps for trajectory / velocities / energy (default 1). */
  every?: number;
  /** Steps before moments start accumulating (default 0). */
  burnIn?: number;
  /** Native threads (default: all cores). Results do not depend on it. */
  threads?: number;
  /** Aborts an async run within a few ms (ERR_ABORTED); chains keep the steps already done. */
  signal?: AbortSignal;
}

export interface LangevinRunResult {
  chains: number;
  units: number;
  steps: number;
  /** Samples per chain of trajectory / velocities / energy (steps / every, rounded down). */
  samples: number;
  /** samples × chains × units; sample k is the state after (k + 1)·every steps. */
  trajectory?: Float32Array;
  velocities?: Float32Array;
  /** U per sample per chain, samples × chains. */
  energy?: Float64Array;
  /** Heat released to the bath per chain (overdamped: −Σ ∇U(x_mid)·Δx; BAOAB: Σ ½m(v² − v'²) of the O steps). */
  heat?: Float64Array;
  /** ⟨x_i⟩ per chain, chains × units, over momentSteps steps. */
  mean?: Float64Array;
  /** ⟨x_i²⟩ per chain, chains × units. */
  meanSquare?: Float64Array;
  momentSteps: number;
  seconds: number;
}

export interface LangevinChainOptions {
  /** Number of chains (default 1). */
  chains?: number;
  /** Seed of the noise (default 0): a number in [0, 2^53) or a bigint in [0, 2^64). */
  seed?: number | bigint;
  /** Initial states: N values for every chain or chains × N (default 0). */
  state?: ArrayLike<number>;
  /** Initial velocities for BAOAB (default 0). */
  velocity?: ArrayLike<number>;
  /** Per-chain external field f: N values for every chain or chains × N. */
  field?: ArrayLike<number>;
  /** Clamped units and their values (count values for every chain, or chains × count). */
  clamp?: { units: ArrayLike<number>; values: ArrayLike<number> };
}

function checkSeed(value: unknown): number | bigint {
  if (typeof value === 'bigint') {
    if (value < 0n || value >= 1n << 64n) throw invalid('seed must be in [0, 2^64)');
    return value;
  }
  return checkInteger('seed', value, 0);
}

/** N values for all chains or chains × N values, as chains × N floats. */
function perChain(name: string, values: ArrayLike<number>, chains: number, width: number): Float32Array {
  if (values == null || typeof values.length !== 'number') throw invalid(`${name} must be an array of numbers`);
  if (values.length === chains * width) return toFloat32(name, values, chains * width);
  if (values.length !== width)
    throw invalid(`${name} must have ${width} or ${chains * width} entries, got ${values.length}`);
  const row = toFloat32(name, values, width);
  const out = new Float32Array(chains * width);
  for (let c = 0; c < chains; c++) out.set(row, c * width);
  return out;
}

export class LangevinChains {
  readonly network: LangevinNetwork;
  readonly numChains: number;
  readonly seed: number | bigint;
  private readonly handle: NativeLangevinChains;

  constructor(network: LangevinNetwork, options: LangevinChainOptions = {}) {
    if (!(network instanceof LangevinNetwork)) throw invalid('network must be a LangevinNetwork');
    if (typeof options !== 'object' || options === null) throw invalid('options must be an object');
    this.network = network;
    this.numChains = checkInteger('chains', options.chains ?? 1, 1, MAX_CHAINS);
    this.seed = checkSeed(options.seed ?? 0);
    const n = network.units;
    this.handle = callNative(() => new (native().LangevinChains)(n, this.numChains, this.seed));
    try {
      callNative(() => {
        this.handle.setOnsite(network.quadratic, network.quartic, network.bias, network.mass);
        for (const b of network.blocks) this.handle.addBlock(b.rowStart, b.rows, b.colStart, b.cols, b.weights);
        for (const s of network.sparse) this.handle.setSparse(s.rowPtr, s.cols, s.values);
      });
      if (options.state !== undefined) this.setState(options.state);
      if (options.velocity !== undefined) this.setVelocity(options.velocity);
      if (options.field !== undefined) this.setField(options.field);
      if (options.clamp !== undefined) this.setClamp(options.clamp.units, options.clamp.values);
    } catch (err) {
      this.dispose(); // nobody else holds the handle: free it now, not at garbage collection
      throw err;
    }
  }

  /** States: N values for every chain or chains × N. */
  setState(state: ArrayLike<number>): void {
    const x = perChain('state', state, this.numChains, this.network.units);
    callNative(() => this.handle.setState(x));
  }

  setVelocity(velocity: ArrayLike<number>): void {
    const v = perChain('velocity', velocity, this.numChains, this.network.units);
    callNative(() => this.handle.setVelocity(v));
  }

  /** The external field f (scaled by fieldScale); undefined removes it. */
  setField(field: ArrayLike<number> | undefined): void {
    const f = field === undefined ? undefined : perChain('field', field, this.numChains, this.network.units);
    callNative(() => this.handle.setField(f));
  }

  /** Clamps units to values (count for every chain, or chains × count); empty units release all. */
  setClamp(units: ArrayLike<number>, values: ArrayLike<number>): void {
    if (units == null || typeof units.length !== 'number') throw invalid('clamp units must be an array');
    const nodes = Int32Array.from({ length: units.length }, (_, k) =>
      checkInteger(`clamp units[${k}]`, units[k], 0, this.network.units - 1),
    );
    const v = nodes.length === 0 ? new Float32Array(0) : perChain('clamp values', values, this.numChains, nodes.length);
    callNative(() => this.handle.setClamp(nodes, v));
  }

  /** Current states, chains × N: a copy, or written into `out` (reused by callers that read often). */
  readState(out?: Float32Array): Float32Array {
    return callNative(() => this.handle.readState(out));
  }

  /** Current velocities (BAOAB), chains × N. */
  readVelocity(): Float32Array {
    return callNative(() => this.handle.readVelocity());
  }

  /** U of every chain's current state, with the given coupling and field scales (default 1). */
  energies(couplingScale = 1, fieldScale = 1): Float64Array {
    checkFinite('couplingScale', couplingScale);
    checkFinite('fieldScale', fieldScale);
    return callNative(() => this.handle.energies(couplingScale, fieldScale));
  }

  /** Runs off the main thread. */
  async run(options: LangevinRunOptions): Promise<LangevinRunResult> {
    checkSignal(options?.signal);
    const args = this.prepare(options);
    const raw = await runCancellable(options?.signal, 'the simulation', (token) =>
      this.handle.runAsync(token, ...args),
    );
    return this.result(args, raw);
  }

  /** Runs on the calling thread. */
  runSync(options: LangevinRunOptions): LangevinRunResult {
    if (options?.signal !== undefined) throw invalid('signal is only supported by the async run');
    const args = this.prepare(options);
    return this.result(
      args,
      callNative(() => this.handle.run(...args)),
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

  private prepare(options: LangevinRunOptions): NativeLangevinArgs {
    if (typeof options !== 'object' || options === null) throw invalid('run options must be an object');
    const steps = checkInteger('steps', options.steps, 0, MAX_STEPS);
    const dt = checkFinite('dt', options.dt);
    if (!(dt > 0)) throw invalid(`dt must be > 0, got ${dt}`);
    const integrator = options.integrator ?? 'euler-maruyama';
    if (!(integrator in INTEGRATORS))
      throw invalid("integrator must be 'euler-maruyama', 'leimkuhler-matthews' or 'baoab'");
    const mobility = checkFinite('mobility', options.mobility ?? 1);
    if (!(mobility > 0)) throw invalid(`mobility must be > 0, got ${mobility}`);
    const friction = checkFinite('friction', options.friction ?? 1);
    if (!(friction > 0)) throw invalid(`friction must be > 0, got ${friction}`);
    const observe = options.observe ?? [];
    if (!Array.isArray(observe)) throw invalid('observe must be an array of names');
    let bits = 0;
    for (const o of observe) {
      if (!Object.prototype.hasOwnProperty.call(OBSERVE_BITS, o)) throw invalid(`unknown observable '${String(o)}'`);
      bits |= OBSERVE_BITS[o];
    }
    const every = checkInteger('every', options.every ?? 1, 1, MAX_STEPS);
    const burnIn = checkInteger('burnIn', options.burnIn ?? 0, 0, MAX_STEPS);
    const threads = checkThreads(options.threads);
    return [
      INTEGRATORS[integrator],
      steps,
      dt,
      mobility,
      friction,
      sampleProtocol('kT', options.kT ?? 1, steps, dt, true),
      sampleProtocol('couplingScale', options.couplingScale ?? 1, steps, dt),
      sampleProtocol('fieldScale', options.fieldScale ?? 1, steps, dt),
      bits,
      every,
      burnIn,
      threads,
    ];
  }

  private result(args: NativeLangevinArgs, raw: NativeLangevinResult): LangevinRunResult {
    const [trajectory, velocities, energy, heat, mean, meanSquare, samples, momentSteps, seconds] = raw;
    const out: LangevinRunResult = {
      chains: this.numChains,
      units: this.network.units,
      steps: args[1],
      samples,
      momentSteps,
      seconds,
    };
    if (trajectory) out.trajectory = trajectory;
    if (velocities) out.velocities = velocities;
    if (energy) out.energy = energy;
    if (heat) out.heat = heat;
    if (mean) out.mean = mean;
    if (meanSquare) out.meanSquare = meanSquare;
    return out;
  }
}

/** One-shot simulation: builds the network and chains, runs them off the main thread, returns the result and final states. */
export async function simulate(
  network: LangevinNetwork | LangevinNetworkSpec,
  options: LangevinRunOptions & LangevinChainOptions,
): Promise<LangevinRunResult & { state: Float32Array; velocity?: Float32Array }> {
  const net = network instanceof LangevinNetwork ? network : new LangevinNetwork(network);
  const chains = new LangevinChains(net, options);
  try {
    const result = await chains.run(options);
    const state = chains.readState();
    return options.integrator === 'baoab'
      ? { ...result, state, velocity: chains.readVelocity() }
      : { ...result, state };
  } finally {
    chains.dispose(); // one-shot chains: freed now, not at garbage collection
  }
}

/**
 * Standard normals from the engine's generator (Box–Muller with polynomial log and sin/cos; |z| < 6.57):
 * `count` new ones, or written into `out`. The same (seed, stream) always gives the same numbers.
 */
export function randomNormals(
  countOrOut: number | Float32Array,
  seed: number | bigint = 0,
  stream: number | bigint = 0,
): Float32Array {
  const out =
    countOrOut instanceof Float32Array ? countOrOut : new Float32Array(checkInteger('count', countOrOut, 0, 2 ** 32));
  const s = checkSeed(seed);
  const st = typeof stream === 'bigint' ? stream : checkInteger('stream', stream, 0);
  callNative(() => native().randomNormals(out, s, st));
  return out;
}

export const langevin = { simulate, randomNormals };
