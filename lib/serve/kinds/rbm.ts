/** Serving RBMs: n chains of `sweeps` Gibbs sweeps; a sample is the visible units (0/1) after the last sweep. */
import { RBM } from '../../models/rbm';
import { SampleRequest } from '../request-schema';
import {
  batchSeed,
  checkClamp,
  checkFields,
  clampSlice,
  ModelDescription,
  observablesOf,
  resultBytes,
  SamplePlan,
  ServedKind,
  splitBatches,
  squareImage,
} from './plan';

const ACCEPTS = ['n', 'seed', 'sweeps', 'beta', 'clamp', 'observe', 'batch', 'threads'] as const;
const DEFAULT_SWEEPS = 1000;

export const rbmKind: ServedKind<RBM> = {
  kind: 'rbm',
  is: (model): model is RBM => model instanceof RBM,

  describe(model): ModelDescription {
    return {
      kind: 'rbm',
      sizes: { visible: model.numVisible, hidden: model.numHidden },
      accepts: [...ACCEPTS],
      observe: observablesOf('rbm'),
      formats: ['json', 'npy', 'ndjson', 'png'],
      defaults: { n: 1, seed: 0, sweeps: DEFAULT_SWEEPS, beta: 1 },
      settings: { ...model.info, clamp: 'visible units with values 0 or 1' },
    };
  },

  plan(model, request: SampleRequest): SamplePlan {
    checkFields('rbm', request, ACCEPTS);
    const V = model.numVisible;
    const n = request.n ?? 1;
    const sweeps = request.sweeps ?? DEFAULT_SWEEPS;
    const clamp = request.clamp && checkClamp('clamp', request.clamp, V, n, [0, 1]);
    const observe = request.observe ?? [];
    const seed = request.seed ?? 0;
    const perSample = sweeps * (V + model.numHidden);
    return {
      kind: 'rbm',
      n,
      seed,
      width: V,
      dtype: 'u1',
      image: squareImage(V, model.info.image_rows, model.info.image_cols),
      observe,
      work: n * perSample,
      resultBytes: resultBytes(n, V, 'u1', observe),
      batches: splitBatches(n, perSample, V + model.numHidden, request.batch),
      async runBatch(index, offset, count, run) {
        const result = await model.sample({
          chains: count,
          sweeps,
          beta: request.beta ?? 1,
          // The RBM engine takes seeds below 2^53.
          seed: Number(batchSeed(seed, index) >> 11n),
          clamp: clamp && clampSlice(clamp, offset, count),
          threads: run.threads,
          signal: run.signal,
        });
        const extras = observe.includes('probabilities') ? { probabilities: result.probabilities } : {};
        return { samples: Uint8Array.from(result.visible), extras, work: count * perSample, seconds: result.seconds };
      },
    };
  },
};
