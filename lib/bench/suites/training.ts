/**
 * Training benchmarks: one CD-1 epoch of a 784×500 RBM over the 10,000 bundled digits (batch 64),
 * reported as images/s, with the dense-equivalent multiply-adds per ns beside the machine's ceiling
 * (per mini-batch: three layer conditionals and two gradient products, B·V·H multiply-adds each).
 */
import { binarize, bundledDigits, RBM, trainRbm } from '../..';

export interface TrainingCase {
  name: string;
  description: string;
  setup(threads?: number): { op: () => Promise<unknown>; images: number; fma: number; [shape: string]: unknown };
}

export const trainingCases: TrainingCase[] = [
  {
    name: 'rbm.cd1.epoch',
    description: 'one CD-1 epoch, RBM 784×500, 10,000 binarized digits, batch 64, SGD with momentum',
    setup(threads) {
      const data = binarize(bundledDigits(), { mode: 'threshold' });
      const V = 784;
      const H = 500;
      const batch = 64;
      const rbm = RBM.create({
        visible: V,
        hidden: H,
        seed: 1,
        visibleBias: RBM.visibleBiasFromData(data.images, data.count, V),
      });
      const batches = Math.floor(data.count / batch);
      // benny calls an async op once unawaited to probe its type, so each run waits for the previous.
      let previous: Promise<unknown> = Promise.resolve();
      const op = () =>
        (previous = previous.then(() =>
          trainRbm(rbm, data, {
            method: 'cd',
            k: 1,
            epochs: 1,
            batchSize: batch,
            learningRate: 0.01,
            threads,
            monitor: { rows: 1 },
          }),
        ));
      return { op, images: batches * batch, fma: batches * 5 * batch * V * H, visible: V, hidden: H, batch };
    },
  },
];
