/**
 * Typed, validated access to the dense (RBM) engine: matrix products, fused layer conditionals and
 * live RBM chains. Visible v ∈ {0,1}^V, hidden h ∈ {0,1}^H, E(v,h) = −(bᵀv + cᵀh + vᵀWh),
 * P(h=1|v) = σ(β(c + Wᵀv)), P(v=1|h) = σ(β(b + Wh)); W is V×H row-major float32, states are 0/1 floats.
 * Scalars, shapes and array types are checked here; array contents (finite, 0/1 where required) are
 * checked natively. Every failure is a HeatbathError with a code.
 */
import { runCancellable } from '../native/cancellable';
import { callNative } from '../errors';
import { native, NativeBeta, NativeRbmChains, RbmDirection, RbmProductPath } from '../native';
import { BetaSchedule, describeBeta, MAX_SWEEPS } from './sweeps';
import { checkBeta, checkFinite, checkInteger, checkSignal, checkThreads, invalid, MAX_CHAINS } from '../util/validate';

export { RbmDirection, RbmProductPath } from '../native';

const MAX_DIMENSION = 2 ** 31 - 1;

function checkFloat32(name: string, value: unknown, length: number): Float32Array {
  if (!(value instanceof Float32Array)) throw invalid(`${name} must be a Float32Array`);
  if (value.length !== length) throw invalid(`${name} must have ${length} entries, got ${value.length}`);
  return value;
}

function checkOptionalFloat32(name: string, value: unknown, length: number): Float32Array | undefined {
  return value === undefined ? undefined : checkFloat32(name, value, length);
}

/** A seed or stream number: an integer in [0, 2^53) or a bigint in [0, 2^64). */
function checkUint64(name: string, value: unknown): number | bigint {
  if (typeof value === 'bigint') {
    if (value < 0n || value >= 1n << 64n) throw invalid(`${name} must be in [0, 2^64)`);
    return value;
  }
  return checkInteger(name, value, 0);
}

/** C = alpha·op(A)·op(B) + beta·C in place (row-major float32; op(A) m×k, op(B) k×n). Bit-identical for any thread count. */
export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  b: Float32Array,
  beta: number,
  c: Float32Array,
  threads?: number,
): void {
  if (typeof transA !== 'boolean' || typeof transB !== 'boolean') throw invalid('transA and transB must be booleans');
  checkInteger('m', m, 0, MAX_DIMENSION);
  checkInteger('n', n, 0, MAX_DIMENSION);
  checkInteger('k', k, 0, MAX_DIMENSION);
  checkFinite('alpha', alpha);
  checkFinite('beta', beta);
  checkFloat32('a', a, m * k);
  checkFloat32('b', b, k * n);
  checkFloat32('c', c, m * n);
  const t = checkThreads(threads);
  callNative(() => native().gemm(transA, transB, m, n, k, alpha, a, b, beta, c, t));
}

/**
 * Samples one layer given the other: 'hidden' reads rows×V visible states and writes rows×H, 'visible'
 * reads rows×H hidden states and writes rows×V. Probabilities go to probOut, 0/1 samples to sampleOut
 * (either may be undefined). The same (seed, stream, row) always draws the same numbers, whatever the
 * thread count: use a fresh stream per call (e.g. a counter) for fresh randomness. Inputs need not be
 * binary; exactly-0/1 sparse inputs take the faster active-row path (same results).
 */
export function rbmConditional(
  direction: RbmDirection,
  rows: number,
  weights: Float32Array,
  numVisible: number,
  numHidden: number,
  bias: Float32Array,
  input: Float32Array,
  beta: number,
  probOut: Float32Array | undefined,
  sampleOut: Float32Array | undefined,
  seed: number | bigint,
  stream: number | bigint,
  threads?: number,
  path?: RbmProductPath,
): void {
  if (direction !== 'hidden' && direction !== 'visible') throw invalid("direction must be 'hidden' or 'visible'");
  checkInteger('rows', rows, 0, MAX_DIMENSION);
  checkInteger('numVisible', numVisible, 1, MAX_DIMENSION);
  checkInteger('numHidden', numHidden, 1, MAX_DIMENSION);
  const [inUnits, outUnits] = direction === 'hidden' ? [numVisible, numHidden] : [numHidden, numVisible];
  checkFloat32('weights', weights, numVisible * numHidden);
  checkFloat32('bias', bias, outUnits);
  checkFloat32('input', input, rows * inUnits);
  checkBeta('beta', beta);
  checkOptionalFloat32('probOut', probOut, rows * outUnits);
  checkOptionalFloat32('sampleOut', sampleOut, rows * outUnits);
  const s = checkUint64('seed', seed);
  const st = checkUint64('stream', stream);
  const t = checkThreads(threads);
  if (path !== undefined && path !== 'auto' && path !== 'dense' && path !== 'active') {
    throw invalid("path must be 'auto', 'dense' or 'active'");
  }
  callNative(() =>
    native().rbmConditional(
      direction,
      rows,
      weights,
      numVisible,
      numHidden,
      bias,
      input,
      beta,
      probOut,
      sampleOut,
      s,
      st,
      t,
      path,
    ),
  );
}

export interface RbmRunOptions {
  /** Number of sweeps (h|v then v|h); default 1. */
  sweeps?: number;
  /** β: a number (default 1), one value per sweep, or (sweep, total) => β. */
  beta?: BetaSchedule;
  /** Threads of the native pool (default: all cores). Results do not depend on it. */
  threads?: number;
  /** Aborts an async run within a few ms (HeatbathError ERR_ABORTED); the chains keep a partial state. */
  signal?: AbortSignal;
}

/**
 * Many RBM Markov chains living natively: they keep states and random streams between runs, so long
 * sampling needs no crossings. Chain c's trajectory depends only on (seed, c), not on the thread count
 * or on how many chains run beside it.
 */
export class RbmChains {
  readonly numVisible: number;
  readonly numHidden: number;
  readonly numChains: number;
  readonly seed: number | bigint;
  private readonly handle: NativeRbmChains;

  /** New chains with zero parameters and uniformly random visible states. */
  constructor(numVisible: number, numHidden: number, numChains: number, seed: number | bigint) {
    this.numVisible = checkInteger('numVisible', numVisible, 1, MAX_DIMENSION);
    this.numHidden = checkInteger('numHidden', numHidden, 1, MAX_DIMENSION);
    this.numChains = checkInteger('numChains', numChains, 1, MAX_CHAINS);
    this.seed = checkUint64('seed', seed);
    this.handle = callNative(() => new (native().RbmChains)(numVisible, numHidden, numChains, this.seed));
  }

  /** W (V×H row-major), visible biases b (V) and hidden biases c (H); all finite. */
  setParameters(weights: Float32Array, visibleBias: Float32Array, hiddenBias: Float32Array): void {
    checkFloat32('weights', weights, this.numVisible * this.numHidden);
    checkFloat32('visibleBias', visibleBias, this.numVisible);
    checkFloat32('hiddenBias', hiddenBias, this.numHidden);
    callNative(() => this.handle.setParameters(weights, visibleBias, hiddenBias));
  }

  /** Visible states, chains×V of 0/1 (clamped units keep their clamped values). */
  setVisible(states: Float32Array): void {
    checkFloat32('states', states, this.numChains * this.numVisible);
    callNative(() => this.handle.setVisible(states));
  }

  /** Visible units uniformly 0/1 (from each chain's own stream). */
  initRandom(): void {
    callNative(() => this.handle.initRandom());
  }

  /**
   * Clamps visible units: `values` holds chains × nodes.length 0/1 values (chain-major). Clamped units
   * keep their values in every sweep; an empty `nodes` releases all clamps.
   */
  setClamp(nodes: Int32Array, values: Float32Array): void {
    if (!(nodes instanceof Int32Array)) throw invalid('nodes must be an Int32Array of visible indices');
    nodes.forEach((i, k) => checkInteger(`nodes[${k}]`, i, 0, this.numVisible - 1));
    checkFloat32('values', values, this.numChains * nodes.length);
    callNative(() => this.handle.setClamp(nodes, values));
  }

  /** Runs sweeps off the main thread. */
  async run(options: RbmRunOptions = {}): Promise<void> {
    checkSignal(options.signal);
    const { sweeps, beta, threads } = this.prepare(options);
    await runCancellable(options.signal, 'sampling', (token) => this.handle.runAsync(token, sweeps, beta, threads));
  }

  /** Runs sweeps on the calling thread. */
  runSync(options: RbmRunOptions = {}): void {
    if (options.signal !== undefined) throw invalid('signal is only supported by the async run');
    const { sweeps, beta, threads } = this.prepare(options);
    callNative(() => this.handle.run(sweeps, beta, threads));
  }

  /** Visible states, chains×V (a copy). */
  readVisible(): Float32Array {
    return callNative(() => this.handle.readVisible());
  }

  /** Hidden states, chains×H (a copy). */
  readHidden(): Float32Array {
    return callNative(() => this.handle.readHidden());
  }

  /** p(v=1|h) of the last half-sweep, chains×V (clamped units: their values; zeros before any sweep). */
  visibleProbabilities(): Float32Array {
    return callNative(() => this.handle.visibleProbabilities());
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

  private prepare(options: RbmRunOptions): { sweeps: number; beta: NativeBeta; threads?: number } {
    if (typeof options !== 'object' || options === null) throw invalid('options must be an object');
    const sweeps = checkInteger('sweeps', options.sweeps ?? 1, 0, MAX_SWEEPS);
    return { sweeps, beta: describeBeta(options.beta ?? 1, sweeps), threads: checkThreads(options.threads) };
  }
}
