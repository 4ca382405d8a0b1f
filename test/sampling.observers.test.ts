/** The sampler's observers agree with each other: moments, per-chain means and mean-field pairs against the recorded states. */
import { graphs, IsingModel } from '../lib';

describe('observers', () => {
  // 37 chains: four full tiles of 8 lanes and a partial one, whose padding lanes must not count. On one
  // thread the first four tiles make a whole block (the vector moment kernel); on two, groups of three
  // tiles take the generic path, so the two runs' equal moments compare the paths.
  const model = IsingModel.random(new graphs.Graph(graphs.torus(10, { jumps: 'G8' })), { seed: 4, couplingScale: 0.4 });
  const chains = 37;
  const n = model.graph.numNodes;
  const options = { chains, seed: 8, warmup: 3, samples: 25, thin: 2, clamp: { nodes: [0, 5], values: [1, -1] } };

  test('moments, chain means and mean-field pairs equal the averages of the recorded states, for any thread count', () => {
    const run = model.sampleSync({
      ...options,
      observe: ['states', 'moments', 'chainMeans', 'meanFieldPairs'],
      threads: 2,
    });
    const states = run.states as Int8Array;
    const { src, dst } = model.graph;
    const mean = new Float64Array(n);
    const pairMean = new Float64Array(src.length);
    const chainMeans = new Float64Array(chains * n);
    for (let s = 0; s < options.samples; s++) {
      for (let c = 0; c < chains; c++) {
        const row = states.subarray((s * chains + c) * n, (s * chains + c + 1) * n);
        for (let i = 0; i < n; i++) {
          mean[i] += row[i];
          chainMeans[c * n + i] += row[i] / options.samples;
        }
        for (let e = 0; e < src.length; e++) pairMean[e] += row[src[e]] * row[dst[e]];
      }
    }
    const norm = 1 / (options.samples * chains);
    expect(Array.from(run.mean as Float64Array)).toEqual(Array.from(mean, (v) => v * norm));
    expect(Array.from(run.pairMean as Float64Array)).toEqual(Array.from(pairMean, (v) => v * norm));
    const observed = run.chainMeans as Float32Array;
    expect(observed).toHaveLength(chains * n);
    for (let k = 0; k < chains * n; k++) expect(observed[k]).toBeCloseTo(chainMeans[k], 6);
    for (let c = 0; c < chains; c++) expect([observed[c * n], observed[c * n + 5]]).toEqual([1, -1]);
    const meanField = run.pairMeanField as Float64Array;
    expect(meanField).toHaveLength(src.length);
    for (let e = 0; e < src.length; e++) {
      let sum = 0;
      for (let c = 0; c < chains; c++) sum += chainMeans[c * n + src[e]] * chainMeans[c * n + dst[e]];
      expect(meanField[e]).toBeCloseTo(sum / chains, 12);
    }

    const single = model.sampleSync({ ...options, observe: ['moments', 'chainMeans', 'meanFieldPairs'], threads: 1 });
    expect(single.pairMean).toEqual(run.pairMean);
    expect(single.chainMeans).toEqual(run.chainMeans);
    expect(single.pairMeanField).toEqual(run.pairMeanField);
  });

  test('spins(out) writes the current spins into the given array', () => {
    const live = model.chains({ chains, seed: 8 });
    live.runSync({ warmup: 5, samples: 0 });
    const out = new Int8Array(chains * n).fill(7);
    expect(live.spins(out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(live.spins()));
    expect(out.every((s) => s === 1 || s === -1)).toBe(true);
  });
});
