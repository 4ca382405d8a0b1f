/**
 * `heatbath train rbm`: trains an RBM on digits with CD/PCD, shows progress, writes checkpoints and the
 * final model, and reports reconstruction error, pseudo-likelihood and (optionally) AIS log-likelihood.
 * Ctrl-C stops after the current mini-batch and still saves the model trained so far.
 */
import { loadModel } from '../io/model-file';
import { RBM } from '../models/rbm';
import { annealedLogPartition, logLikelihood, pseudoLogLikelihood } from '../training/rbm-monitor';
import { RbmEpochStats, trainRbm } from '../training/rbm-trainer';
import { parseSchedule } from '../engines/schedules';
import { dataInputs, loadTrainingData, DataOptions } from './data-source';
import { trainAndSave } from './interruptible';
import { progressBar } from './progress';
import { invalid } from '../util/validate';
import { refuseInitConflicts } from './init-flags';
import { checkOutputs } from './outputs';

/** Hidden units of a new RBM when --hidden is left out. */
export const DEFAULT_HIDDEN = 500;

export interface TrainRbmOptions extends DataOptions {
  /** Default DEFAULT_HIDDEN; with --init, from the file. */
  hidden?: number;
  epochs: number;
  batch: number;
  method: string;
  k: number;
  chains?: number;
  lr: string;
  optimizer: string;
  momentum: number;
  weightDecay: number;
  out: string;
  init?: string;
  checkpointEvery?: number;
  ais: boolean;
  aisSteps: number;
  aisRuns: number;
  threads?: number;
  json: boolean;
}

export interface TrainRbmReport {
  model: string;
  data: string;
  trainRows: number;
  testRows: number;
  seconds: number;
  interrupted: boolean;
  history: RbmEpochStats[];
  testReconstructionError?: number;
  testPseudoLogLikelihood: number;
  ais?: {
    logZ: number;
    standardError: number;
    testLogLikelihood: number;
    trainLogLikelihood: number;
    steps: number;
    runs: number;
  };
}

export async function trainRbmCommand(opts: TrainRbmOptions): Promise<TrainRbmReport> {
  checkOutputs([{ flag: '--out', file: opts.out }], dataInputs(opts));
  const learningRate = parseSchedule(opts.lr); // a typo fails before the data loads
  const { train, test, source } = await loadTrainingData(opts);
  const V = train.rows * train.cols;
  // The data's pixel log-odds: the initial visible biases, and AIS's base-rate model.
  const baseRates = RBM.visibleBiasFromData(train.images, train.count, V);
  const rbm =
    opts.init === undefined
      ? RBM.create({ visible: V, hidden: opts.hidden ?? DEFAULT_HIDDEN, seed: opts.seed, visibleBias: baseRates })
      : await startingModel(opts.init, V, opts.hidden);
  rbm.info = {
    ...(opts.init === undefined ? {} : { started_from: opts.init }),
    image_rows: train.rows,
    image_cols: train.cols,
    trained_on: source,
    method: opts.method,
    k: opts.k,
    persistent_chains: opts.chains ?? opts.batch,
    epochs: opts.epochs,
    batch: opts.batch,
    learning_rate: opts.lr,
    optimizer: opts.optimizer,
    weight_decay: opts.weightDecay,
    binarize: opts.binarize,
    seed: opts.seed,
  };

  const bar = progressBar(opts.epochs, 'training', !opts.json && process.stderr.isTTY === true);
  const { history, interrupted, seconds } = await trainAndSave<RbmEpochStats>(rbm, opts, bar, (signal, recordEpoch) =>
    trainRbm(rbm, train, {
      method: opts.method as 'cd' | 'pcd',
      k: opts.k,
      persistentChains: opts.chains,
      epochs: opts.epochs,
      batchSize: opts.batch,
      learningRate,
      optimizer: opts.optimizer as 'sgd' | 'adam',
      momentum: opts.momentum,
      weightDecay: opts.weightDecay,
      seed: opts.seed,
      threads: opts.threads,
      signal,
      onEpoch: (stats) => {
        bar.update(stats.epoch, {
          info: `recon ${stats.reconstructionError.toFixed(4)} | ${stats.seconds.toFixed(2)} s/epoch`,
        });
        return recordEpoch(stats);
      },
    }),
  );

  const testRows = Math.min(test.count, 100);
  const report: TrainRbmReport = {
    model: opts.out,
    data: source,
    trainRows: train.count,
    testRows: test.count,
    seconds,
    interrupted,
    history,
    testPseudoLogLikelihood: pseudoLogLikelihood(rbm, binaryRows(test.images.subarray(0, testRows * V)), testRows, {
      threads: opts.threads,
    }),
  };
  // A stopped run skips AIS (minutes): the user asked to stop; the model is saved.
  if (opts.ais && !interrupted) {
    const estimate = annealedLogPartition(rbm, {
      steps: opts.aisSteps,
      runs: opts.aisRuns,
      seed: opts.seed,
      threads: opts.threads,
      baseVisibleBias: baseRates,
    });
    report.ais = {
      ...estimate,
      testLogLikelihood: logLikelihood(rbm, test.images, test.count, estimate.logZ, { threads: opts.threads }),
      trainLogLikelihood: logLikelihood(rbm, train.images, train.count, estimate.logZ, { threads: opts.threads }),
    };
  }
  return report;
}

/** A saved RBM (e.g. a checkpoint) to continue training; its optimizer state is not kept. */
async function startingModel(file: string, numVisible: number, hidden: number | undefined): Promise<RBM> {
  const model = await loadModel(file);
  if (!(model instanceof RBM)) throw invalid(`--init ${file} is not an RBM`);
  refuseInitConflicts(file, [{ flag: '--hidden', given: hidden, inFile: model.numHidden }]);
  if (model.numVisible !== numVisible)
    throw invalid(`--init ${file} has ${model.numVisible} visible units; the data has ${numVisible} pixels`);
  return model;
}

/** Pseudo-likelihood is defined for binary rows: grey data is thresholded at 0.5 for it. */
function binaryRows(values: Float32Array): Float32Array {
  return values.map((x) => (x >= 0.5 ? 1 : 0));
}

export function formatTrainRbm(report: TrainRbmReport): string {
  const lines = [`epoch  seconds  learning-rate  reconstruction-error`];
  for (const h of report.history) {
    lines.push(
      `${String(h.epoch).padStart(5)} ${h.seconds.toFixed(2).padStart(8)} ${h.learningRate.toPrecision(3).padStart(14)} ${h.reconstructionError.toFixed(5).padStart(21)}`,
    );
  }
  lines.push(
    `${report.interrupted ? 'interrupted; ' : ''}trained on ${report.trainRows} rows of ${report.data} in ${report.seconds.toFixed(1)} s`,
    `held-out pseudo-log-likelihood per image: ${report.testPseudoLogLikelihood.toFixed(2)}`,
  );
  if (report.ais) {
    lines.push(
      `AIS (${report.ais.runs} runs × ${report.ais.steps} steps): log Z = ${report.ais.logZ.toFixed(2)} ± ${report.ais.standardError.toFixed(2)}`,
      `log-likelihood per image: train ${report.ais.trainLogLikelihood.toFixed(2)}, held-out ${report.ais.testLogLikelihood.toFixed(2)}`,
    );
  }
  lines.push(`model written to ${report.model}`);
  return lines.join('\n');
}
