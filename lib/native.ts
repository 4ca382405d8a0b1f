/**
 * Loads the native addon: the binary HEATBATH_ADDON names if set, else a local build, else the prebuilt
 * binary that fits (see load()), or raises a HeatbathError telling the user what to run.
 */
import * as fs from 'fs';
import * as path from 'path';
import { asHeatbathError, HeatbathError } from './errors';

export interface NativeInfo {
  simd: string;
  simdAvailable: string[];
  hardwareThreads: number;
  lanes: number;
  /** Bytes one request may use (native/core/memory.h). */
  memoryLimit: number;
}

export interface NativeGraph {
  readonly numColours: number;
  colours(): Int32Array;
}

/** Bits of the `observe` argument of a run. */
export const OBSERVE_STATES = 1;
export const OBSERVE_MOMENTS = 2;
export const OBSERVE_ENERGY = 4;
export const OBSERVE_MAGNETIZATION = 8;
export const OBSERVE_CHAIN_MEANS = 16;
export const OBSERVE_MEAN_FIELD_PAIRS = 32;

/**
 * A β schedule as the core evaluates it (native/core/beta_schedule.h): a program (a few numbers), a
 * table of one β per sweep when the program is [5], the step of the run's first sweep, and the
 * length the schedule sees (Infinity for streams).
 */
export type NativeBeta = [program: Float64Array, table: Float32Array | undefined, first: number, total: number];

/**
 * A run's arguments, positional because named properties are slow to read through N-API:
 * warmup, samples, thin, β schedule, observe bits, threads, moment pairs.
 */
export type NativeRunArgs = [
  warmup: number,
  samples: number,
  thin: number,
  beta: NativeBeta,
  observe: number,
  threads?: number,
  pairA?: Int32Array,
  pairB?: Int32Array,
];

/** [states, mean, pairMean, energy, magnetization, sweeps, seconds, chainMeans, pairMeanField]; unobserved entries undefined. */
export type NativeRunResult = [
  states: Int8Array | undefined,
  mean: Float64Array | undefined,
  pairMean: Float64Array | undefined,
  energy: Float64Array | undefined,
  magnetization: Float64Array | undefined,
  sweeps: number,
  seconds: number,
  chainMeans: Float32Array | undefined,
  pairMeanField: Float64Array | undefined,
];

export interface NativeCancelToken {
  cancel(): void;
}

/**
 * Native handles on memory (chains, devices) report what they hold to V8 and free it on dispose(): at
 * once, or, while an async job runs, by cancelling the job (ERR_ABORTED) and freeing when it stops.
 * Afterwards every method throws ERR_DISPOSED; disposing twice does nothing.
 */
export interface NativeGibbsChains {
  setParameters(couplings: Float32Array, biases: Float32Array): void;
  setClamp(nodes: Int32Array, values: Int8Array): void;
  initRandom(): void;
  initHinton(beta: number): void;
  initGiven(spins: Int8Array): void;
  run(...args: NativeRunArgs): NativeRunResult;
  runAsync(cancel: NativeCancelToken | undefined, ...args: NativeRunArgs): Promise<NativeRunResult>;
  readSpins(out?: Int8Array): Int8Array;
  dispose(): void;
}

/** Native chains of a quantized model: the float chains' methods and run protocol, integer parameters. */
export interface NativeQuantizedChains extends Omit<NativeGibbsChains, 'setParameters'> {
  setParameters(couplings: Int32Array, biases: Int32Array, scale: number, randomBits: number): void;
}

/** Which side of an RBM a layer conditional samples: 'hidden' given visible (uses W), or 'visible' given hidden (uses Wᵀ). */
export type RbmDirection = 'hidden' | 'visible';

/**
 * How rbmConditional forms the pre-activations: 'auto' (default) takes the active-row path when the
 * input is exactly 0/1 and sparse enough, 'dense' always multiplies, 'active' requires 0/1 input.
 * All give bit-identical results; the choice only changes speed.
 */
export type RbmProductPath = 'auto' | 'dense' | 'active';

/** Native RBM chains (all arrays row-major, states as 0/1 floats). */
export interface NativeRbmChains {
  setParameters(weights: Float32Array, visibleBias: Float32Array, hiddenBias: Float32Array): void;
  setVisible(states: Float32Array): void;
  initRandom(): void;
  setClamp(nodes: Int32Array, values: Float32Array): void;
  run(sweeps: number, beta: NativeBeta, threads?: number): void;
  runAsync(cancel: NativeCancelToken | undefined, sweeps: number, beta: NativeBeta, threads?: number): Promise<void>;
  readVisible(): Float32Array;
  readHidden(): Float32Array;
  visibleProbabilities(): Float32Array;
  dispose(): void;
}

/**
 * A Langevin run's arguments, positional (see NativeRunArgs): integrator (0 Euler–Maruyama,
 * 1 Leimkuhler–Matthews, 2 BAOAB), steps, dt, mobility, friction, kT / couplingScale / fieldScale (1 or
 * steps + 1 values), observe bits, every, burnIn, threads.
 */
export type NativeLangevinArgs = [
  integrator: number,
  steps: number,
  dt: number,
  mobility: number,
  friction: number,
  kT: Float32Array,
  couplingScale: Float32Array,
  fieldScale: Float32Array,
  observe: number,
  every: number,
  burnIn: number,
  threads?: number,
];

/** [trajectory, velocities, energy, heat, mean, meanSquare, samples, momentSteps, seconds]. */
export type NativeLangevinResult = [
  trajectory: Float32Array | undefined,
  velocities: Float32Array | undefined,
  energy: Float64Array | undefined,
  heat: Float64Array | undefined,
  mean: Float64Array | undefined,
  meanSquare: Float64Array | undefined,
  samples: number,
  momentSteps: number,
  seconds: number,
];

/** Native Langevin chains (arrays row-major chains × units). */
export interface NativeLangevinChains {
  setOnsite(quadratic: Float32Array, quartic: Float32Array, bias: Float32Array, mass: Float32Array): void;
  clearCouplings(): void;
  addBlock(rowStart: number, rows: number, colStart: number, cols: number, weights: Float32Array): void;
  setSparse(rowPtr: Int32Array, cols: Int32Array, values: Float32Array): void;
  setState(states: Float32Array): void;
  setVelocity(velocities: Float32Array): void;
  setField(field: Float32Array | undefined): void;
  setClamp(nodes: Int32Array, values: Float32Array): void;
  run(...args: NativeLangevinArgs): NativeLangevinResult;
  runAsync(cancel: NativeCancelToken | undefined, ...args: NativeLangevinArgs): Promise<NativeLangevinResult>;
  readState(out?: Float32Array): Float32Array;
  readVelocity(): Float32Array;
  energies(couplingScale: number, fieldScale: number): Float64Array;
  dispose(): void;
}

/** TNGD's analog device in Jacobian row-space coordinates (native/core/tngd_device.h). */
export interface NativeTngdDevice {
  load(
    batch: number,
    classes: number,
    gram: Float32Array,
    probs: Float32Array,
    curvatureScale: number,
    gradient: Float32Array,
    noisy: boolean,
  ): { largestCurvature: number; rank: number };
  run(
    steps: number,
    dt: number,
    damping: number,
    sigma: number,
    y: Float32Array,
    v: Float32Array,
    h: Float32Array | undefined,
  ): void;
  foldNoise(h: Float32Array, jZeta: Float32Array, scale: number, v: Float32Array): void;
  dispose(): void;
}

/** Peak float32 multiply-add throughput of this machine, measured on the active SIMD level. */
export interface NativeCeiling {
  /** float32 multiply-adds (FMA lanes) per ns, all `threads` together. */
  fmaPerNs: number;
  threads: number;
  simd: string;
}

export interface NativeAddon {
  info(): NativeInfo;
  measureCeiling(options?: { threads?: number; seconds?: number }): NativeCeiling;
  setSimd(name: string): string;
  Graph: new (numNodes: number, src: Int32Array, dst: Int32Array, colouring: string | Int32Array) => NativeGraph;
  GibbsChains: new (graph: NativeGraph, chains: number, seed: number | bigint) => NativeGibbsChains;
  QuantizedChains: new (graph: NativeGraph, chains: number, seed: number | bigint) => NativeQuantizedChains;
  /** The multispin kernel's chains; refusal says why a quantized model does not fit it (null when it does). */
  MultispinChains: {
    new (graph: NativeGraph, chains: number, seed: number | bigint): NativeQuantizedChains;
    refusal(graph: NativeGraph, couplings: Int32Array, biases: Int32Array): string | null;
  };
  CancelToken: new () => NativeCancelToken;
  /** C = alpha·op(A)·op(B) + beta·C, row-major float32; bit-identical for any thread count. */
  gemm(
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
  ): void;
  /** Fused layer conditional: p = σ(β(bias + input·W or ·Wᵀ)), samples [u < p]; same (seed, stream, row) → same draws. */
  rbmConditional(
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
  ): void;
  RbmChains: new (numVisible: number, numHidden: number, numChains: number, seed: number | bigint) => NativeRbmChains;
  LangevinChains: new (numUnits: number, numChains: number, seed: number | bigint) => NativeLangevinChains;
  TngdDevice: new (seed: number | bigint) => NativeTngdDevice;
  /** Fills `out` with standard normals of stream `stream` under `seed` (the Langevin engine's generator). */
  randomNormals(out: Float32Array, seed: number | bigint, stream: number | bigint): void;
  /** The stream seed of (seed, tag, index), native/core/seed.h (lib/util/seed.ts computes the same). */
  deriveSeed(seed: number | bigint, tag: string, index: number | bigint): bigint;
}

/** The package root: the nearest directory above this file holding heatbath's package.json. */
function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'heatbath') return dir;
    } catch {
      // no readable package.json here: keep looking upwards
    }
    if (path.dirname(dir) === dir) return path.resolve(start, '..', '..');
  }
}

export const packageRoot = findPackageRoot(__dirname);

let loaded: { addon: NativeAddon; file: string } | undefined;

/** An error raised by our own addon while initialising (e.g. a bad HEATBATH_SIMD), not a missing binary. */
function isOurs(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('ERR_') && code !== 'ERR_DLOPEN_FAILED';
}

/**
 * HEATBATH_ADDON names a binary to load instead of the usual search, e.g. a build with sanitizers;
 * failing to load it is an error, never a silent fall-back to another binary.
 */
function loadNamed(file: string): { addon: NativeAddon; file: string } {
  const resolved = path.resolve(file);
  try {
    return { addon: require(resolved) as NativeAddon, file: resolved };
  } catch (err) {
    if (isOurs(err)) throw asHeatbathError(err);
    throw new HeatbathError('ERR_NATIVE_MISSING', `HEATBATH_ADDON=${file} could not be loaded: ${(err as Error).message.split('\n')[0]}`, {
      cause: err,
    });
  }
}

/**
 * node-gyp-build picks the binary: a local build (build/Release, from `npm rebuild` or a checkout) if there
 * is one, else the prebuild in prebuilds/<platform>-<arch>/ whose tags (libc, Node-API) fit this process.
 * It is the same choice its install step made when it decided nothing needed compiling, and a binary the
 * user built on purpose wins over the shipped one. HEATBATH_PREBUILD=<dir> points it at another folder.
 */
function load(): { addon: NativeAddon; file: string } {
  const named = process.env.HEATBATH_ADDON;
  if (named) return loadNamed(named);
  let file = 'no binary found';
  try {
    const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };
    file = nodeGypBuild.resolve(packageRoot);
    return { addon: require(file) as NativeAddon, file };
  } catch (err) {
    if (isOurs(err)) throw asHeatbathError(err);
    throw new HeatbathError(
      'ERR_NATIVE_MISSING',
      `heatbath's native addon could not be loaded for ${process.platform}-${process.arch} (Node ${process.version}; ` +
        `${file}): ${(err as Error).message.split('\n')[0]}\n  Build it from source with ` +
        '"npm rebuild heatbath --build-from-source" (needs python3, make and a C++17 compiler; see docs/install.md), ' +
        'or "npm run build" in a checkout.',
      { cause: err },
    );
  }
}

/** The loaded addon (loaded once per environment, on first use). */
export function native(): NativeAddon {
  loaded ??= load();
  return loaded.addon;
}

/** Path of the binary that was loaded. */
export function nativeFile(): string {
  native();
  return loaded!.file;
}
