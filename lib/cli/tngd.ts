/**
 * `heatbath tngd`: trains the same classifier on the bundled digits (seeded train/test split) with
 * several optimizers — SGD, Adam, exact natural gradient, and TNGD at several analog times — and
 * reports loss and accuracy against iterations and wall time: final figures per optimizer, the curves
 * as JSON, and a PNG plot.
 */
import * as path from 'path';
import { HeatbathError } from '../errors';
import { writeFileAtomic } from '../io/atomic';
import { splitDataset } from '../io/dataset';
import { writeLinePlot } from '../io/line-plot';
import { bundledDigits } from '../io/mnist';
import { Classifier, LabelledBatch } from '../nn/classifier';
import { MlpClassifier } from '../nn/mlp-classifier';
import { SoftmaxRegression } from '../nn/softmax-regression';
import { TrainingPoint, trainClassifier } from '../training/classifier-trainer';
import { invalid } from '../util/validate';
import { MAX_SOLVE_UNITS } from '../training/ngd';
import { MAX_DEVICE_UNITS } from '../engines/tngd-device';
import { DEFAULT_OPTIMIZERS, OptimizerSpec, parseOptimizerSpec } from './optimizer-spec';
import { checkOutputs, writeOrRescue, writeOrWarn } from './outputs';
import { progressBar } from './progress';

export interface TngdStudyOptions {
  model: string;
  hidden: number;
  iterations: number;
  evalEvery: number;
  batch: number;
  optimizers?: string[];
  testFraction: number;
  seed: number;
  out: string;
  plot: string;
  json: boolean;
}

export interface OptimizerRun {
  optimizer: string;
  learningRate: number;
  iterations: number;
  seconds: number;
  msPerIteration: number;
  testLoss: number;
  testAccuracy: number;
  /** Iterations and seconds until the test accuracy first reached the target (null: never). */
  toTarget: { iterations: number; seconds: number } | null;
}

export interface TngdStudyReport {
  model: string;
  parameters: number;
  trainExamples: number;
  testExamples: number;
  batch: number;
  targetAccuracy: number;
  runs: OptimizerRun[];
  curves: string;
  plot: string;
  /** Ctrl-C stopped the study: the runs that finished are reported and written. */
  interrupted: boolean;
}

/** The accuracy whose first crossing the report times: a level every run of the default study reaches. */
const TARGET_ACCURACY = 0.85;

function createModel(opts: TngdStudyOptions): Classifier {
  if (opts.model === 'mlp') return new MlpClassifier({ inputs: 784, hidden: opts.hidden, classes: 10 }, opts.seed);
  if (opts.model === 'logistic') return new SoftmaxRegression(784, 10);
  throw invalid(`--model must be mlp or logistic, got "${opts.model}"`);
}

function toBatch(data: { images: Float32Array; labels: Uint8Array; count: number }): LabelledBatch {
  return { inputs: data.images, labels: data.labels, count: data.count };
}

function firstReaching(curve: TrainingPoint[], target: number): OptimizerRun['toTarget'] {
  const point = curve.find((p) => p.testAccuracy >= target);
  return point ? { iterations: point.iteration, seconds: point.seconds } : null;
}

/** Refuses a study that would fail part-way: bad settings, repeated optimizers, batches too large for a solver. */
function checkStudy(specs: OptimizerSpec[], opts: TngdStudyOptions): void {
  const m = opts.batch * 10;
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.label)) throw invalid(`optimizer "${spec.label}" is listed twice`);
    seen.add(spec.label);
    spec.create(opts.seed); // checks its settings
    const limit = spec.name === 'ngd' ? MAX_SOLVE_UNITS : spec.name.startsWith('tngd') ? MAX_DEVICE_UNITS : Infinity;
    if (m > limit)
      throw invalid(
        `--batch ${opts.batch} is too large for ${spec.label}: batch × 10 classes must be at most ${limit}`,
      );
  }
}

export async function tngdCommand(opts: TngdStudyOptions, signal?: AbortSignal): Promise<TngdStudyReport> {
  const out = { flag: '--out', file: opts.out };
  const plot = { flag: '--plot', file: opts.plot };
  checkOutputs([out, plot]);
  const specs = (opts.optimizers ?? DEFAULT_OPTIMIZERS).map(parseOptimizerSpec);
  checkStudy(specs, opts);
  const { train, test } = splitDataset(bundledDigits(), { testFraction: opts.testFraction, seed: opts.seed });
  const runs: OptimizerRun[] = [];
  const curves: Record<string, TrainingPoint[]> = {};
  const writeCurves = (file: string) =>
    writeFileAtomic(file, JSON.stringify({ model: opts.model, batch: opts.batch, curves }, null, 1));
  let parameters = 0;
  let interrupted = false;
  for (const spec of specs) {
    const model = createModel(opts);
    parameters = model.params.length;
    const bar = progressBar(opts.iterations, spec.label.padEnd(16), !opts.json && process.stderr.isTTY === true);
    const result = await trainClassifier(model, toBatch(train), {
      optimizer: spec.create(opts.seed),
      iterations: opts.iterations,
      learningRate: spec.learningRate,
      batchSize: opts.batch,
      evaluateEvery: opts.evalEvery,
      seed: opts.seed,
      test: toBatch(test),
      signal,
      onEvaluate: (point) => bar.update(point.iteration, { info: `test accuracy ${point.testAccuracy.toFixed(3)}` }),
    })
      .catch((err) => {
        if (err instanceof HeatbathError && err.code === 'ERR_ABORTED') return undefined;
        throw err;
      })
      .finally(() => bar.stop());
    if (result === undefined) {
      interrupted = true;
      break;
    }
    const last = result.curve[result.curve.length - 1];
    curves[spec.label] = result.curve;
    runs.push({
      optimizer: spec.label,
      learningRate: spec.learningRate,
      iterations: opts.iterations,
      seconds: result.seconds,
      msPerIteration: (1000 * result.seconds) / opts.iterations,
      testLoss: last.testLoss,
      testAccuracy: last.testAccuracy,
      toTarget: firstReaching(result.curve, TARGET_ACCURACY),
    });
    // Written after every optimizer, so that an interrupted or failed study keeps what it measured.
    await writeOrWarn(out, writeCurves);
  }
  const series = (y: (p: TrainingPoint) => number, x: (p: TrainingPoint) => number) =>
    Object.entries(curves).map(([name, curve]) => ({ name, x: curve.map(x), y: curve.map(y) }));
  const byIteration = (p: TrainingPoint) => p.iteration;
  const bySeconds = (p: TrainingPoint) => p.seconds;
  const loss = (p: TrainingPoint) => p.testLoss;
  const accuracy = (p: TrainingPoint) => p.testAccuracy;
  if (runs.length === 0) throw new HeatbathError('ERR_ABORTED', 'interrupted before the first optimizer finished');
  await writeOrRescue(out, writeCurves);
  await writeOrRescue(plot, (file) =>
    writeLinePlot(file, [
      {
        title: 'test loss',
        xLabel: 'iteration',
        yLabel: 'cross-entropy',
        yScale: 'log',
        series: series(loss, byIteration),
      },
      {
        title: 'test loss',
        xLabel: 'seconds',
        yLabel: 'cross-entropy',
        yScale: 'log',
        series: series(loss, bySeconds),
      },
      { title: 'test accuracy', xLabel: 'iteration', yLabel: 'accuracy', series: series(accuracy, byIteration) },
      { title: 'test accuracy', xLabel: 'seconds', yLabel: 'accuracy', series: series(accuracy, bySeconds) },
    ]),
  );
  return {
    model: opts.model === 'mlp' ? `mlp 784-${opts.hidden}-10` : 'logistic 784-10',
    parameters,
    trainExamples: train.count,
    testExamples: test.count,
    batch: opts.batch,
    targetAccuracy: TARGET_ACCURACY,
    runs,
    curves: path.resolve(opts.out),
    plot: path.resolve(opts.plot),
    interrupted,
  };
}

export function formatTngdStudy(report: TngdStudyReport): string {
  const width = Math.max(10, ...report.runs.map((r) => r.optimizer.length)) + 2;
  const lines = [
    `${report.model} (${report.parameters} parameters), ${report.trainExamples} training / ${report.testExamples} test digits, batch ${report.batch}`,
    '',
    `${'optimizer'.padEnd(width)}${'lr'.padStart(7)}${'ms/iter'.padStart(9)}${'test loss'.padStart(11)}${'accuracy'.padStart(10)}   to ${report.targetAccuracy} accuracy`,
  ];
  for (const r of report.runs) {
    const target = r.toTarget
      ? `${r.toTarget.iterations} iterations, ${r.toTarget.seconds.toFixed(2)} s`
      : 'not reached';
    lines.push(
      `${r.optimizer.padEnd(width)}${String(r.learningRate).padStart(7)}${r.msPerIteration.toFixed(2).padStart(9)}` +
        `${r.testLoss.toFixed(4).padStart(11)}${r.testAccuracy.toFixed(4).padStart(10)}   ${target}`,
    );
  }
  lines.push('', `curves: ${report.curves}`, `plot:   ${report.plot}`);
  if (report.interrupted) lines.push('interrupted: the runs that finished are reported');
  return lines.join('\n');
}
