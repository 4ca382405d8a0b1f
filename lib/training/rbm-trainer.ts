/**
 * Contrastive divergence (CD-k) and persistent contrastive divergence (PCD-k, Tieleman 2008) for RBMs.
 * Per mini-batch of B rows, the log-likelihood gradient is estimated as
 *   ∂/∂W = ⟨v hᵀ⟩_data − ⟨v hᵀ⟩_model,  ∂/∂b = ⟨v⟩_data − ⟨v⟩_model,  ∂/∂c = ⟨h⟩_data − ⟨h⟩_model,
 * with hidden probabilities in place of hidden samples (lower variance, same expectation). The model
 * term comes from k Gibbs sweeps started at the data (CD) or at persistent chains (PCD).
 */
import { HeatbathError } from '../errors';
import { gemm } from '../engines/rbm';
import type { RBM } from '../models/rbm';
import { chooseOptimizer, Optimizer, ParamGroup } from '../nn/optimizers';
import { asSchedule, StepSchedule } from '../engines/schedules';
import { checkFits } from '../native/memory';
import { SeededRandom } from '../util/random';
import { checkFinite, checkInteger, checkSignal, checkThreads, invalid } from '../util/validate';
import { pseudoLogLikelihood, reconstructionError } from './rbm-monitor';

/** Rows of training data: count × width values in [0, 1] (binary or probabilities). */
export interface TrainingData {
  readonly images: Float32Array;
  readonly count: number;
}

export interface RbmEpochStats {
  epoch: number;
  epochs: number;
  /** Wall-clock seconds of this epoch's updates (monitoring excluded). */
  seconds: number;
  learningRate: number;
  /** Mean squared error of one-step reconstructions, per pixel, on the monitoring rows. */
  reconstructionError: number;
  /** Mean pseudo-log-likelihood per image on the monitoring rows (when `monitor.pseudoLikelihood`). */
  pseudoLogLikelihood?: number;
}

export interface RbmTrainingOptions {
  /** 'pcd' (default) or 'cd'. */
  method?: 'cd' | 'pcd';
  /** Gibbs sweeps per gradient estimate (default 1). */
  k?: number;
  epochs?: number;
  batchSize?: number;
  /** A number or a schedule (step, totalSteps) over mini-batch steps (default 0.01). */
  learningRate?: number | StepSchedule;
  /** 'sgd' (default, momentum 0.5), 'adam', or an optimizer from lib/nn/optimizers. */
  optimizer?: 'sgd' | 'adam' | Optimizer;
  momentum?: number;
  /** L2 weight decay on W (not on biases), default 1e-4. */
  weightDecay?: number;
  /** PCD: number of persistent chains (default batchSize). */
  persistentChains?: number;
  seed?: number;
  threads?: number;
  signal?: AbortSignal;
  /** Rows used for the per-epoch figures (default 1,000 training rows; pseudo-likelihood off by default). */
  monitor?: { rows?: number; pseudoLikelihood?: boolean };
  /** Called after every epoch; may be async (checkpoints). */
  onEpoch?: (stats: RbmEpochStats, rbm: RBM) => void | Promise<void>;
}

/**
 * Trains `rbm` in place on `data` (count×V rows) and returns the per-epoch figures. Yields to the event
 * loop between mini-batches so an AbortSignal can stop it (ERR_ABORTED, parameters of the last
 * finished step kept).
 */
export async function trainRbm(
  rbm: RBM,
  data: TrainingData,
  options: RbmTrainingOptions = {},
): Promise<RbmEpochStats[]> {
  const run = new CdTrainer(rbm, data, options);
  const history: RbmEpochStats[] = [];
  const signal = checkSignal(options.signal);
  for (let epoch = 1; epoch <= run.epochs; epoch++) {
    const started = process.hrtime.bigint();
    for (let batch = 0; batch < run.batchesPerEpoch; batch++) {
      if (signal?.aborted) throw new HeatbathError('ERR_ABORTED', `training was aborted in epoch ${epoch}`);
      run.step(batch);
      if (batch % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const stats = run.epochStats(epoch, seconds);
    history.push(stats);
    await options.onEpoch?.(stats, rbm);
    run.shuffle();
  }
  return history;
}

class CdTrainer {
  readonly epochs: number;
  readonly batchesPerEpoch: number;
  private readonly V: number;
  private readonly H: number;
  private readonly persistent: boolean;
  private readonly k: number;
  private readonly batchSize: number;
  private readonly negativeRows: number;
  private readonly learningRate: StepSchedule;
  private readonly optimizer: Optimizer;
  private readonly seed: number;
  private readonly threads: number | undefined;
  private readonly order: Int32Array;
  private readonly rng: SeededRandom;
  private readonly monitorRows: Float32Array;
  private readonly monitorCount: number;
  private readonly monitorPll: boolean;
  private stepCount = 0;
  private stream = 0;
  private lastRate = 0;
  // Buffers reused by every step.
  private readonly batch: Float32Array;
  private readonly dataHidden: Float32Array;
  private readonly negVisible: Float32Array;
  private readonly negVisibleProb: Float32Array;
  private readonly negHidden: Float32Array;
  private readonly negHiddenProb: Float32Array;
  private readonly gradW: Float32Array;
  private readonly gradB: Float64Array;
  private readonly gradC: Float64Array;
  private readonly groups: ParamGroup[];

  constructor(
    private readonly rbm: RBM,
    private readonly data: TrainingData,
    options: RbmTrainingOptions,
  ) {
    this.V = rbm.numVisible;
    this.H = rbm.numHidden;
    if (data.images.length !== data.count * this.V) {
      throw invalid(
        `training data has ${data.images.length} values; expected ${data.count} rows × ${this.V} visible units`,
      );
    }
    for (let k = 0; k < data.images.length; k++) {
      const x = data.images[k];
      if (!(x >= 0 && x <= 1)) throw invalid(`training data value ${k} is ${x}; values must lie in [0, 1]`);
    }
    const method = options.method ?? 'pcd';
    if (method !== 'cd' && method !== 'pcd') throw invalid(`method must be 'cd' or 'pcd', not ${String(method)}`);
    this.persistent = method === 'pcd';
    this.k = checkInteger('k', options.k ?? 1, 1, 10000);
    this.epochs = checkInteger('epochs', options.epochs ?? 10, 1);
    this.batchSize = checkInteger('batchSize', options.batchSize ?? 64, 1, data.count);
    this.batchesPerEpoch = Math.floor(data.count / this.batchSize);
    this.negativeRows = this.persistent
      ? checkInteger('persistentChains', options.persistentChains ?? this.batchSize, 1)
      : this.batchSize;
    this.learningRate = asSchedule('learningRate', options.learningRate ?? 0.01);
    this.optimizer = chooseOptimizer(options.optimizer ?? 'sgd', {
      weightDecay: checkFinite('weightDecay', options.weightDecay ?? 1e-4),
      momentum: checkFinite('momentum', options.momentum ?? 0.5),
    });
    this.seed = checkInteger('seed', options.seed ?? 0, 0);
    this.threads = checkThreads(options.threads);
    this.rng = new SeededRandom(this.seed);
    this.order = Int32Array.from({ length: data.count }, (_, i) => i);
    this.shuffle();

    this.monitorCount = Math.min(data.count, checkInteger('monitor.rows', options.monitor?.rows ?? 1000, 1));
    this.monitorRows = data.images.subarray(0, this.monitorCount * this.V);
    this.monitorPll = options.monitor?.pseudoLikelihood ?? false;

    const B = this.batchSize;
    const N = this.negativeRows;
    // All of the trainer's buffers together (float32, the biases' gradients float64), before any is allocated.
    checkFits(
      4 * (B * (this.V + this.H) + 2 * N * (this.V + this.H) + this.V * this.H) + 8 * (this.V + this.H),
      `training with a batch of ${B} and ${N} ${this.persistent ? 'persistent' : 'negative'} chains`,
    );
    this.batch = new Float32Array(B * this.V);
    this.dataHidden = new Float32Array(B * this.H);
    this.negVisible = new Float32Array(N * this.V);
    this.negVisibleProb = new Float32Array(N * this.V);
    this.negHidden = new Float32Array(N * this.H);
    this.negHiddenProb = new Float32Array(N * this.H);
    this.gradW = new Float32Array(this.V * this.H);
    this.gradB = new Float64Array(this.V);
    this.gradC = new Float64Array(this.H);
    this.groups = [
      { name: 'weights', param: rbm.weights, grad: this.gradW },
      { name: 'visibleBias', param: rbm.visibleBias, grad: this.gradB, decay: false },
      { name: 'hiddenBias', param: rbm.hiddenBias, grad: this.gradC, decay: false },
    ];
    if (this.persistent) this.initPersistentChains();
  }

  /** Persistent chains start at random training rows, hidden units sampled from them. */
  private initPersistentChains(): void {
    for (let r = 0; r < this.negativeRows; r++) {
      const row = this.rng.int(this.data.count);
      const src = this.data.images.subarray(row * this.V, (row + 1) * this.V);
      for (let i = 0; i < this.V; i++) this.negVisible[r * this.V + i] = this.rng.float() < src[i] ? 1 : 0;
    }
    this.rbm.hiddenGivenVisible(this.negVisible, this.negativeRows, this.sampling(this.negHiddenProb, this.negHidden));
  }

  shuffle(): void {
    this.rng.shuffle(this.order);
  }

  step(batchIndex: number): void {
    const { V, H, batchSize: B, negativeRows: N, rbm } = this;
    for (let r = 0; r < B; r++) {
      const row = this.order[batchIndex * B + r];
      this.batch.set(this.data.images.subarray(row * V, (row + 1) * V), r * V);
    }
    // Positive phase: hidden probabilities given the data (and samples to start CD's chains).
    rbm.hiddenGivenVisible(this.batch, B, this.sampling(this.dataHidden, this.persistent ? undefined : this.negHidden));

    // Negative phase: k sweeps from the data's hidden samples (CD) or from the persistent chains (PCD).
    for (let s = 0; s < this.k; s++) {
      rbm.visibleGivenHidden(this.negHidden, N, this.sampling(this.negVisibleProb, this.negVisible));
      rbm.hiddenGivenVisible(this.negVisible, N, this.sampling(this.negHiddenProb, this.negHidden));
    }

    // Loss gradient (the negative log-likelihood's): model term minus data term.
    gemm(true, false, V, H, N, 1 / N, this.negVisible, this.negHiddenProb, 0, this.gradW, this.threads);
    gemm(true, false, V, H, B, -1 / B, this.batch, this.dataHidden, 1, this.gradW, this.threads);
    columnMeanDifference(this.negVisible, N, this.batch, B, V, this.gradB);
    columnMeanDifference(this.negHiddenProb, N, this.dataHidden, B, H, this.gradC);

    this.lastRate = this.learningRate(this.stepCount, this.epochs * this.batchesPerEpoch);
    this.optimizer.step(this.groups, this.lastRate);
    this.stepCount++;
  }

  epochStats(epoch: number, seconds: number): RbmEpochStats {
    const stats: RbmEpochStats = {
      epoch,
      epochs: this.epochs,
      seconds,
      learningRate: this.lastRate,
      reconstructionError: reconstructionError(this.rbm, this.monitorRows, this.monitorCount, {
        threads: this.threads,
      }),
    };
    if (this.monitorPll) {
      const rows = Math.min(this.monitorCount, 100);
      stats.pseudoLogLikelihood = pseudoLogLikelihood(this.rbm, this.monitorRows.subarray(0, rows * this.V), rows, {
        threads: this.threads,
      });
    }
    return stats;
  }

  private sampling(probabilities: Float32Array, samples: Float32Array | undefined) {
    return { probabilities, samples, seed: this.seed, stream: this.stream++, threads: this.threads };
  }
}

/** out[j] = mean over rows of a[:, j] − mean over rows of b[:, j], in float64. */
function columnMeanDifference(
  a: Float32Array,
  aRows: number,
  b: Float32Array,
  bRows: number,
  width: number,
  out: Float64Array,
): void {
  out.fill(0);
  for (let r = 0; r < aRows; r++) for (let j = 0; j < width; j++) out[j] += a[r * width + j] / aRows;
  for (let r = 0; r < bRows; r++) for (let j = 0; j < width; j++) out[j] -= b[r * width + j] / bRows;
}
