/**
 * `heatbath train dtm`: trains a denoising thermodynamic model on digits, step by step with the adaptive
 * correlation penalty, shows progress over updates, writes the training curves as JSON after every epoch,
 * checkpoints and the final model. Ctrl-C stops within a few milliseconds and still saves the model.
 */
import type { DigitDataset } from '../io/dataset';
import { writeFileAtomic } from '../io/atomic';
import { loadModel } from '../io/model-file';
import { DenoisingModel, DTM_DEFAULTS } from '../models/dtm';
import { JumpSet } from '../models/dtm-layout';
import type { QuantizeOptions } from '../models/quantized-ising';
import { DtmEpochStats, trainDtm } from '../training/dtm-trainer';
import { parseSchedule } from '../engines/schedules';
import { invalid } from '../util/validate';
import { DataOptions, dataInputs, loadTrainingData, pickImages } from './data-source';
import { refuseInitConflicts } from './init-flags';
import { checkOutputs, NamedFile, writeOrWarn } from './outputs';
import { trainAndSave } from './interruptible';
import { progressBar } from './progress';
import { parsePrecision } from './precision';

export interface TrainDtmOptions extends DataOptions {
  images?: number;
  /** Layout and noising: the defaults below (and DTM_DEFAULTS) when left out; with --init, from the file. */
  size?: number;
  jumps?: string;
  steps?: number;
  trainSteps?: string;
  conditional: boolean;
  imageRate?: number;
  labelRate?: number;
  epochs: number;
  batch: number;
  warmup: number;
  samples: number;
  thin: number;
  lr: string;
  acp: boolean;
  acpThreshold: number;
  acpEvery?: number;
  init?: string;
  checkpointEvery?: number;
  curves?: string;
  /** Train with the chip's arithmetic, "couplingBits:randomBits[:biasBits]". */
  precision?: string;
  out: string;
  threads?: number;
  json: boolean;
}

export interface TrainDtmReport {
  model: string;
  data: string;
  trainRows: number;
  nodes: number;
  outputs: number;
  steps: number[];
  /** The chip's arithmetic the sampler used, if any. */
  precision?: QuantizeOptions;
  seconds: number;
  interrupted: boolean;
  /** Spin updates in training phases over the whole run, and their rate while the engine ran. */
  flips: number;
  flipsPerNs: number;
  history: DtmEpochStats[];
}

/** Side and jump set of a new model's torus. */
export const DEFAULT_SIZE = 70;
export const DEFAULT_JUMPS = 'G12';

/** "1,2,5" or "3-8" (default all steps). */
export function parseSteps(text: string | undefined, total: number): number[] | undefined {
  if (text === undefined) return undefined;
  const steps = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw invalid(`--train-steps must list steps like 1,2,5 or 3-8, not "${text}"`);
    const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (from < 1 || to > total || from > to)
      throw invalid(`--train-steps: steps run from 1 to ${total}, got "${part.trim()}"`);
    for (let k = from; k <= to; k++) steps.add(k);
  }
  return [...steps].sort((a, b) => a - b);
}

export async function trainDtmCommand(opts: TrainDtmOptions): Promise<TrainDtmReport> {
  const outputs: NamedFile[] = [{ flag: '--out', file: opts.out }];
  if (opts.curves !== undefined) outputs.push({ flag: '--curves', file: opts.curves });
  checkOutputs(outputs, dataInputs(opts));
  const learningRate = parseSchedule(opts.lr); // a typo fails before the data loads
  const precision = opts.precision === undefined ? undefined : parsePrecision(opts.precision);
  const { train: all, source } = await loadTrainingData(opts);
  const train = opts.images === undefined ? all : pickImages(all, opts.images, opts.seed);
  const model = opts.init === undefined ? freshModel(train, opts) : await startingModel(opts.init, train, opts);
  const steps = parseSteps(opts.trainSteps, model.steps) ?? Array.from({ length: model.steps }, (_, k) => k + 1);
  model.info = {
    ...model.info,
    ...(opts.init === undefined ? {} : { started_from: opts.init }),
    trained_on: source,
    training_images: train.count,
    trained_steps: steps,
    epochs_requested: opts.epochs,
    batch: opts.batch,
    schedule: { warmup: opts.warmup, samples: opts.samples, thin: opts.thin },
    learning_rate: opts.lr,
    acp: opts.acp ? { threshold: opts.acpThreshold, every: opts.acpEvery ?? 'epoch' } : false,
    binarize: opts.binarize,
    ...(precision === undefined ? {} : { precision }),
    seed: opts.seed,
  };

  const total = opts.epochs * Math.floor(train.count / opts.batch) * steps.length;
  const showBar = !opts.json && process.stderr.isTTY === true;
  const bar = progressBar(total, 'updates', showBar);
  // Without a terminal (a log file), each epoch's line goes to stderr as it ends.
  const logEpochs = !opts.json && !showBar;
  if (logEpochs) process.stderr.write(`${EPOCH_HEADER}\n`);
  const curves: DtmEpochStats[] = [];
  const { history, interrupted, seconds } = await trainAndSave<DtmEpochStats>(model, opts, bar, (signal, recordEpoch) =>
    trainDtm(model, train, {
      epochs: opts.epochs,
      batchSize: opts.batch,
      warmup: opts.warmup,
      samples: opts.samples,
      thin: opts.thin,
      learningRate,
      acp: opts.acp ? { threshold: opts.acpThreshold, every: opts.acpEvery } : false,
      steps,
      precision,
      seed: opts.seed,
      threads: opts.threads,
      signal,
      onUpdate: (done, _total, { step, denoiseError }) =>
        bar.update(done, { info: `step ${step} error ${denoiseError.toFixed(3)}` }),
      onEpoch: async (stats) => {
        curves.push(stats);
        if (logEpochs) process.stderr.write(`${epochLine(stats)}\n`);
        if (opts.curves !== undefined)
          await writeOrWarn(outputs[1], (file) => writeFileAtomic(file, JSON.stringify(curves, null, 1)));
        await recordEpoch(stats);
      },
    }),
  );
  const flips = history.reduce((n, h) => n + h.flips, 0);
  const engineSeconds = history.reduce((n, h) => n + (h.flipsPerNs > 0 ? h.flips / (h.flipsPerNs * 1e9) : 0), 0);
  return {
    model: opts.out,
    data: source,
    trainRows: train.count,
    nodes: model.layout.size ** 2,
    outputs: model.layout.numOutputs,
    steps,
    ...(precision === undefined ? {} : { precision }),
    seconds,
    interrupted,
    flips,
    flipsPerNs: engineSeconds > 0 ? flips / (engineSeconds * 1e9) : 0,
    history,
  };
}

function freshModel(data: DigitDataset, opts: TrainDtmOptions): DenoisingModel {
  if (opts.conditional && data.labels.length === 0)
    throw invalid('--conditional needs labelled images (give --labels for IDX data)');
  return new DenoisingModel({
    size: opts.size ?? DEFAULT_SIZE,
    jumps: (opts.jumps ?? DEFAULT_JUMPS) as JumpSet,
    pixels: data.rows * data.cols,
    classes: opts.conditional ? data.labels.reduce((max, y) => Math.max(max, y), 0) + 1 : 0,
    steps: opts.steps ?? DTM_DEFAULTS.steps,
    imageRate: opts.imageRate ?? DTM_DEFAULTS.imageRate,
    labelRate: opts.labelRate ?? DTM_DEFAULTS.labelRate,
    imageRows: data.rows,
    imageCols: data.cols,
    seed: opts.seed,
  });
}

/** A saved model (e.g. a checkpoint) to continue training; optimizer and penalty state start afresh. */
async function startingModel(file: string, data: DigitDataset, opts: TrainDtmOptions): Promise<DenoisingModel> {
  const model = await loadModel(file);
  if (!(model instanceof DenoisingModel)) throw invalid(`--init ${file} is not a denoising thermodynamic model (dtm)`);
  refuseInitConflicts(file, [
    { flag: '--size', given: opts.size, inFile: model.layout.size },
    { flag: '--jumps', given: opts.jumps, inFile: model.layout.jumps },
    { flag: '--steps', given: opts.steps, inFile: model.steps },
    { flag: '--image-rate', given: opts.imageRate, inFile: model.imageRate },
    { flag: '--label-rate', given: opts.labelRate, inFile: model.labelRate },
  ]);
  if (opts.conditional && model.classes === 0)
    throw invalid(`--init ${file} has no label nodes, so it cannot be trained --conditional`);
  if (model.pixels !== data.rows * data.cols)
    throw invalid(`--init ${file} has ${model.pixels} pixels; the data has ${data.rows * data.cols}`);
  if (model.classes > 0 && data.labels.length === 0)
    throw invalid(`--init ${file} has label nodes; the data has no labels`);
  return model;
}

const EPOCH_HEADER = 'epoch  seconds  flips/ns  step: sample error (copy error) autocorrelation λ';

function epochLine(h: DtmEpochStats): string {
  const steps = h.steps.map(
    (s) =>
      `${s.step}: ${s.denoiseError.toFixed(3)} (${s.copyError.toFixed(3)}) ${s.autocorrelation.toFixed(3)} ${s.penalty.toPrecision(2)}`,
  );
  return `${String(h.epoch).padStart(5)} ${h.seconds.toFixed(1).padStart(8)} ${h.flipsPerNs.toFixed(2).padStart(9)}  ${steps.join(' | ')}`;
}

export function formatTrainDtm(report: TrainDtmReport): string {
  const lines = [EPOCH_HEADER, ...report.history.map(epochLine)];
  lines.push(
    `${report.interrupted ? 'interrupted; ' : ''}${report.nodes} nodes (${report.outputs} outputs), steps ${report.steps.join(',')} trained on ${report.trainRows} images of ${report.data} in ${report.seconds.toFixed(1)} s`,
    `engine throughput inside training: ${report.flipsPerNs.toFixed(2)} flips/ns over ${(report.flips / 1e9).toFixed(1)} G spin updates` +
      (report.precision
        ? ` on the chip's arithmetic (${report.precision.couplingBits}-bit couplings, ${report.precision.fieldBits}-bit biases, ${report.precision.randomBits}-bit random draws)`
        : ''),
    'sample error: share of output bits a negative-phase sample gets wrong; copy error: the share copying x^k gets wrong',
    `model written to ${report.model}`,
  );
  return lines.join('\n');
}
