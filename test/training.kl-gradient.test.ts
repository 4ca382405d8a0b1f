/**
 * The Monte-Carlo KL gradient against the exact gradient of small Boltzmann machines (THRML's bar:
 * < 1 % relative error), plus a finite-difference check of the exact oracle itself.
 */
import { estimateKlGradient, estimateKlGradientSync, graphs, IsingModel } from '../lib';
import { exactKlGradient, klDivergence, SmallModel } from './helpers/exact';

const graph = graphs.fromEdges(4, [
  [0, 1],
  [1, 2],
  [2, 3],
]); // THRML's 4-spin chain; visible ends, latent middle
const couplings = Float32Array.of(0.8, -0.5, 0.6);
const biases = Float32Array.of(0.2, -0.1, 0.3, -0.4);
const model = new IsingModel(graph, { couplings, biases, beta: 1 });
const small: SmallModel = { numNodes: 4, src: graph.src, dst: graph.dst, couplings, biases, beta: 1 };
const visible = [0, 3];
const data = [
  [1, 1],
  [1, 1],
  [-1, 1],
  [-1, -1],
];

test('the exact oracle matches finite differences of the enumerated KL', () => {
  const exact = exactKlGradient(small, visible, data);
  const h = 1e-5;
  for (let e = 0; e < 3; e++) {
    const shifted = (d: number) => {
      const j = Float64Array.from(couplings);
      j[e] += d;
      return klDivergence({ ...small, couplings: j }, visible, data);
    };
    expect(exact.couplings[e]).toBeCloseTo((shifted(h) - shifted(-h)) / (2 * h), 6);
  }
});

test('Monte-Carlo gradient within 1 % of the exact gradient', async () => {
  const exact = exactKlGradient(small, visible, data);
  const estimate = await estimateKlGradient(model, {
    visible,
    data: data.flat(),
    chainsPerRow: 8192,
    negativeChains: 32768,
    warmup: 50,
    samples: 100,
    thin: 2,
    seed: 3,
  });
  const exactAll = [...exact.couplings, ...exact.biases];
  const mcAll = [...estimate.couplings, ...estimate.biases];
  const norm = Math.hypot(...exactAll);
  const error = Math.hypot(...exactAll.map((g, k) => g - mcAll[k]));
  // ~3.3 million samples per phase: the standard error per component is ~1e-3, so ‖error‖ ≈ 3e-3
  // against ‖gradient‖ ≈ 0.6.
  expect(error / norm).toBeLessThan(0.01);
});

test('the sync form gives the same estimate as the async one', async () => {
  const options = { visible, data: data.flat(), chainsPerRow: 64, warmup: 10, samples: 10, seed: 9 };
  const sync = estimateKlGradientSync(model, options);
  const async = await estimateKlGradient(model, options);
  expect(sync.couplings).toEqual(async.couplings);
  expect(sync.biases).toEqual(async.biases);
});

test('bad data is rejected', async () => {
  await expect(estimateKlGradient(model, { visible, data: [1, 1, 1] })).rejects.toMatchObject({
    code: 'ERR_INVALID_ARGUMENT',
  });
  await expect(estimateKlGradient(model, { visible, data: [1, 0] })).rejects.toMatchObject({
    code: 'ERR_INVALID_ARGUMENT',
  });
  await expect(estimateKlGradient(model, { visible: [9], data: [1] })).rejects.toMatchObject({
    code: 'ERR_INVALID_ARGUMENT',
  });
});
