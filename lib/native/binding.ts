/** The addon's interface: the classes and functions it exports, as TypeScript types. */
import type { NativeBeta, NativeLangevinArgs, NativeLangevinResult, NativeRunArgs, NativeRunResult } from './protocol';

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
