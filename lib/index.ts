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
  QuantizedIsingModel,
  QuantizeOptions,
  QuantizationReport,
  FloatIsingParameters,
} from './models/quantized-ising';
export { QuantizedChainOptions, QuantizedChains, QuantizedKernel, QuantizedTarget } from './engines/quantized-chains';
export { QuantizedRBM, QuantizedRbmSampleOptions } from './models/quantized-rbm';
export { QuantizedDtm, QuantizedDtmStep, DtmQuantizationReport } from './models/quantized-dtm';
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
} from './engines/gibbs';
export { BetaSchedule, MAX_SWEEPS, Schedule, linearBeta, totalSweeps } from './engines/sweeps';
// Memory budget and seed derivation (docs/memory-and-seeds.md).
export { usableMemoryBytes } from './native/memory';
export { deriveSeed } from './util/seed';
export { estimateKlGradient, estimateKlGradientSync, KlGradient, KlGradientOptions } from './training/kl-gradient';
export { writePngGrid, encodeGrid } from './io/png';

// Restricted Boltzmann machines: the model, its dense engine, training and monitoring.
export { RBM, RbmOptions, RbmParameters, RbmSampleOptions, RbmSamples, ConditionalOptions } from './models/rbm';
export { gemm, rbmConditional, RbmChains, RbmRunOptions, RbmDirection, RbmProductPath } from './engines/rbm';
export { trainRbm, RbmTrainingOptions, RbmEpochStats, TrainingData } from './training/rbm-trainer';
export {
  reconstructionError,
  pseudoLogLikelihood,
  annealedLogPartition,
  logLikelihood,
  AisOptions,
  AisEstimate,
} from './training/rbm-monitor';
export * as optimizers from './nn/optimizers';
export { Optimizer, ParamGroup, SgdOptions, AdamOptions } from './nn/optimizers';
export * as schedules from './engines/schedules';
export { StepSchedule } from './engines/schedules';

// Files: models as safetensors, arrays as .npy, digits from the bundled set or IDX files.
import './models/model-kinds';
export {
  encodeSafetensors,
  decodeSafetensors,
  writeSafetensors,
  readSafetensors,
  Tensor,
  TensorData,
  Dtype as TensorDtype,
} from './io/safetensors';
export { encodeNpy, decodeNpy, writeNpy, readNpy, NdArray, NpyDtype } from './io/npy';
export {
  saveModel,
  loadModel,
  registerModelKind,
  modelKinds,
  encodeModel,
  decodeModel,
  ModelFile,
  SavableModel,
} from './io/model-file';
export { DigitDataset, BinarizeOptions, SplitOptions, binarize, splitDataset, subset } from './io/dataset';
export { IdxArray, readIdx, readIdxDataset, parseIdx } from './io/idx';
export { bundledDigits } from './io/mnist';
export { encodeLinePlot, writeLinePlot, PLOT_PALETTE, LineSeries, PlotPanel, LinePlotOptions } from './io/line-plot';

// Continuous units: Langevin networks, the SPU, exact Ornstein–Uhlenbeck processes and thermodynamic linear algebra.
export {
  LangevinNetwork,
  LangevinChains,
  simulate,
  randomNormals,
  langevin,
  interpolate,
  LangevinNetworkSpec,
  LangevinCouplings,
  CouplingBlock,
  LangevinRunOptions,
  LangevinRunResult,
  LangevinChainOptions,
  LangevinIntegrator,
  LangevinObservable,
  ProtocolValue,
  PiecewiseLinear,
} from './engines/langevin';
export { Spu, SpuOptions, SpuInverseOptions, SpuInverseResult } from './models/spu';

// The generative thermodynamic computer: model, training by reverse-path likelihood, energy ledger.
export { GenerativeComputer, GtcConfig, GtcDecoder, GtcGenerateOptions, GtcSamples, GTC_DEFAULTS } from './models/gtc';
export { trainGtc, GtcTrainingOptions, GtcEpochStats } from './training/gtc-trainer';
export { noisingFieldScale } from './training/gtc-noising';
export { BOLTZMANN_CONSTANT, ROOM_TEMPERATURE, joules, heatLedger, HeatLedger } from './models/energy';

// Extropic's denoising thermodynamic model: T conditional Boltzmann machines on a p-bit torus.
export { DenoisingModel, DtmConfig, DtmGenerateOptions, DtmSamples, DTM_DEFAULTS } from './models/dtm';
export { DtmLayout, DtmLayoutOptions, JumpSet } from './models/dtm-layout';
export { timeGrid, flipProbability, inputCoupling, noisePairs } from './models/dtm-noise';
export {
  trainDtm,
  DtmTrainingOptions,
  DtmEpochStats,
  DtmStepStats,
  DTM_TRAINING_DEFAULTS,
} from './training/dtm-trainer';
export { DtmGradientEstimator, DtmBatch, DtmGradient, DtmGradientOptions } from './training/dtm-gradient';
export { measureMixing, autocorrelation, AdaptivePenalty, Mixing, MixingOptions } from './training/dtm-mixing';
export { dtmEnergyLedger, DtmEnergyLedger, CELL_ENERGY_JOULES } from './models/dtm-energy';

export * as tla from './tla';
export { TlaOptions, TlaResult, TlaExpmOptions } from './tla';
export { OUProcess, OUOptions, OUSampleOptions, OUTrajectories, OUTransitionMatrices } from './models/ou';
export * as linalg from './linalg';

// Thermodynamic natural gradient descent: differentiable classifiers, the simulated device, exact NGD, training.
export {
  Classifier,
  LabelledBatch,
  Linearization,
  ggnProduct,
  SoftmaxRegression,
  MlpClassifier,
  MlpClassifierShape,
} from './nn';
export { tngd, TngdOptions } from './training/tngd';
export { ngd, naturalGradient, NaturalGradientOptions } from './training/ngd';
export {
  trainClassifier,
  evaluateClassifier,
  ClassifierTrainingOptions,
  ClassifierTrainingResult,
  TrainingPoint,
} from './training/classifier-trainer';

// How digit-like generated images are.
export {
  DigitClassifier,
  DigitClassifierOptions,
  DigitClassifierTraining,
  Classification,
} from './eval/digit-classifier';
export { trainDigitClassifier } from './eval/digit-training';
export { DigitClassifierCache, digitClassifier } from './eval/default-classifier';
export { DigitEvaluation, DigitScores, EvaluateDigitsOptions, evaluateDigits, classify } from './eval/digit-eval';
export { Features, Gaussian, FrechetReference, fitGaussian, frechetDistance } from './eval/frechet';

export interface EngineInfo {
  /** Instruction set of the active kernels ('avx512', 'avx2' or 'scalar'). */
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
 * Forces the kernels' instruction set for this environment ('scalar', 'avx2' or 'avx512'); the default is the
 * best the CPU supports, or HEATBATH_SIMD if set. Returns the active one.
 */
export function setSimd(name: 'scalar' | 'avx2' | 'avx512' | string): string {
  return callNative(() => native().setSimd(name));
}

/** Default thread count of sampling calls. */
export function defaultThreads(): number {
  return checkInteger('hardwareThreads', native().info().hardwareThreads, 1);
}
