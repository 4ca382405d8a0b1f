/**
 * heatbath: thermodynamic-computer simulation for Node.js.
 * The public API: graphs, models, sampling, training helpers, files, and engine information.
 */
import { native, nativeFile } from './native';
import { callNative } from './errors';
import { checkInteger } from './util/validate';

export { HeatbathError, ErrorCode } from './errors';
export * as graphs from './graphs';
export { Graph, Blocks, GraphOptions } from './graphs/graph';
export { IsingModel, IsingParameters, spinsToBinary } from './models/ising';
export {
  GibbsChains,
  GibbsTarget,
  ChainOptions,
  Observable,
  SampleOptions,
  RunResult,
  SampleResult,
  StreamOptions,
  sample,
  sampleSync,
  stream,
} from './sampling/gibbs';
export { BetaSchedule, Schedule, linearBeta, totalSweeps } from './sampling/schedule';
export { estimateKlGradient, estimateKlGradientSync, KlGradient, KlGradientOptions } from './training/kl-gradient';
export { writePngGrid, encodeGrid } from './io/png';

export interface EngineInfo {
  /** Instruction set of the active kernels ('avx2' or 'scalar'). */
  simd: string;
  /** Instruction sets this CPU supports, best last. */
  simdAvailable: string[];
  /** Default size of the native thread pool. */
  hardwareThreads: number;
  /** Chains per SIMD tile: chain counts that are multiples of it waste no lanes. */
  lanes: number;
  /** The binary that was loaded (a prebuild or the local build). */
  binary: string;
}

export function engineInfo(): EngineInfo {
  return { ...callNative(() => native().info()), binary: nativeFile() };
}

/**
 * Forces the kernels' instruction set for this environment ('scalar' or 'avx2'); the default is the
 * best the CPU supports, or HEATBATH_SIMD if set. Returns the active one.
 */
export function setSimd(name: 'scalar' | 'avx2' | string): string {
  return callNative(() => native().setSimd(name));
}

/** Default thread count of sampling calls. */
export function defaultThreads(): number {
  return checkInteger('hardwareThreads', native().info().hardwareThreads, 1);
}
