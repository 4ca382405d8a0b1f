/**
 * Training the generative thermodynamic computer by reverse-path likelihood (SCIENCE.md §5): each
 * mini-batch of images is noised (gtc-noising.ts), and the parameters move to make the θ-dynamics more
 * likely to run those noising trajectories backwards (gtc-gradient.ts). The trajectories are simulated
 * step by step and their steps gathered into chunks of rows for the matrix products, so memory stays
 * bounded; `stride` > 1 uses every stride-th step of each trajectory (an unbiased estimate of the full
 * path gradient at a fraction of the cost).
 */
import { HeatbathError } from '../errors';
import type { DigitDataset } from '../io/dataset';
import type { GenerativeComputer } from '../models/gtc';
import { SeededRandom } from '../util/random';
import { checkFinite, checkInteger, checkSignal, checkThreads, invalid } from '../util/validate';
import { DecoderFit } from '../models/gtc-decoder';
import { PathGradient } from './gtc-gradient';
import { hiddenProjection, Noising } from './gtc-noising';
import { chooseOptimizer, Optimizer, ParamGroup } from '../nn/optimizers';
import { asSchedule, StepSchedule } from '../engines/schedules';
import { deriveSeed } from '../util/seed';

export interface GtcTrainingOptions {
  /** Passes over the images (default 1). */
  epochs?: number;
  /** Trajectories per parameter update (default 32). */
  batchSize?: number;
  /** Use every stride-th step of each trajectory, from a random offset (default 1: all steps). */
  stride?: number;
  /** Steps (of those used) whose rows form one matrix product (default: about 1,024 rows, 1,024 / batchSize steps). */
  chunkSteps?: number;
  /** 'trajectory' (default): one update per batch of whole trajectories; 'online': one per chunk of steps. */
  update?: 'trajectory' | 'online';
  /** A number or a schedule (update, totalUpdates) (default 1e-3 with Adam). */
  learningRate?: number | StepSchedule;
  /** 'adam' (default), 'sgd', or an optimizer from lib/nn/optimizers. */
  optimizer?: 'adam' | 'sgd' | Optimizer;
  /** L2 weight decay on the couplings (default 0). */
  weightDecay?: number;
  /** Train the visible biases too (default true; the paper keeps them at 0, which leaves U even in x for b_h = 0). */
  trainVisibleBias?: boolean;
  /**
   * Starting label couplings of a fresh model: 'data' (default) sets J_lv = −2 (s̄_l − s̄), the field
   * that writes how class l's mean image differs from the mean of all images (as phase 1 writes an
   * image), so conditioning works from the start while labels at 0 leave the common part to the rest
   * of the model; 'zero' starts them at 0 like every other parameter.
   */
  labelInit?: 'data' | 'zero';
  /** Share of labelled trajectories trained with the label units at 0, so unconditional generation works (default 0.2). */
  labelDropout?: number;
  seed?: number;
  threads?: number;
  signal?: AbortSignal;
  /** Called after every update with the trajectories done so far and the total. */
  onUpdate?: (done: number, total: number, stats: { loss: number }) => void;
  /** Called after every epoch; may be async (checkpoints). */
  onEpoch?: (stats: GtcEpochStats, model: GenerativeComputer) => void | Promise<void>;
}

export interface GtcEpochStats {
  epoch: number;
  epochs: number;
  trajectories: number;
  seconds: number;
  learningRate: number;
  /** Mean reverse-step loss per unit and step: 0.5 when the θ-dynamics' noise matches ω's exactly. */
  loss: number;
}

/**
 * Trains `model` in place on `data` and returns per-epoch figures. A fresh model (never trained) takes
 * its pixel normalisation from the data; the decoder is refitted on every run's image states. An
 * AbortSignal stops training between chunks (ERR_ABORTED; parameters of the last update kept).
 */
export async function trainGtc(
  model: GenerativeComputer,
  data: DigitDataset,
  options: GtcTrainingOptions = {},
): Promise<GtcEpochStats[]> {
  const run = new GtcTrainer(model, data, options);
  try {
    return await run.train();
  } finally {
    run.noising.chains.dispose(); // the noising chains' native memory, freed now
  }
}

class GtcTrainer {
  private readonly epochs: number;
  private readonly batch: number;
  private readonly stride: number;
  private readonly chunkSteps: number;
  private readonly online: boolean;
  private readonly learningRate: StepSchedule;
  private readonly optimizer: Optimizer;
  private readonly labelDropout: number;
  private readonly signal?: AbortSignal;
  private readonly rng: SeededRandom;
  readonly noising: Noising;
  private readonly gradient: PathGradient;
  private readonly groups: ParamGroup[];
  private readonly decoderFit = new DecoderFit();
  private readonly batchesPerEpoch: number;
  private readonly totalUpdates: number;
  private readonly stateA: Float32Array;
  private readonly stateB: Float32Array;
  // A batch's images and label values, kept between batches.
  private readonly pixels: Float32Array;
  private readonly labels: Float32Array;
  private updates = 0;
  private lastRate = 0;

  constructor(
    private readonly model: GenerativeComputer,
    private readonly data: DigitDataset,
    private readonly options: GtcTrainingOptions,
  ) {
    if (typeof options !== 'object' || options === null) throw invalid('training options must be an object');
    const { visible: V, labels: L } = model;
    if (data.rows * data.cols !== V)
      throw invalid(`the images have ${data.rows * data.cols} pixels; the model has ${V} visible units`);
    if (data.count < 1) throw invalid('the training data holds no images');
    if (L > 0 && data.labels.length !== data.count) throw invalid('a model with label units needs labelled images');
    if (L > 0)
      for (const y of data.labels) if (y >= L) throw invalid(`label ${y} is out of range for ${L} label units`);
    this.epochs = checkInteger('epochs', options.epochs ?? 1, 1);
    this.batch = checkInteger('batchSize', options.batchSize ?? 32, 1, 1 << 16);
    this.stride = checkInteger('stride', options.stride ?? 1, 1, model.stepsPerPhase);
    const usedSteps = Math.ceil(model.stepsPerPhase / this.stride);
    this.chunkSteps = Math.min(
      usedSteps,
      checkInteger('chunkSteps', options.chunkSteps ?? Math.ceil(1024 / this.batch), 1),
    );
    const update = options.update ?? 'trajectory';
    if (update !== 'trajectory' && update !== 'online') throw invalid("update must be 'trajectory' or 'online'");
    this.online = update === 'online';
    this.learningRate = asSchedule('learningRate', options.learningRate ?? 1e-3);
    this.optimizer = chooseOptimizer(options.optimizer ?? 'adam', {
      weightDecay: checkFinite('weightDecay', options.weightDecay ?? 0),
    });
    this.labelDropout = checkFinite('labelDropout', options.labelDropout ?? 0.2);
    if (this.labelDropout < 0 || this.labelDropout > 1)
      throw invalid(`labelDropout must be in [0, 1], got ${this.labelDropout}`);
    this.signal = checkSignal(options.signal);
    const seed = checkInteger('seed', options.seed ?? 0, 0);
    this.rng = new SeededRandom(seed);
    const threads = checkThreads(options.threads);

    const labelInit = options.labelInit ?? 'data';
    if (labelInit !== 'data' && labelInit !== 'zero') throw invalid("labelInit must be 'data' or 'zero'");
    if (model.info.trajectories === undefined) {
      model.decoder = { ...model.decoder, ...pixelStatistics(data.images) };
      model.info.projection_seed = seed;
      if (L > 0 && labelInit === 'data') setLabelFieldsFromData(model, data);
    }
    const projectionSeed = checkInteger('projection_seed', model.info.projection_seed ?? seed, 0);
    this.noising = new Noising(
      model,
      this.batch,
      hiddenProjection(model.hidden, V, projectionSeed),
      deriveSeed(seed, 'gtc-noising'),
      threads,
    );
    this.gradient = new PathGradient(model, this.chunkSteps * this.batch, threads);
    this.stateA = new Float32Array(this.batch * model.units);
    this.stateB = new Float32Array(this.batch * model.units);
    this.pixels = new Float32Array(this.batch * V);
    this.labels = new Float32Array(this.batch * L);
    const g = this.gradient;
    this.groups = [
      { name: 'visible_hidden', param: model.visibleHidden, grad: g.gradVisibleHidden },
      { name: 'hidden_hidden', param: model.hiddenHidden, grad: g.gradHiddenHidden },
      { name: 'hidden_bias', param: model.hiddenBias, grad: g.gradHiddenBias, decay: false },
    ];
    if (options.trainVisibleBias ?? true)
      this.groups.push({ name: 'visible_bias', param: model.visibleBias, grad: g.gradVisibleBias, decay: false });
    if (L > 0) {
      this.groups.push({ name: 'label_visible', param: model.labelVisible, grad: g.gradLabelVisible });
      this.groups.push({ name: 'label_hidden', param: model.labelHidden, grad: g.gradLabelHidden });
    }
    this.batchesPerEpoch = Math.ceil(data.count / this.batch);
    const chunksPerBatch = Math.ceil(usedSteps / this.chunkSteps);
    this.totalUpdates = this.epochs * this.batchesPerEpoch * (this.online ? chunksPerBatch : 1);
  }

  async train(): Promise<GtcEpochStats[]> {
    const { model, data } = this;
    const history: GtcEpochStats[] = [];
    const order = Int32Array.from({ length: data.count }, (_, k) => k);
    const rows = new Int32Array(this.batch);
    const { batchesPerEpoch } = this;
    const total = this.epochs * batchesPerEpoch * this.batch;
    let done = 0;
    for (let epoch = 1; epoch <= this.epochs; epoch++) {
      const started = process.hrtime.bigint();
      this.rng.shuffle(order);
      let loss = 0;
      let unitSteps = 0;
      for (let b = 0; b < batchesPerEpoch; b++) {
        // The last batch wraps around to the start of the order: every batch is full.
        for (let k = 0; k < this.batch; k++) rows[k] = order[(b * this.batch + k) % data.count];
        const batchLoss = await this.trainBatch(rows);
        // Refitted after every batch, so a model saved after an abort decodes with what was seen.
        model.decoder = this.decoderFit.result(model.decoder.pixelMean, model.decoder.pixelStd);
        loss += batchLoss.loss;
        unitSteps += batchLoss.unitSteps;
        done += this.batch;
        this.options.onUpdate?.(done, total, { loss: batchLoss.loss / batchLoss.unitSteps });
      }
      model.info.trajectories = Number(model.info.trajectories ?? 0) + batchesPerEpoch * this.batch;
      const stats: GtcEpochStats = {
        epoch,
        epochs: this.epochs,
        trajectories: batchesPerEpoch * this.batch,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        learningRate: this.lastRate,
        loss: loss / unitSteps,
      };
      history.push(stats);
      await this.options.onEpoch?.(stats, model);
    }
    return history;
  }

  /** Noises the images `rows` and takes one update (or one per chunk when online); returns the loss summed. */
  private async trainBatch(rows: Int32Array): Promise<{ loss: number; unitSteps: number }> {
    const { model, data, batch, gradient, noising } = this;
    const { visible: V, labels: L } = model;
    const { pixels, labels } = this;
    labels.fill(0);
    rows.forEach((r, b) => {
      pixels.set(data.images.subarray(r * V, (r + 1) * V), b * V);
      if (L > 0 && this.rng.float() >= this.labelDropout) labels[b * L + data.labels[r]] = 1;
    });
    await noising.writeImages(pixels, labels, this.signal);
    let start = noising.read(this.stateA);
    let end = this.stateB;
    this.decoderFit.add(start, pixels, batch, V, model.units);
    for (let b = 0; b < batch; b++) gradient.rowLabels.set(labels.subarray(b * L, (b + 1) * L), b * L);

    // Steps offset, offset + stride, … of phase 2; `at` is the step the chains are at, `start` its state.
    const K = model.stepsPerPhase;
    const weight = this.stride / batch;
    let at = 0;
    let filled = 0;
    let loss = 0;
    let unitSteps = 0;
    gradient.reset();
    const flush = async () => {
      gradient.accumulate(filled * batch, weight);
      filled = 0;
      if (this.online) {
        loss += gradient.loss;
        unitSteps += gradient.unitSteps;
        this.update();
        gradient.reset();
      }
      await new Promise((resolve) => setImmediate(resolve));
      if (this.signal?.aborted) throw new HeatbathError('ERR_ABORTED', 'training was aborted');
    };
    for (let step = this.rng.int(this.stride); step < K; step += this.stride) {
      if (step > at) {
        noising.advance(at, step - at);
        start = noising.read(start);
      }
      noising.advance(step, 1);
      end = noising.read(end);
      at = step + 1;
      this.gatherRows(start, end, filled++);
      [start, end] = [end, start];
      if (filled === this.chunkSteps) await flush();
    }
    if (filled > 0) await flush();
    if (!this.online) {
      loss = gradient.loss;
      unitSteps = gradient.unitSteps;
      this.update();
    }
    return { loss, unitSteps };
  }

  /** Copies one step of every chain (from `start` to `end` states, batch × units) into row block `block`. */
  private gatherRows(start: Float32Array, end: Float32Array, block: number): void {
    const { visible: V, hidden: H, labels: L, units: N } = this.model;
    const g = this.gradient;
    const batch = this.batch;
    for (let b = 0; b < batch; b++) {
      const row = block * batch + b;
      const e = b * N;
      copyStep(start, end, e, V, g.endVisible, g.stepVisible, row * V);
      copyStep(start, end, e + V, H, g.endHidden, g.stepHidden, row * H);
      if (block > 0 && L > 0) g.rowLabels.copyWithin(row * L, b * L, (b + 1) * L);
    }
  }

  private update(): void {
    this.lastRate = this.learningRate(this.updates, this.totalUpdates);
    this.optimizer.step(this.groups, this.lastRate);
    this.updates++;
  }
}

/** J_lv = −2 (s̄_l − s̄): the phase-1 field of class l's mean image less that of the mean of all images. */
function setLabelFieldsFromData(model: GenerativeComputer, data: DigitDataset): void {
  const { visible: V, labels: L } = model;
  const { pixelStd } = model.decoder;
  const sums = new Float64Array(L * V);
  const counts = new Float64Array(L);
  for (let r = 0; r < data.count; r++) {
    const l = data.labels[r];
    counts[l]++;
    for (let i = 0; i < V; i++) sums[l * V + i] += data.images[r * V + i];
  }
  const overall = new Float64Array(V); // every label is < L (checked), so the class sums add up to all images
  for (let l = 0; l < L; l++) for (let i = 0; i < V; i++) overall[i] += sums[l * V + i] / data.count;
  for (let l = 0; l < L; l++) {
    if (counts[l] === 0) continue;
    for (let i = 0; i < V; i++)
      model.labelVisible[l * V + i] = (-2 * (sums[l * V + i] / counts[l] - overall[i])) / pixelStd;
  }
}

/** width units from `from` of one chain's step: the end state to ends[at…], the displacement to steps[at…]. */
function copyStep(
  start: Float32Array,
  end: Float32Array,
  from: number,
  width: number,
  ends: Float32Array,
  steps: Float32Array,
  at: number,
): void {
  for (let i = 0; i < width; i++) {
    ends[at + i] = end[from + i];
    steps[at + i] = end[from + i] - start[from + i];
  }
}

/** Mean and standard deviation of all pixels: the normalisation s = (pixel − mean) / std. */
function pixelStatistics(images: Float32Array): { pixelMean: number; pixelStd: number } {
  let sum = 0;
  let sumSquares = 0;
  for (const p of images) {
    sum += p;
    sumSquares += p * p;
  }
  const pixelMean = sum / images.length;
  const variance = sumSquares / images.length - pixelMean * pixelMean;
  if (!(variance > 0)) throw invalid('the training images are all the same intensity: nothing to learn');
  return { pixelMean, pixelStd: Math.sqrt(variance) };
}
