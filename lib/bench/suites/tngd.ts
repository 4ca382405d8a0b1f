/**
 * Thermodynamic natural gradient descent against Adam, per training iteration of the 784-64-10 MLP on
 * batches of bundled digits: forward pass, gradient (Adam) or linearisation + simulated device (TNGD,
 * at analog times 5τ, 20τ and 50τ, δt <= 0.1τ, damping 1 as in `heatbath tngd`), and the update. Batches
 * of 32 (the study's) and of 16: each device step costs m² multiply-adds for m = 10·batch, so the ratio
 * to Adam grows with the batch.
 */
import { bundledDigits } from '../../io/mnist';
import { LabelledBatch } from '../../nn/classifier';
import { MlpClassifier } from '../../nn/mlp-classifier';
import { adam, Optimizer } from '../../nn/optimizers';
import { tngd } from '../../training/tngd';

const BATCHES = 64;

export interface TngdCase {
  name: string;
  description: string;
  /** The Adam baseline every other case is compared with. */
  baseline?: boolean;
  setup(): { op: () => void; batch: number; parameters: number };
}

function iterationCase(
  name: string,
  description: string,
  batch: number,
  optimizer: () => Optimizer,
  learningRate: number,
  baseline = false,
): TngdCase {
  return {
    name,
    description,
    baseline,
    setup() {
      const data = bundledDigits();
      const model = new MlpClassifier({ inputs: 784, hidden: 64, classes: 10 }, 1);
      // Batches drawn across the (class-sorted) set, so each holds every digit.
      const batches: LabelledBatch[] = Array.from({ length: BATCHES }, (_, k) => {
        const picks = Array.from({ length: batch }, (_, s) => ((k * batch + s) * 7919) % data.count);
        const inputs = new Float32Array(batch * 784);
        picks.forEach((p, s) => inputs.set(data.images.subarray(p * 784, (p + 1) * 784), s * 784));
        return { inputs, labels: Uint8Array.from(picks, (p) => data.labels[p]), count: batch };
      });
      const opt = optimizer();
      const grad = new Float32Array(model.params.length);
      const groups = [{ name: 'params', param: model.params, grad }];
      let next = 0;
      return {
        op: () => {
          const lin = model.linearize(batches[next++ % BATCHES]);
          if (opt.setCurvature) opt.setCurvature(lin);
          else lin.vjp(lin.logitGradient, grad);
          opt.step(groups, learningRate);
        },
        batch,
        parameters: model.params.length,
      };
    },
  };
}

/** Adam, then TNGD at 5τ, 20τ and 50τ, on batches of `batch`. */
function casesFor(batch: number, prefix: string): TngdCase[] {
  const what = `one iteration of the 784-64-10 MLP, batch ${batch}`;
  return [
    iterationCase(`${prefix}adam`, `Adam: ${what}`, batch, () => adam(), 0.003, true),
    ...[5, 20, 50].map((time) =>
      iterationCase(
        `${prefix}t${time}`,
        `TNGD, analog time ${time}τ (δt <= 0.1τ): ${what}`,
        batch,
        () => tngd({ time, damping: 1 }),
        1,
      ),
    ),
  ];
}

export const tngdCases: TngdCase[] = [...casesFor(32, 'tngd.iteration.'), ...casesFor(16, 'tngd.iteration.b16.')];
