/**
 * The sampler against exact enumeration. Each statistic is estimated from independent chains; its
 * standard error comes from the spread between chains, and the family of statistics must stay within
 * Z_FAMILY standard errors (see helpers/stats.ts). A deliberately broken sampler is shown to fail.
 */
import { engineInfo, Graph, graphs, IsingModel, setSimd } from '../lib';
import { SeededRandom } from '../lib/util/random';
import { exactMoments, SmallModel } from './helpers/exact';
import { maxZ, momentEstimates, Z_FAMILY } from './helpers/stats';

function frustrated(graph: Graph, seed: number, beta: number): IsingModel {
  const rng = new SeededRandom(seed);
  // Couplings of both signs (frustrated loops) and fields of both signs.
  const couplings = Float32Array.from(
    { length: graph.numEdges },
    () => (rng.float() < 0.5 ? -1 : 1) * (0.2 + 0.6 * rng.float()),
  );
  const biases = Float32Array.from({ length: graph.numNodes }, () => rng.float() - 0.5);
  return new IsingModel(graph, { couplings, biases, beta });
}

function small(model: IsingModel): SmallModel {
  const g = model.graph;
  return {
    numNodes: g.numNodes,
    src: g.src,
    dst: g.dst,
    couplings: model.couplings,
    biases: model.biases,
    beta: model.beta,
  };
}

/** Every pair of nodes: edges and non-edges alike. */
function allPairs(n: number): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) pairs.push([a, b]);
  return pairs;
}

const CHAINS = 1024;
const SAMPLES = 40;
const schedule = { chains: CHAINS, warmup: 100, samples: SAMPLES, thin: 3, observe: ['states' as const] };

function zAgainstExact(
  model: IsingModel,
  run: { states?: Int8Array },
  exact: ReturnType<typeof exactMoments>,
  chains = CHAINS,
) {
  const n = model.graph.numNodes;
  const pairs = allPairs(n);
  const est = momentEstimates(run.states!, SAMPLES, chains, n, pairs);
  return Math.max(
    maxZ(est.nodes, exact.mean),
    maxZ(
      est.pairs,
      pairs.map(([a, b]) => exact.pairMean(a, b)),
    ),
  );
}

describe.each(engineInfo().simdAvailable)('exact distributions (%s kernel)', (simd) => {
  beforeAll(() => setSimd(simd));
  afterAll(() => setSimd(engineInfo().simdAvailable.at(-1)!));

  test('random frustrated 10-spin model with fields: all marginals and pair correlations', () => {
    const model = frustrated(graphs.randomRegular(10, 4, { seed: 3 }), 1, 1.0);
    const exact = exactMoments(small(model));
    const run = model.sampleSync({ ...schedule, seed: 21 });
    expect(zAgainstExact(model, run, exact)).toBeLessThan(Z_FAMILY);
    // The run's own moment observer (integer sums over all chains and samples) agrees with the states.
    const n = model.graph.numNodes;
    const direct = model.sampleSync({ ...schedule, seed: 21, observe: ['moments'] });
    const est = momentEstimates(run.states!, SAMPLES, CHAINS, n, []);
    direct.mean!.forEach((m, i) => expect(m).toBeCloseTo(est.nodes[i].mean, 12));
  });

  test('16-spin king lattice with clamped nodes: the conditional distribution', () => {
    const model = frustrated(graphs.king(4, 4), 2, 0.8);
    const clamp = { nodes: [0, 5, 10], values: [1, -1, 1] };
    const exact = exactMoments(small(model), clamp);
    const run = model.sampleSync({ ...schedule, seed: 22, clamp });
    expect(zAgainstExact(model, run, exact)).toBeLessThan(Z_FAMILY);
  });

  test('per-chain clamp values: each chain samples its own conditional', () => {
    const model = frustrated(graphs.lattice2d(3, 4, { periodic: false }), 3, 1.2);
    const nodes = [1, 7];
    const values = new Int8Array(CHAINS * 2);
    for (let c = 0; c < CHAINS; c++) values.set(c % 2 === 0 ? [1, 1] : [-1, 1], 2 * c);
    const run = model.sampleSync({ ...schedule, seed: 23, clamp: { nodes, values } });
    const n = model.graph.numNodes;
    for (const parity of [0, 1]) {
      const exact = exactMoments(small(model), { nodes, values: parity === 0 ? [1, 1] : [-1, 1] });
      // Keep the chains of this parity: states are samples × chains × n.
      const half = new Int8Array(SAMPLES * (CHAINS / 2) * n);
      for (let s = 0; s < SAMPLES; s++) {
        for (let c = parity, k = 0; c < CHAINS; c += 2, k++) half.set(run.state(s, c), (s * (CHAINS / 2) + k) * n);
      }
      expect(zAgainstExact(model, { states: half }, exact, CHAINS / 2)).toBeLessThan(Z_FAMILY);
    }
  });
});

describe('conventions and schedules', () => {
  test('the {0,1} Boltzmann convention maps onto spins exactly', () => {
    const graph = graphs.randomRegular(8, 3, { seed: 5 });
    const rng = new SeededRandom(9);
    const weights = Array.from({ length: graph.numEdges }, () => 2 * rng.float() - 1);
    const biases = Array.from({ length: graph.numNodes }, () => rng.float() - 0.5);
    const model = IsingModel.fromBoltzmann(graph, { weights, biases, beta: 1.5 });
    // Exact P(v_i = 1) by enumeration in the {0,1} convention itself.
    const pOn = new Float64Array(8);
    let z = 0;
    for (let state = 0; state < 256; state++) {
      const v = (i: number) => (state >> i) & 1;
      let e = 0;
      for (let i = 0; i < 8; i++) e -= biases[i] * v(i);
      for (let k = 0; k < graph.numEdges; k++) e -= weights[k] * v(graph.src[k]) * v(graph.dst[k]);
      const w = Math.exp(-1.5 * e);
      z += w;
      for (let i = 0; i < 8; i++) pOn[i] += w * v(i);
    }
    const run = model.sampleSync({ ...schedule, seed: 30 });
    const est = momentEstimates(run.states!, SAMPLES, CHAINS, 8, []);
    // ⟨s⟩ = 2 P(v = 1) − 1.
    expect(
      maxZ(
        est.nodes,
        Array.from(pOn, (p) => (2 * p) / z - 1),
      ),
    ).toBeLessThan(Z_FAMILY);
  });

  test('beta = 0 samples uniform spins; an annealing schedule ends at the final beta', () => {
    const model = frustrated(graphs.king(4, 4), 4, 1);
    const hot = model.sampleSync({ ...schedule, seed: 31, beta: 0 });
    const est = momentEstimates(hot.states!, SAMPLES, CHAINS, 16, []);
    expect(maxZ(est.nodes, new Float64Array(16))).toBeLessThan(Z_FAMILY);
    // Annealed from β = 0 up to the model's β over the warm-up, then held: the samples follow p at β.
    const warmup = 200;
    const total = warmup + (SAMPLES - 1) * 3;
    const ramp = (sweep: number) => Math.min(1, sweep / warmup) * model.beta;
    const annealed = model.sampleSync({ ...schedule, seed: 32, warmup, beta: ramp, init: 'hinton' });
    expect(annealed.sweeps).toBe(total);
    expect(zAgainstExact(model, annealed, exactMoments(small(model)))).toBeLessThan(Z_FAMILY);
  });
});

describe('a synchronous update is not Gibbs sampling', () => {
  /** Updates every spin at once from the previous state (what invalid blocks would do). */
  function synchronousSampler(model: IsingModel, chains: number, samples: number, seed: number): Int8Array {
    const { graph, couplings, biases, beta } = model;
    const n = graph.numNodes;
    const rng = new SeededRandom(seed);
    const out = new Int8Array(samples * chains * n);
    let state = Int8Array.from({ length: chains * n }, () => (rng.float() < 0.5 ? -1 : 1));
    for (let sweep = 0; sweep < 100 + samples * 3; sweep++) {
      const next = new Int8Array(chains * n);
      for (let c = 0; c < chains; c++) {
        const field = Float64Array.from(biases);
        for (let e = 0; e < graph.numEdges; e++) {
          field[graph.src[e]] += couplings[e] * state[c * n + graph.dst[e]];
          field[graph.dst[e]] += couplings[e] * state[c * n + graph.src[e]];
        }
        for (let i = 0; i < n; i++) next[c * n + i] = rng.float() < 1 / (1 + Math.exp(-2 * beta * field[i])) ? 1 : -1;
      }
      state = next;
      const s = sweep - 100;
      if (s >= 0 && s % 3 === 0) out.set(state, (s / 3) * chains * n);
    }
    return out;
  }

  test('on a 2-colour lattice it gives the wrong distribution, which the same check detects', () => {
    const graph = graphs.lattice2d(4, 4); // bipartite: the valid blocks are the two colours
    expect(graph.numBlocks).toBe(2);
    const model = new IsingModel(graph, { couplings: 0.5, biases: 0.1, beta: 1 });
    const exact = exactMoments(small(model));
    const chains = 256;
    const broken = synchronousSampler(model, chains, SAMPLES, 7);
    const z = zAgainstExact(model, { states: broken }, exact, chains);
    expect(z).toBeGreaterThan(Z_FAMILY);
    // Block Gibbs over the two colours, at the same sample count, passes.
    const valid = model.sampleSync({ ...schedule, chains, seed: 40 });
    expect(zAgainstExact(model, valid, exact, chains)).toBeLessThan(Z_FAMILY);
    // And the engine refuses the synchronous blocks outright.
    expect(() => graphs.lattice2d(4, 4, { blocks: new Int32Array(16) })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_BLOCKS' }),
    );
  });
});
