/**
 * Long statistical checks (npm run test:slow): the same exact comparisons as the default suite with
 * 25× more samples, so the engine is checked to a standard error below 2e-3, and Onsager's values on a
 * larger lattice at four temperatures.
 */
import { engineInfo, graphs, IsingModel, setSimd } from '../../lib';
import { onsagerEnergyPerSpin, onsagerMagnetization } from '../../lib/reference/onsager';
import { SeededRandom } from '../../lib/util/random';
import { exactMoments } from '../helpers/exact';
import { measureFerromagnet } from '../helpers/ferromagnet';
import { maxZ, momentEstimates, Z_FAMILY } from '../helpers/stats';

describe.each(engineInfo().simdAvailable)('%s kernel, ~1e6 samples', (simd) => {
  beforeAll(() => setSimd(simd));
  afterAll(() => setSimd(engineInfo().simdAvailable.at(-1)!));

  test('16-spin frustrated king lattice: every marginal and pair correlation', () => {
    const graph = graphs.king(4, 4);
    const rng = new SeededRandom(77);
    const couplings = Float32Array.from({ length: graph.numEdges }, () => 2 * rng.float() - 1);
    const biases = Float32Array.from({ length: 16 }, () => rng.float() - 0.5);
    const model = new IsingModel(graph, { couplings, biases, beta: 1 });
    const exact = exactMoments({ numNodes: 16, src: graph.src, dst: graph.dst, couplings, biases, beta: 1 });
    const chains = 8192;
    const samples = 128;
    const run = model.sampleSync({ chains, warmup: 200, samples, thin: 32, seed: 5, observe: ['states'] });
    const pairs: Array<[number, number]> = [];
    for (let a = 0; a < 16; a++) for (let b = a + 1; b < 16; b++) pairs.push([a, b]);
    const est = momentEstimates(run.states!, samples, chains, 16, pairs);
    expect(maxZ(est.nodes, exact.mean)).toBeLessThan(Z_FAMILY);
    expect(
      maxZ(
        est.pairs,
        pairs.map(([a, b]) => exact.pairMean(a, b)),
      ),
    ).toBeLessThan(Z_FAMILY);
    const worstStderr = Math.max(...[...est.nodes, ...est.pairs].map((e) => e.stderr));
    expect(worstStderr).toBeLessThan(2e-3);
  });
});

test.each([0.3, 0.4, 0.5, 0.6])('128×128 torus at β = %f against Onsager', (beta) => {
  const ordered = beta > 0.4407;
  const { energy, absM } = measureFerromagnet({
    L: 128,
    beta,
    chains: 32,
    warmup: 4000,
    samples: 100,
    thin: 20,
    seed: 3,
    ordered,
  });
  // β = 0.4 and 0.5 are nearer β_c (ξ ≈ 6 and 4.4): finite-size corrections e^{−L/ξ} are still < 1e-9.
  expect(Math.abs(energy.mean - onsagerEnergyPerSpin(beta))).toBeLessThan(Z_FAMILY * energy.stderr);
  if (ordered) expect(Math.abs(absM.mean - onsagerMagnetization(beta))).toBeLessThan(Z_FAMILY * absM.stderr);
});
