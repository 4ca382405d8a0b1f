/** Serving generative thermodynamic computers: decoded images after the uncoupled and coupled Langevin phases. */
import { GenerativeComputer } from '../../models/gtc';
import { SampleRequest } from '../request-schema';
import {
  batchSeed,
  checkFields,
  checkLabels,
  labelSlice,
  ModelDescription,
  resultBytes,
  SamplePlan,
  ServedKind,
  splitBatches,
} from './plan';

const ACCEPTS = ['n', 'seed', 'labels', 'batch', 'threads'] as const;

export const gtcKind: ServedKind<GenerativeComputer> = {
  kind: 'gtc',
  is: (model): model is GenerativeComputer => model instanceof GenerativeComputer,

  describe(model): ModelDescription {
    return {
      kind: 'gtc',
      sizes: { visible: model.visible, hidden: model.hidden, labels: model.labels, stepsPerPhase: model.stepsPerPhase },
      accepts: [...ACCEPTS],
      observe: [],
      formats: ['json', 'npy', 'ndjson', 'png'],
      defaults: { n: 1, seed: 0 },
      settings: {
        kT: model.kT,
        dt: model.dt,
        duration: model.duration,
        imageRows: model.imageRows,
        imageCols: model.imageCols,
      },
    };
  },

  plan(model, request: SampleRequest): SamplePlan {
    checkFields('gtc', request, ACCEPTS);
    const n = request.n ?? 1;
    const labels = request.labels === undefined ? undefined : checkLabels(request.labels, model.labels, n);
    const seed = request.seed ?? 0;
    const perSample = 2 * model.stepsPerPhase * model.units;
    return {
      kind: 'gtc',
      n,
      seed,
      width: model.visible,
      dtype: 'f4',
      image: { rows: model.imageRows, cols: model.imageCols },
      observe: [],
      work: n * perSample,
      resultBytes: resultBytes(n, model.visible, 'f4', []),
      batches: splitBatches(n, perSample, model.units, request.batch),
      async runBatch(index, offset, count, run) {
        const result = await model.generate({
          count,
          labels: labelSlice(labels, offset, count),
          seed: batchSeed(seed, index),
          threads: run.threads,
          signal: run.signal,
        });
        return { samples: result.images, extras: {}, work: count * perSample, seconds: result.seconds };
      },
    };
  },
};
