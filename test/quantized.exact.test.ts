/**
 * The integer and multispin p-bit kernels against the exact chain of the circuit: the stationary distribution of
 * the 2^N × 2^N sweep matrix (helpers/quantized-exact.ts). With 32-bit draws and exactly
 * representable couplings it is the float model's Boltzmann distribution; with 3-bit draws it is not,
 * and the sampler follows the matrix, not Boltzmann. Standard errors come from independent chains.
 */
import { Graph, graphs, IsingModel, QuantizedIsingModel } from '../lib';
import { native } from '../lib/native';
import { SeededRandom } from '../lib/util/random';
import { Clamp, exactMoments } from './helpers/exact';
import { momentsOf, stationary, threshold } from './helpers/quantized-exact';
import { maxZ, momentEstimates, Z_FAMILY } from './helpers/stats';

const CHAINS = 1024;
const SAMPLES = 40;
const baseSchedule = { chains: CHAINS, warmup: 100, samples: SAMPLES, thin: 3, observe: ['states' as const] };

function allPairs(n: number): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) pairs.push([a, b]);
  return pairs;
}

/** Integer couplings in [−3, 3] and biases in [−2, 2] at scale 0.25: every value exact in float32. */
function integerModel(graph: Graph, seed: number, randomBits: number, beta = 1): QuantizedIsingModel {
  const rng = new SeededRandom(seed);
  const couplings = Array.from({ length: graph.numEdges }, () => Math.floor(rng.float() * 7) - 3);
  const biases = Array.from({ length: graph.numNodes }, () => Math.floor(rng.float() * 5) - 2);
  return new QuantizedIsingModel(graph, { couplings, biases, scale: 0.25, randomBits, beta });
}

function boltzmann(model: QuantizedIsingModel, clamp?: Clamp) {
  const g = model.graph;
  return exactMoments(
    {
      numNodes: g.numNodes,
      src: g.src,
      dst: g.dst,
      couplings: model.couplings,
      biases: model.biases,
      beta: model.beta,
    },
    clamp,
  );
}

/** Largest z of the sampled ⟨s_i⟩ and ⟨s_a s_b⟩ (all pairs) against a distribution over states. */
function zAgainst(states: Int8Array, n: number, probabilities: Float64Array, chains = CHAINS): number {
  const pairs = allPairs(n);
  const est = momentEstimates(states, SAMPLES, chains, n, pairs);
  const exact = momentsOf(probabilities, n, pairs);
  return Math.max(maxZ(est.nodes, exact.mean), maxZ(est.pairs, exact.pairMean));
}

const maxDifference = (a: Float64Array, b: Float64Array) => a.reduce((m, v, k) => Math.max(m, Math.abs(v - b[k])), 0);

// Couplings in [−3, 3] on a 3-regular graph: at most 9 steps per node, so both kernels can run them.
describe.each(['integer', 'multispin'] as const)(
  'the quantized chain against its exact transition matrix (%s kernel)',
  (kernel) => {
    const graph = graphs.randomRegular(8, 3, { seed: 5 });
    const schedule = { ...baseSchedule, kernel };

    test('32-bit draws, exactly representable couplings: the Boltzmann distribution of the float model', () => {
      const model = integerModel(graph, 1, 32);
      const exact = boltzmann(model);
      // The circuit's chain is Boltzmann up to the 2^-32 resolution of its thresholds.
      expect(maxDifference(stationary(model), exact.probabilities)).toBeLessThan(1e-8);
      const run = model.sampleSync({ ...schedule, seed: 11 });
      expect(zAgainst(run.states!, 8, exact.probabilities)).toBeLessThan(Z_FAMILY);
    });

    test('3-bit draws: the sampler follows the transition matrix, which is not Boltzmann', () => {
      const model = integerModel(graph, 1, 3);
      const pi = stationary(model);
      const exact = boltzmann(model);
      expect(maxDifference(pi, exact.probabilities)).toBeGreaterThan(0.01);
      const run = model.sampleSync({ ...schedule, seed: 12 });
      expect(zAgainst(run.states!, 8, pi)).toBeLessThan(Z_FAMILY);
      // The same samples and the same check reject Boltzmann: the test tells the two chains apart.
      expect(zAgainst(run.states!, 8, exact.probabilities)).toBeGreaterThan(Z_FAMILY);
    });

    test('±1 couplings (the multispin kernel’s ±J path), 4-bit draws', () => {
      const rng = new SeededRandom(6);
      const couplings = Array.from({ length: graph.numEdges }, () => (rng.float() < 0.5 ? -1 : 1));
      const biases = Array.from({ length: graph.numNodes }, () => Math.floor(rng.float() * 5) - 2);
      const model = new QuantizedIsingModel(graph, { couplings, biases, scale: 0.4, randomBits: 4, beta: 1 });
      const run = model.sampleSync({ ...schedule, seed: 16 });
      expect(zAgainst(run.states!, 8, stationary(model))).toBeLessThan(Z_FAMILY);
    });

    test('clamped nodes (per chain values), 5-bit draws: the conditional chain', () => {
      const model = integerModel(graph, 2, 5, 0.8);
      const nodes = [0, 3];
      const values = new Int8Array(CHAINS * 2);
      for (let c = 0; c < CHAINS; c++) values.set(c % 2 === 0 ? [1, -1] : [-1, -1], 2 * c);
      const run = model.sampleSync({ ...schedule, seed: 13, clamp: { nodes, values } });
      for (const parity of [0, 1]) {
        const clamp = { nodes, values: parity === 0 ? [1, -1] : [-1, -1] };
        const half = new Int8Array(SAMPLES * (CHAINS / 2) * 8);
        for (let s = 0; s < SAMPLES; s++) {
          for (let c = parity, k = 0; c < CHAINS; c += 2, k++) half.set(run.state(s, c), (s * (CHAINS / 2) + k) * 8);
        }
        expect(zAgainst(half, 8, stationary(model, clamp), CHAINS / 2)).toBeLessThan(Z_FAMILY);
      }
    });

    test('a β schedule: annealed from 0 over the warm-up, then held at the model’s β', () => {
      const model = integerModel(graph, 3, 6);
      const warmup = 150;
      const ramp = (sweep: number) => Math.min(1, sweep / warmup) * model.beta;
      const run = model.sampleSync({ ...schedule, seed: 14, warmup, beta: ramp, init: 'hinton' });
      expect(zAgainst(run.states!, 8, stationary(model))).toBeLessThan(Z_FAMILY);
    });

    test('the moment and energy observers agree with the states, exactly', () => {
      const model = integerModel(graph, 4, 8);
      const options = { ...schedule, chains: 100, seed: 15 };
      const chains = model.chains(options);
      expect(chains.kernel).toBe(kernel);
      chains.dispose();
      const run = model.sampleSync({ ...options, observe: ['states', 'moments', 'energy', 'magnetization'] });
      const n = 8;
      const est = momentEstimates(run.states!, SAMPLES, 100, n, []);
      run.mean!.forEach((m, i) => expect(m).toBeCloseTo(est.nodes[i].mean, 12));
      const floatFace = new IsingModel(graph, { couplings: model.couplings, biases: model.biases });
      for (let s = 0; s < SAMPLES; s += 7) {
        for (let c = 0; c < 100; c += 9) {
          const state = run.state(s, c);
          expect(run.energy![s * 100 + c]).toBe(floatFace.energy(state));
          expect(run.magnetization![s * 100 + c]).toBe(state.reduce((a, v) => a + v, 0) / n);
        }
      }
      run.pairs!.a.forEach((a, p) => {
        const b = run.pairs!.b[p];
        let sum = 0;
        for (let k = 0; k < SAMPLES * 100; k++) sum += run.states![k * n + a] * run.states![k * n + b];
        expect(run.pairMean![p]).toBeCloseTo(sum / (SAMPLES * 100), 12);
      });
    });

    test('the threshold table is the p-bit formula', () => {
      expect(threshold(3, 1, 0.25, 0)).toBe(4);
      expect(threshold(3, 1, 0.25, 1)).toBe(4); // 8 σ(0.5) = 4.98: the 3-bit circuit cannot tell I = 0 from I = 1
      expect(threshold(32, 1, 0.25, -100)).toBe(Math.floor(2 ** 32 / (1 + Math.exp(50))));
    });
  },
);

describe('quantizing a float model', () => {
  const graph = graphs.randomRegular(8, 3, { seed: 5 });

  test('the default scale clips nothing; errors are at most half a step', () => {
    const model = IsingModel.random(graph, { seed: 2, couplingScale: 1, biasScale: 0.5 });
    const q = model.quantize({ couplingBits: 6, fieldBits: 5, randomBits: 8 });
    expect(q.report.clippedCouplings + q.report.clippedBiases).toBe(0);
    expect(q.report.maxCouplingError).toBeLessThanOrEqual(q.scale / 2 + 1e-7);
    expect(q.report.maxBiasError).toBeLessThanOrEqual(q.scale / 2 + 1e-7);
    // The scale is the smallest that fits both ranges: one of them is used to its end.
    const topCoupling = Math.max(...q.integerCouplings.map(Math.abs));
    const topBias = Math.max(...q.integerBiases.map(Math.abs));
    expect(topCoupling === 31 || topBias === 15).toBe(true);
    expect(topCoupling).toBeLessThanOrEqual(31);
    expect(topBias).toBeLessThanOrEqual(15);
    q.integerCouplings.forEach((k, e) => expect(q.couplings[e]).toBeCloseTo(k * q.scale, 6));
  });

  test('a scale too small: clipped and counted, or refused naming the edge', () => {
    const couplings = new Float32Array(graph.numEdges).fill(0.1);
    couplings[4] = 1.0;
    const model = new IsingModel(graph, { couplings, biases: 0.05 });
    const q = model.quantize({ couplingBits: 4, fieldBits: 4, randomBits: 8, scale: 0.1 });
    expect(q.report.clippedCouplings).toBe(1);
    expect(q.integerCouplings[4]).toBe(7);
    expect(q.report.maxCouplingError).toBeCloseTo(0.3, 6);
    expect(q.integerBiases[0]).toBe(1); // 0.5 steps round away from zero
    expect(() =>
      model.quantize({ couplingBits: 4, fieldBits: 4, randomBits: 8, scale: 0.1, onOverflow: 'refuse' }),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARGUMENT',
        message: expect.stringMatching(/edge 4 \(nodes \d+–\d+\).*4-bit/),
      }),
    );
  });

  test('bits out of range are coded errors, in TypeScript and in the addon', () => {
    const model = IsingModel.random(graph, { seed: 2 });
    const bad = [
      { couplingBits: 1, fieldBits: 8, randomBits: 8 },
      { couplingBits: 17, fieldBits: 8, randomBits: 8 },
      { couplingBits: 8, fieldBits: 0, randomBits: 8 },
      { couplingBits: 8, fieldBits: 8, randomBits: 0 },
      { couplingBits: 8, fieldBits: 8, randomBits: 33 },
      { couplingBits: 8, fieldBits: 8, randomBits: 2.5 },
    ];
    for (const options of bad)
      expect(() => model.quantize(options)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    const chains = new (native().QuantizedChains)(graph.handle, 4, 1);
    const zeros = [new Int32Array(graph.numEdges), new Int32Array(graph.numNodes)] as const;
    for (const bits of [0, 33]) {
      expect(() => chains.setParameters(...zeros, 1, bits)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      );
    }
    expect(() => chains.setParameters(...zeros, 0, 8)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => chains.setParameters(...zeros, NaN, 8)).toThrow(expect.objectContaining({ code: 'ERR_NOT_FINITE' }));
    const floats = new Float32Array(graph.numEdges) as unknown as Int32Array;
    expect(() => chains.setParameters(floats, zeros[1], 1, 8)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => new (native().QuantizedChains)(graph.handle, 0, 1)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(
      () => new QuantizedIsingModel(graph, { couplings: zeros[0], biases: zeros[1], scale: 1, randomBits: 8.5 }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  test('a node whose field sum overflows the 16-bit lanes is refused by name', () => {
    const star = graphs.fromEdges(4, [
      [0, 1],
      [0, 2],
      [0, 3],
    ]);
    const model = new QuantizedIsingModel(star, {
      couplings: [12000, -12000, 9000],
      biases: [0, 0, 0, 0],
      scale: 1,
      randomBits: 8,
    });
    expect(() => model.sampleSync({ chains: 4, warmup: 1, samples: 1 })).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARGUMENT',
        message: expect.stringMatching(/^node 0's field can reach 33000/),
      }),
    );
    // One step less and it runs.
    const fits = new QuantizedIsingModel(star, {
      couplings: [12000, -12000, 8766],
      biases: [0, 0, 0, 0],
      scale: 1,
      randomBits: 8,
    });
    expect(fits.sampleSync({ chains: 4, warmup: 1, samples: 1 }).mean).toHaveLength(4);
    const auto = fits.chains({ chains: 1 }); // far too many steps for the multispin kernel
    expect(auto.kernel).toBe('integer');
    auto.dispose();
  });
});
