import { bundledDigits } from '../lib/io/mnist';
import { splitDataset } from '../lib/io/dataset';
import { LabelledBatch } from '../lib/nn/classifier';
import { MlpClassifier } from '../lib/nn/mlp-classifier';
import { SoftmaxRegression } from '../lib/nn/softmax-regression';
import { evaluateClassifier, trainClassifier } from '../lib/training/classifier-trainer';
import { ngd } from '../lib/training/ngd';
import { adam, sgd } from '../lib/nn/optimizers';
import { tngd } from '../lib/training/tngd';

const { train, test } = splitDataset(bundledDigits(), { testFraction: 0.2, seed: 1 });
const trainSet: LabelledBatch = { inputs: train.images, labels: train.labels, count: train.count };
// Every 6th held-out digit: the split keeps classes in runs, so a prefix would hold only a few of them.
const picks = Array.from({ length: 300 }, (_, k) => 6 * k);
const testSet: LabelledBatch = {
  inputs: Float32Array.from(picks.flatMap((k) => Array.from(test.images.subarray(k * 784, (k + 1) * 784)))),
  labels: Uint8Array.from(picks, (k) => test.labels[k]),
  count: picks.length,
};

describe('trainClassifier', () => {
  it.each([
    ['sgd', () => sgd(), 0.3],
    ['adam', () => adam(), 0.003],
    ['ngd', () => ngd({ damping: 1 }), 1],
    ['tngd', () => tngd({ time: 5, damping: 1 }), 1],
  ] as const)(
    '%s lifts an MLP from chance to > 70 %% held-out accuracy in 100 iterations',
    async (_, optimizer, learningRate) => {
      const model = new MlpClassifier({ inputs: 784, hidden: 16, classes: 10 }, 2);
      const options = {
        optimizer: optimizer(),
        iterations: 100,
        learningRate,
        batchSize: 24,
        test: testSet,
        evaluateEvery: 50,
      };
      const result = await trainClassifier(model, trainSet, options);
      expect(result.curve.map((p) => p.iteration)).toEqual([0, 50, 100]);
      expect(result.curve[0].testAccuracy).toBeLessThan(0.3);
      const last = result.curve[2];
      expect(last.testAccuracy).toBeGreaterThan(0.7);
      expect(last.testLoss).toBeLessThan(result.curve[0].testLoss);
      expect(last.seconds).toBeGreaterThan(0);
      expect(evaluateClassifier(model, testSet)).toEqual({ loss: last.testLoss, accuracy: last.testAccuracy });
    },
  );

  it('is reproducible for a seed', async () => {
    const run = async () => {
      const model = new SoftmaxRegression(784, 10);
      await trainClassifier(model, trainSet, {
        optimizer: sgd(),
        iterations: 10,
        learningRate: 0.1,
        seed: 4,
        test: testSet,
      });
      return model.params;
    };
    expect(Array.from(await run())).toEqual(Array.from(await run()));
  });

  it('reports divergence and aborts with codes', async () => {
    const model = new MlpClassifier({ inputs: 784, hidden: 8, classes: 10 });
    await expect(
      trainClassifier(model, trainSet, { optimizer: sgd(), iterations: 50, learningRate: 1e37, test: testSet }),
    ).rejects.toMatchObject({
      code: 'ERR_NOT_FINITE',
    });
    const controller = new AbortController();
    controller.abort();
    await expect(
      trainClassifier(new SoftmaxRegression(784, 10), trainSet, {
        optimizer: sgd(),
        iterations: 5,
        evaluateEvery: 1,
        signal: controller.signal,
        test: testSet,
      }),
    ).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  it('rejects bad options', async () => {
    const model = new SoftmaxRegression(784, 10);
    const bad = [
      { optimizer: sgd(), iterations: 0 },
      { optimizer: sgd(), iterations: 5, batchSize: 0 },
      { optimizer: {} as never, iterations: 5 },
    ];
    for (const options of bad)
      await expect(trainClassifier(model, trainSet, options)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    const badTest = { inputs: testSet.inputs.slice(0, 784), labels: Uint8Array.of(12), count: 1 };
    await expect(
      trainClassifier(model, trainSet, { optimizer: sgd(), iterations: 1, test: badTest }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(() => evaluateClassifier(model, { ...testSet, count: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => new SoftmaxRegression(1e9, 10)).toThrow(expect.objectContaining({ code: 'ERR_TOO_LARGE' }));
    const wrongWidth = { inputs: new Float32Array(10), labels: new Uint8Array(1), count: 1 };
    await expect(trainClassifier(model, wrongWidth, { optimizer: sgd(), iterations: 1 })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
  });
});
