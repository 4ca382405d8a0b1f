/**
 * `heatbath train gtc`: trains a generative thermodynamic computer on digits by reverse-path likelihood,
 * shows progress over trajectories, writes checkpoints and the final model, and reports the loss per
 * epoch. Ctrl-C stops after the current chunk of steps and still saves the model trained so far.
 */
import type { DigitDataset } from '../io/dataset';
import { loadModel } from '../io/model-file';
import { GenerativeComputer, GTC_DEFAULTS } from '../models/gtc';
import { GtcEpochStats, trainGtc } from '../training/gtc-trainer';
import { parseSchedule } from '../engines/schedules';
import { invalid } from '../util/validate';
import { DataOptions, dataInputs, loadTrainingData, pickImages } from './data-source';
import { refuseInitConflicts } from './init-flags';
import { checkOutputs } from './outputs';
import { trainAndSave } from './interruptible';
import { progressBar } from './progress';

export interface TrainGtcOptions extends DataOptions {
  images?: number;
  /** Size and physics: GTC_DEFAULTS when left out; with --init, from the file (a different value is refused). */
  hidden?: number;
  conditional: boolean;
  epochs: number;
  batch: number;
  stride: number;
  chunkSteps?: number;
  update: string;
  lr: string;
  optimizer: string;
  weightDecay: number;
  labelDropout: number;
  /** Starting label couplings of a new model (default data). */
  labelInit?: 'data' | 'zero';
  kt?: number;
  dt?: number;
  duration?: number;
  j2?: number;
  j4?: number;
  mobility?: number;
  init?: string;
  checkpointEvery?: number;
  out: string;
  threads?: number;
  json: boolean;
}

export interface TrainGtcReport {
  model: string;
  data: string;
  trainRows: number;
  testRows: number;
  visible: number;
  hidden: number;
  labelUnits: number;
  stepsPerPhase: number;
  seconds: number;
  /** Trajectories trained on in this run (whole epochs; an interrupted epoch's are not counted). */
  trajectories: number;
  interrupted: boolean;
  history: GtcEpochStats[];
}

export async function trainGtcCommand(opts: TrainGtcOptions): Promise<TrainGtcReport> {
  checkOutputs([{ flag: '--out', file: opts.out }], dataInputs(opts));
  const learningRate = parseSchedule(opts.lr); // a typo fails before the data loads
  const { train: all, test, source } = await loadTrainingData(opts);
  const train = opts.images === undefined ? all : pickImages(all, opts.images, opts.seed);
  const model = opts.init === undefined ? freshModel(train, opts) : await startingModel(opts.init, train, opts);
  model.info = {
    ...model.info,
    ...(opts.init === undefined ? {} : { started_from: opts.init }),
    trained_on: source,
    training_images: train.count,
    epochs_requested: opts.epochs,
    batch: opts.batch,
    stride: opts.stride,
    chunk_steps: opts.chunkSteps,
    update: opts.update,
    learning_rate: opts.lr,
    optimizer: opts.optimizer,
    weight_decay: opts.weightDecay,
    label_dropout: opts.labelDropout,
    label_init: opts.labelInit ?? 'data',
    binarize: opts.binarize,
    seed: opts.seed,
  };

  const total = opts.epochs * Math.ceil(train.count / opts.batch) * opts.batch;
  const bar = progressBar(total, 'trajectories', !opts.json && process.stderr.isTTY === true);
  const { history, interrupted, seconds } = await trainAndSave<GtcEpochStats>(model, opts, bar, (signal, recordEpoch) =>
    trainGtc(model, train, {
      epochs: opts.epochs,
      batchSize: opts.batch,
      stride: opts.stride,
      chunkSteps: opts.chunkSteps,
      update: opts.update as 'trajectory' | 'online',
      learningRate,
      optimizer: opts.optimizer as 'adam' | 'sgd',
      weightDecay: opts.weightDecay,
      labelDropout: opts.labelDropout,
      labelInit: opts.labelInit ?? 'data',
      seed: opts.seed,
      threads: opts.threads,
      signal,
      onUpdate: (done, _total, { loss }) => bar.update(done, { info: `loss ${loss.toFixed(4)}` }),
      onEpoch: recordEpoch,
    }),
  );
  return {
    model: opts.out,
    data: source,
    trainRows: train.count,
    testRows: test.count,
    visible: model.visible,
    hidden: model.hidden,
    labelUnits: model.labels,
    stepsPerPhase: model.stepsPerPhase,
    seconds,
    trajectories: history.reduce((n, h) => n + h.trajectories, 0),
    interrupted,
    history,
  };
}

/** Label units: one per class of the data when training is conditional (10 for digits), else none. */
function labelUnits(data: DigitDataset, conditional: boolean): number {
  if (!conditional) return 0;
  if (data.labels.length === 0) throw invalid('--conditional needs labelled images (give --labels for IDX data)');
  return data.labels.reduce((max, y) => Math.max(max, y), 0) + 1;
}

function freshModel(data: DigitDataset, opts: TrainGtcOptions): GenerativeComputer {
  return new GenerativeComputer({
    visible: data.rows * data.cols,
    hidden: opts.hidden ?? GTC_DEFAULTS.hidden,
    labels: labelUnits(data, opts.conditional),
    J2: opts.j2 ?? GTC_DEFAULTS.J2,
    J4: opts.j4 ?? GTC_DEFAULTS.J4,
    kT: opts.kt ?? GTC_DEFAULTS.kT,
    mobility: opts.mobility ?? GTC_DEFAULTS.mobility,
    dt: opts.dt ?? GTC_DEFAULTS.dt,
    duration: opts.duration ?? GTC_DEFAULTS.duration,
    imageRows: data.rows,
    imageCols: data.cols,
  });
}

/** A saved generative computer (e.g. a checkpoint) to continue training; its optimizer state is not kept. */
async function startingModel(file: string, data: DigitDataset, opts: TrainGtcOptions): Promise<GenerativeComputer> {
  const { conditional } = opts;
  const model = await loadModel(file);
  if (!(model instanceof GenerativeComputer))
    throw invalid(`--init ${file} is not a generative thermodynamic computer (gtc)`);
  refuseInitConflicts(file, [
    { flag: '--hidden', given: opts.hidden, inFile: model.hidden },
    { flag: '--kt', given: opts.kt, inFile: model.kT },
    { flag: '--dt', given: opts.dt, inFile: model.dt },
    { flag: '--duration', given: opts.duration, inFile: model.duration },
    { flag: '--j2', given: opts.j2, inFile: model.J2 },
    { flag: '--j4', given: opts.j4, inFile: model.J4 },
    { flag: '--mobility', given: opts.mobility, inFile: model.mobility },
  ]);
  if (opts.labelInit !== undefined)
    throw invalid(`--label-init sets the label couplings of a new model; --init ${file} brings its own`);
  const pixels = data.rows * data.cols;
  if (model.visible !== pixels)
    throw invalid(`--init ${file} has ${model.visible} visible units; the data has ${pixels} pixels`);
  if (conditional && model.labels === 0)
    throw invalid(`--init ${file} has no label units, so it cannot be trained --conditional`);
  return model;
}

export function formatTrainGtc(report: TrainGtcReport): string {
  const lines = [`epoch  trajectories  seconds  learning-rate      loss`];
  for (const h of report.history) {
    lines.push(
      `${String(h.epoch).padStart(5)} ${String(h.trajectories).padStart(13)} ${h.seconds.toFixed(1).padStart(8)} ${h.learningRate
        .toPrecision(3)
        .padStart(14)} ${h.loss.toFixed(5).padStart(9)}`,
    );
  }
  const labels = report.labelUnits > 0 ? ` + ${report.labelUnits} label` : '';
  lines.push(
    `${report.interrupted ? 'interrupted; ' : ''}${report.visible} visible + ${report.hidden} hidden${labels} units, ${report.stepsPerPhase} steps per phase`,
    `trained on ${report.trainRows} images of ${report.data}: ${report.trajectories} trajectories in ${report.seconds.toFixed(1)} s`,
    'loss: mean reverse-step loss per unit and step (0.5 when the learned dynamics reverses the noising exactly)',
    `model written to ${report.model}`,
  );
  return lines.join('\n');
}
