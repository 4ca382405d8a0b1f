/**
 * Mini-batch training of a Classifier (lib/nn) with any optimizer, first or second order, recording
 * loss and accuracy against iterations and against wall time. Evaluation time is not counted as
 * training time.
 */
import { checkBatch, Classifier, LabelledBatch, softmaxCrossEntropy } from '../nn/classifier';
import { SeededRandom } from '../util/random';
import { checkInteger, checkSignal, invalid } from '../util/validate';
import { HeatbathError } from '../errors';
import { Optimizer } from '../nn/optimizers';
import { asSchedule, StepSchedule } from '../engines/schedules';

export interface TrainingPoint {
  iteration: number;
  /** Training wall time so far (evaluations excluded). */
  seconds: number;
  /** Mean loss of the training batches since the previous point. */
  trainLoss: number;
  testLoss: number;
  testAccuracy: number;
}

export interface ClassifierTrainingOptions {
  optimizer: Optimizer;
  iterations: number;
  /** A number or a schedule over iterations (default 0.01). */
  learningRate?: number | StepSchedule;
  /** Default 32. */
  batchSize?: number;
  /** Seed of the batch order (default 1). */
  seed?: number;
  /** Held-out examples for the curve (default: the first 1,000 training examples). */
  test?: LabelledBatch;
  /** Iterations between curve points (default: 40 points over the run). */
  evaluateEvery?: number;
  signal?: AbortSignal;
  onEvaluate?: (point: TrainingPoint) => void;
}

export interface ClassifierTrainingResult {
  optimizer: string;
  curve: TrainingPoint[];
  /** Training wall time of the whole run, evaluations excluded. */
  seconds: number;
}

const EVALUATION_CHUNK = 500;

/** Mean cross-entropy and accuracy of a model on a labelled set. */
export function evaluateClassifier(model: Classifier, data: LabelledBatch): { loss: number; accuracy: number } {
  return evaluate(model, checkBatch(model, data));
}

function evaluate(model: Classifier, data: LabelledBatch): { loss: number; accuracy: number } {
  const { classes, inputs } = model;
  const logits = new Float32Array(EVALUATION_CHUNK * classes);
  let loss = 0;
  let correct = 0;
  for (let start = 0; start < data.count; start += EVALUATION_CHUNK) {
    const count = Math.min(EVALUATION_CHUNK, data.count - start);
    const z = logits.subarray(0, count * classes);
    model.logits(data.inputs.subarray(start * inputs, (start + count) * inputs), count, z);
    const labels = data.labels.subarray(start, start + count);
    loss += softmaxCrossEntropy(z, labels, count, classes);
    for (let s = 0; s < count; s++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (z[s * classes + c] > z[s * classes + best]) best = c;
      if (best === labels[s]) correct++;
    }
  }
  return { loss: loss / data.count, accuracy: correct / data.count };
}

export async function trainClassifier(
  model: Classifier,
  train: LabelledBatch,
  options: ClassifierTrainingOptions,
): Promise<ClassifierTrainingResult> {
  checkBatch(model, train);
  const { optimizer } = options;
  if (typeof optimizer?.step !== 'function')
    throw invalid('optimizer must be an Optimizer (optimizers.sgd(), adam(), ngd(), tngd(), ...)');
  const iterations = checkInteger('iterations', options.iterations, 1);
  const batchSize = checkInteger('batchSize', options.batchSize ?? 32, 1, train.count);
  const every = checkInteger('evaluateEvery', options.evaluateEvery ?? Math.max(1, Math.round(iterations / 40)), 1);
  const signal = checkSignal(options.signal);
  const learningRate = asSchedule('learningRate', options.learningRate ?? 0.01);
  const test = options.test ? checkBatch(model, options.test) : subset(train, 0, Math.min(1000, train.count));
  const random = new SeededRandom(options.seed ?? 1);
  const { inputs } = model;
  const order = Int32Array.from({ length: train.count }, (_, i) => i);
  let cursor = train.count;
  const batch: LabelledBatch = {
    inputs: new Float32Array(batchSize * inputs),
    labels: new Uint8Array(batchSize),
    count: batchSize,
  };
  const grad = new Float32Array(model.params.length);
  const group = [{ name: 'params', param: model.params, grad }];

  const curve: TrainingPoint[] = [];
  let seconds = 0;
  let lossSum = 0;
  let lossCount = 0;
  const record = (iteration: number) => {
    const { loss, accuracy } = evaluate(model, test);
    const point = {
      iteration,
      seconds,
      trainLoss: lossCount > 0 ? lossSum / lossCount : NaN,
      testLoss: loss,
      testAccuracy: accuracy,
    };
    curve.push(point);
    options.onEvaluate?.(point);
    lossSum = lossCount = 0;
  };
  record(0);
  for (let iteration = 1; iteration <= iterations; iteration++) {
    const started = process.hrtime.bigint();
    for (let s = 0; s < batchSize; s++) {
      if (cursor === train.count) {
        random.shuffle(order);
        cursor = 0;
      }
      const k = order[cursor++];
      batch.inputs.set(train.inputs.subarray(k * inputs, (k + 1) * inputs), s * inputs);
      batch.labels[s] = train.labels[k];
    }
    const lin = model.linearize(batch);
    if (optimizer.setCurvature) optimizer.setCurvature(lin);
    else lin.vjp(lin.logitGradient, grad);
    optimizer.step(group, learningRate(iteration - 1, iterations));
    seconds += Number(process.hrtime.bigint() - started) / 1e9;
    if (!Number.isFinite(lin.loss) || (iteration % every === 0 && !model.params.every(Number.isFinite))) {
      throw new HeatbathError(
        'ERR_NOT_FINITE',
        `${optimizer.name}: training diverged at iteration ${iteration} (lower the learning rate)`,
      );
    }
    lossSum += lin.loss;
    lossCount++;
    if (iteration % every === 0 || iteration === iterations) {
      record(iteration);
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted)
        throw new HeatbathError('ERR_ABORTED', `${optimizer.name}: training aborted at iteration ${iteration}`);
    }
  }
  return { optimizer: optimizer.name, curve, seconds };
}

/** Examples [start, start + count) of a labelled set (views, no copy). */
export function subset(data: LabelledBatch, start: number, count: number): LabelledBatch {
  const width = data.inputs.length / data.count;
  return {
    inputs: data.inputs.subarray(start * width, (start + count) * width),
    labels: data.labels.subarray(start, start + count),
    count,
  };
}
