/** Serving denoising models: digits through the reverse steps, unconditional, class-conditional or inpainted. */
import { DenoisingModel } from '../../models/dtm';
import { SampleRequest } from '../request-schema';
import {
  batchSeed,
  checkClamp,
  checkFields,
  checkLabels,
  clampSlice,
  labelSlice,
  ModelDescription,
  refuse,
  resultBytes,
  SamplePlan,
  ServedKind,
  splitBatches,
} from './plan';

const ACCEPTS = ['n', 'seed', 'sweeps', 'anneal', 'labels', 'inpaint', 'batch', 'threads'] as const;
const DEFAULTS = { sweeps: 800, anneal: { from: 0.8, to: 1.2 } };

export const dtmKind: ServedKind<DenoisingModel> = {
  kind: 'dtm',
  is: (model): model is DenoisingModel => model instanceof DenoisingModel,

  describe(model): ModelDescription {
    return {
      kind: 'dtm',
      sizes: { pixels: model.pixels, classes: model.classes, steps: model.steps, nodes: model.layout.numNodes },
      accepts: [...ACCEPTS],
      observe: [],
      formats: ['json', 'npy', 'ndjson', 'png'],
      defaults: { n: 1, seed: 0, ...DEFAULTS },
      settings: { imageRows: model.imageRows, imageCols: model.imageCols, inpaint: 'pixels with values 0 or 1' },
    };
  },

  plan(model, request: SampleRequest): SamplePlan {
    checkFields('dtm', request, ACCEPTS);
    const n = request.n ?? 1;
    const sweeps = request.sweeps ?? DEFAULTS.sweeps;
    const anneal = request.anneal ?? DEFAULTS.anneal;
    const labels = request.labels === undefined ? undefined : checkLabels(request.labels, model.classes, n);
    const inpaint =
      request.inpaint &&
      checkClamp('inpaint', { nodes: request.inpaint.pixels, values: request.inpaint.values }, model.pixels, n, [0, 1]);
    if (inpaint && inpaint.nodes.length === 0)
      throw refuse('inpaint.pixels is empty: leave inpaint out to sample whole images');
    const seed = request.seed ?? 0;
    const perSample = sweeps * model.steps * model.layout.numNodes;
    return {
      kind: 'dtm',
      n,
      seed,
      width: model.pixels,
      dtype: 'u1',
      image: { rows: model.imageRows, cols: model.imageCols },
      observe: [],
      work: n * perSample,
      resultBytes: resultBytes(n, model.pixels, 'u1', []),
      batches: splitBatches(n, perSample, model.layout.numNodes, request.batch),
      async runBatch(index, offset, count, run) {
        const held = inpaint && clampSlice(inpaint, offset, count);
        const result = await model.generate({
          count,
          labels: labelSlice(labels, offset, count),
          clamp: held && { pixels: held.nodes, values: held.values },
          sweeps,
          betaStart: anneal.from,
          betaEnd: anneal.to,
          seed: Number(batchSeed(seed, index) >> 11n),
          threads: run.threads,
          signal: run.signal,
        });
        return { samples: Uint8Array.from(result.images), extras: {}, work: result.flips, seconds: result.seconds };
      },
    };
  },
};
