/**
 * Requests whose answer would be a number that means nothing are refused: means over no samples (they came
 * back as 0, and a KL gradient of 0), and energies of "spins" that are not ±1.
 */
import { estimateKlGradient, estimateKlGradientSync, graphs, IsingModel } from '../lib';

const graph = graphs.lattice2d(3, 3);
const model = new IsingModel(graph, { couplings: 0.4, biases: 0.1, beta: 0.7 });
const refused = { code: 'ERR_INVALID_ARGUMENT' };

describe('samples: 0', () => {
  test('moments, chain means and mean-field pairs need samples: refused, not zeros', async () => {
    for (const observe of [['moments'], ['chainMeans'], ['meanFieldPairs'], ['energy', 'moments']] as const) {
      expect(() => model.sampleSync({ chains: 8, warmup: 5, samples: 0, observe: [...observe] })).toThrow(
        expect.objectContaining({ ...refused, message: expect.stringMatching(/needs samples >= 1/) }),
      );
    }
    await expect(model.sample({ chains: 8, warmup: 5, samples: 0, observe: ['moments'] })).rejects.toMatchObject(
      refused,
    );
  });

  test('a run with no samples and no observables is a warm-up: the chains move, no mean is made up', () => {
    const chains = model.chains({ chains: 8, seed: 3 });
    const before = chains.spins().slice();
    const run = chains.runSync({ warmup: 20, samples: 0 });
    expect(run.mean).toBeUndefined();
    expect(run.pairMean).toBeUndefined();
    expect(run.sweeps).toBe(20);
    expect(chains.spins()).not.toEqual(before);
  });

  test('observables that are per sample stay allowed (empty)', () => {
    const run = model.sampleSync({ chains: 4, warmup: 3, samples: 0, observe: ['energy', 'states'] });
    expect(run.energy).toHaveLength(0);
  });

  test('the KL gradient refuses samples: 0 instead of returning a zero gradient', async () => {
    const options = { visible: [0, 8], data: [1, -1, -1, 1], warmup: 5, samples: 0, seed: 1 };
    expect(() => estimateKlGradientSync(model, options)).toThrow(
      expect.objectContaining({ ...refused, message: expect.stringMatching(/samples/) }),
    );
    await expect(estimateKlGradient(model, options)).rejects.toMatchObject(refused);
  });
});

describe('energy() of values that are not spins', () => {
  const ones = new Array<number>(graph.numNodes).fill(1);

  test('±1 configurations give the energy', () => {
    // All up: E = −(Σ h + Σ J) with every h = 0.1 and every J = 0.4 (float32).
    const expected = -(graph.numNodes * Math.fround(0.1) + graph.numEdges * Math.fround(0.4));
    expect(model.energy(ones)).toBeCloseTo(expected, 10);
  });

  test('0, 2, 0.5 and NaN are refused, in one configuration or several', () => {
    for (const bad of [0, 2, 0.5, NaN]) {
      const spins = [...ones];
      spins[4] = bad;
      expect(() => model.energy(spins)).toThrow(
        expect.objectContaining({ ...refused, message: expect.stringMatching(/\+1 or -1; spin 4/) }),
      );
      expect(() => model.energy([...ones, ...spins], 2)).toThrow(expect.objectContaining(refused));
    }
    expect(() => model.energy(Uint8Array.from(ones, () => 0))).toThrow(expect.objectContaining(refused));
    expect(() => model.energy([...ones, ...ones], 1.5)).toThrow(expect.objectContaining(refused));
  });
});
