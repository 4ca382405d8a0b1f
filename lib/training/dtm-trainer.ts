/**
 * Training a denoising thermodynamic model (SCIENCE.md §3): every reverse step is its own conditional
 * Boltzmann machine, trained on pairs (x^{k−1}, x^k) noised from the data (dtm-gradient.ts) with Adam on a
 * learning-rate schedule. Once per epoch and step the chains' autocorrelation is measured (dtm-mixing.ts)
 * and drives that step's adaptive correlation penalty. Epochs visit every trained step in turn, so a run
 * stopped early leaves all steps trained alike; `steps` trains a subset (the steps are independent).
 */
import { checkDataset, DigitDataset } from '../io/dataset';
import type { DenoisingModel } from '../models/dtm';
import { noisePairs } from '../models/dtm-noise';
import type { QuantizeOptions } from '../models/quantized-ising';
import { SeededRandom } from '../util/random';
import { checkInteger, checkSignal, invalid } from '../util/validate';
import { DtmGradientEstimator } from './dtm-gradient';
import { AdaptivePenalty, measureMixing, Mixing } from './dtm-mixing';
import { adam, Optimizer } from '../nn/optimizers';
import { asSchedule, cosine, StepSchedule } from '../engines/schedules';
import { checkSeed, deriveSeed } from '../util/seed';

export interface DtmTrainingOptions {
  /** Passes over the data, per step (default 10). */
  epochs?: number;
  /** Pairs per update, one pair per chain (default 128). */
  batchSize?: number;
  /** Sampling schedule of both phases (defaults: 100 warm-up sweeps, 20 samples 5 sweeps apart). */
  warmup?: number;
  samples?: number;
  thin?: number;
  /** A number or a schedule (update, total updates of the step) (default cosine from 0.02 to 0.0036). */
  learningRate?: number | StepSchedule;
  /**
   * The adaptive correlation penalty (default on, threshold 0.03, starting at λ = 0.01), or false for none.
   * `every`: updates between the controller's measurements (default: once per epoch, at its end).
   */
  acp?: false | { threshold?: number; initial?: number; every?: number };
  /** Rows (each run as two replica chains) of the autocorrelation measurement (default 64). */
  mixingRows?: number;
  /** Reverse steps to train (default all, 1…T). */
  steps?: number[];
  /**
   * Train in the loop with a chip's arithmetic: both phases and the mixing measurement sample the steps
   * quantized to this precision (re-quantized before every batch); Adam updates the float parameters.
   */
  precision?: QuantizeOptions;
  seed?: number;
  threads?: number;
  signal?: AbortSignal;
  /** After every update: updates done and total, over all steps. */
  onUpdate?: (done: number, total: number, stats: { step: number; denoiseError: number }) => void;
  /** After every epoch; may be async (checkpoints). */
  onEpoch?: (stats: DtmEpochStats, model: DenoisingModel) => void | Promise<void>;
}

export interface DtmStepStats {
  step: number;
  /** Share of output bits the negative chains get wrong, and the share copying x^k would get wrong. */
  denoiseError: number;
  copyError: number;
  /** Chain autocorrelation at long lags (the longer half, up to the warm-up's length), and the whole curve. */
  autocorrelation: number;
  mixing: Mixing;
  /** Effective samples per chain and phase: samples / max(1, integrated time / thin). */
  effectiveSamples: number;
  /** The correlation penalty λ used in this epoch (0 without ACP). */
  penalty: number;
}

export interface DtmEpochStats {
  epoch: number;
  epochs: number;
  seconds: number;
  learningRate: number;
  steps: DtmStepStats[];
  /** Spin updates in this epoch's training phases, and their rate while the engine ran (whole machine). */
  flips: number;
  flipsPerNs: number;
}

export const DTM_TRAINING_DEFAULTS = { epochs: 10, batchSize: 128, warmup: 100, samples: 20, thin: 5, mixingRows: 64 };

/** Trains `model` in place on `data` (labels needed when the model has label nodes) and returns per-epoch figures. */
export async function trainDtm(
  model: DenoisingModel,
  data: DigitDataset,
  options: DtmTrainingOptions = {},
): Promise<DtmEpochStats[]> {
  checkDataset('data', data);
  checkSignal(options.signal);
  const o = { ...DTM_TRAINING_DEFAULTS, ...options };
  const epochs = checkInteger('epochs', o.epochs, 0);
  const batch = checkInteger('batchSize', o.batchSize, 1, 1 << 16);
  const schedule = {
    warmup: checkInteger('warmup', o.warmup, 0),
    samples: checkInteger('samples', o.samples, 1),
    thin: checkInteger('thin', o.thin, 1),
  };
  const mixingRows = checkInteger('mixingRows', o.mixingRows, 2, 4096);
  const lr = asSchedule('learningRate', options.learningRate ?? cosine(0.02, 0.0036));
  const steps = (options.steps ?? Array.from({ length: model.steps }, (_, k) => k + 1)).map((k) =>
    checkInteger('step', k, 1, model.steps),
  );
  if (steps.length === 0 || new Set(steps).size !== steps.length)
    throw invalid('steps must list distinct reverse steps');
  const seed = checkSeed(o.seed ?? 0);
  if (data.rows * data.cols !== model.pixels)
    throw invalid(`the model has ${model.pixels} pixels; the images have ${data.rows * data.cols}`);
  if (data.count < batch) throw invalid(`batchSize (${batch}) exceeds the ${data.count} training images`);

  const width = model.layout.numOutputs;
  const clean = model.encode(data.images, model.classes > 0 ? data.labels : undefined, data.count);
  const rates = model.rates();
  const perEpoch = Math.floor(data.count / batch);
  const total = epochs * perEpoch * steps.length;
  const optimizers = new Map<number, Optimizer>(steps.map((k) => [k, adam()]));
  const estimators = new Map(
    steps.map((k) => [
      k,
      new DtmGradientEstimator(model, k, batch, deriveSeed(seed, 'dtm-gradient', k), options.precision),
    ]),
  );
  const penalties = new Map<number, AdaptivePenalty | undefined>(
    steps.map((k) => [k, o.acp === false ? undefined : new AdaptivePenalty(o.acp)]),
  );
  const acpEvery = o.acp === false || o.acp?.every === undefined ? perEpoch : checkInteger('acp.every', o.acp.every, 1);
  const gradient = {
    couplings: new Float64Array(model.numTorusEdges),
    biases: new Float64Array(model.layout.size ** 2),
  };
  const rowsClean = new Int8Array(batch * width);
  const before = new Int8Array(batch * width);
  const after = new Int8Array(batch * width);
  const mixingInputs = mixingSet(clean, width, Math.min(mixingRows, data.count), rates, model.steps, seed);
  const random = new SeededRandom(seed);
  const order = Int32Array.from({ length: data.count }, (_, i) => i);
  const history: DtmEpochStats[] = [];
  let done = 0;
  // The chains' autocorrelation up to the warm-up's length, on the same inputs every time.
  const mixingSchedule = {
    ...schedule,
    samples: Math.max(2, Math.floor(schedule.warmup / schedule.thin) + 1),
    threads: o.threads,
    signal: o.signal,
  };
  const measure = (k: number, update: number) =>
    measureMixing(
      model,
      k,
      mixingInputs[k - 1],
      { ...mixingSchedule, seed: deriveSeed(deriveSeed(seed, 'dtm-mixing', k), 'update', update) },
      estimators.get(k)!.samplingTarget(),
    );

  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const started = process.hrtime.bigint();
      let flips = 0;
      let engineSeconds = 0;
      const stepStats: DtmStepStats[] = [];
      const rate = lr((epoch - 1) * perEpoch, epochs * perEpoch);
      for (const k of steps) {
        random.shuffle(order);
        const penalty = penalties.get(k);
        let denoise = 0;
        let copy = 0;
        for (let b = 0; b < perEpoch; b++) {
          for (let r = 0; r < batch; r++)
            rowsClean.set(clean.subarray(order[b * batch + r] * width, (order[b * batch + r] + 1) * width), r * width);
          noisePairs(rowsClean, width, rates, model.steps, k, random, before, after);
          const update = (epoch - 1) * perEpoch + b;
          const g = await estimators
            .get(k)!
            .estimate(
              { before, after, rows: batch },
              { ...schedule, penalty: penalty?.lambda ?? 0, threads: o.threads, signal: o.signal },
              gradient,
            );
          optimizers.get(k)!.step(
            [
              { name: 'couplings', param: model.learnedCouplings(k), grad: g.couplings },
              { name: 'biases', param: model.learnedBiases(k), grad: g.biases, decay: false },
            ],
            lr(update, epochs * perEpoch),
          );
          flips += g.flips;
          engineSeconds += g.seconds;
          denoise += g.denoiseError;
          copy += disagreement(before, after);
          options.onUpdate?.(++done, total, { step: k, denoiseError: g.denoiseError });
          if (penalty && (b + 1) % acpEvery === 0 && b + 1 < perEpoch)
            penalty.update((await measure(k, update)).longLag);
        }
        const mixing = await measure(k, epoch * perEpoch);
        const used = penalty?.lambda ?? 0;
        penalty?.update(mixing.longLag);
        stepStats.push({
          step: k,
          denoiseError: denoise / perEpoch,
          copyError: copy / perEpoch,
          autocorrelation: mixing.longLag,
          mixing,
          effectiveSamples: schedule.samples / Math.max(1, mixing.integratedTime / schedule.thin),
          penalty: used,
        });
      }
      const stats: DtmEpochStats = {
        epoch,
        epochs,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        learningRate: rate,
        steps: stepStats,
        flips,
        flipsPerNs: engineSeconds > 0 ? flips / (engineSeconds * 1e9) : 0,
      };
      history.push(stats);
      await options.onEpoch?.(stats, model);
    }
  } finally {
    for (const estimator of estimators.values()) estimator.dispose(); // their native chains, freed now
  }
  return history;
}

/**
 * For each step k, x^k of `rows` images spread evenly over the data (sets are often sorted by class),
 * noised once with a fixed seed: the same inputs every epoch.
 */
function mixingSet(
  clean: Int8Array,
  width: number,
  rows: number,
  rates: Float64Array,
  T: number,
  seed: number | bigint,
): Int8Array[] {
  const random = new SeededRandom(deriveSeed(seed, 'dtm-mixing-set'));
  const count = clean.length / width;
  const first = new Int8Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const i = Math.floor((r * count) / rows);
    first.set(clean.subarray(i * width, (i + 1) * width), r * width);
  }
  const before = new Int8Array(rows * width);
  return Array.from({ length: T }, (_, k) => {
    const after = new Int8Array(rows * width);
    noisePairs(first, width, rates, T, k + 1, random, before, after);
    return after;
  });
}

function disagreement(a: Int8Array, b: Int8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n / a.length;
}
