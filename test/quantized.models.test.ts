/**
 * RBMs and DTM steps as a chip holds them, against exact answers: the quantized RBM's chain against the
 * exact sweep matrix of its bipartite p-bit network (7 units, 128 states) and, with 32-bit draws and
 * exactly representable weights, against the float RBM's exact distribution; a DTM step's chip against
 * the enumerated conditional Boltzmann distribution (16 free nodes, inputs clamped). Standard errors
 * come from independent chains (helpers/stats.ts). Also: what quantizing reports, determinism, training
 * in the loop.
 */
import { DenoisingModel, RBM } from '../lib';
import { QuantizedDtm, QuantizedDtmStep } from '../lib/models/quantized-dtm';
import { QuantizedIsingModel } from '../lib/models/quantized-ising';
import { QuantizedRBM } from '../lib/models/quantized-rbm';
import { DtmGradientEstimator } from '../lib/training/dtm-gradient';
import { trainDtm } from '../lib/training/dtm-trainer';
import { SeededRandom } from '../lib/util/random';
import { exactMoments } from './helpers/exact';
import { stationary } from './helpers/quantized-exact';
import { exactRbm } from './helpers/rbm-exact';
import { chainEstimate, maxZ, momentEstimates, Z_FAMILY } from './helpers/stats';

const V = 4;
const H = 3;
const STEP = 0.25;

/** Weights and biases that are integers × 0.25 in [−6, 6]: exactly representable at 4 bits and above. */
function integerRbm(seed: number): RBM {
  const rng = new SeededRandom(seed);
  const pick = () => STEP * (Math.floor(rng.float() * 13) - 6);
  return new RBM(V, H, {
    weights: Array.from({ length: V * H }, pick),
    visibleBias: Array.from({ length: V }, pick),
    hiddenBias: Array.from({ length: H }, pick),
  });
}

/** z of each sampled visible-state frequency (one independent chain per sample) against p(v). */
function visibleZ(visible: Float32Array, chains: number, p: ArrayLike<number>): number {
  const estimates = Array.from({ length: 2 ** V }, (_, s) =>
    chainEstimate(
      Float64Array.from({ length: chains }, (_, c) => {
        let state = 0;
        for (let i = 0; i < V; i++) state |= visible[c * V + i] << i;
        return state === s ? 1 : 0;
      }),
    ),
  );
  return maxZ(estimates, p);
}

/** p(v) of the chip's stationary distribution over its V + H spins (bit k = unit k up). */
function visibleMarginal(joint: Float64Array): Float64Array {
  const p = new Float64Array(2 ** V);
  joint.forEach((q, s) => (p[s & (2 ** V - 1)] += q));
  return p;
}

describe('a quantized RBM', () => {
  const CHAINS = 4000;

  test('32-bit draws and exactly representable weights: the float RBM’s distribution', async () => {
    const rbm = integerRbm(1);
    const chip = QuantizedRBM.quantize(rbm, { couplingBits: 6, fieldBits: 6, randomBits: 32, scale: STEP });
    expect(chip.report).toEqual({
      scale: STEP,
      clippedCouplings: 0,
      clippedBiases: 0,
      maxCouplingError: 0,
      maxBiasError: 0,
    });
    const exact = exactRbm(rbm).probabilities;
    const pi = visibleMarginal(stationary(chip.ising));
    pi.forEach((q, s) => expect(q).toBeCloseTo(exact[s], 8));
    const run = await chip.sample({ chains: CHAINS, sweeps: 40, seed: 3 });
    expect(visibleZ(run.visible, CHAINS, exact)).toBeLessThan(Z_FAMILY);
  });

  test('3-bit draws: the sampler follows the chip’s transition matrix, which the float RBM’s distribution does not match', async () => {
    const rbm = integerRbm(2);
    const chip = QuantizedRBM.quantize(rbm, { couplingBits: 6, fieldBits: 6, randomBits: 3, scale: STEP });
    const pi = visibleMarginal(stationary(chip.ising));
    const exact = exactRbm(rbm).probabilities;
    const run = await chip.sample({ chains: CHAINS, sweeps: 40, seed: 4 });
    expect(visibleZ(run.visible, CHAINS, pi)).toBeLessThan(Z_FAMILY);
    // The same samples reject the float model: the check tells the two chains apart.
    expect(visibleZ(run.visible, CHAINS, exact)).toBeGreaterThan(Z_FAMILY);
  });

  test('clamped visible units: the conditional of the chip', async () => {
    const rbm = integerRbm(3);
    const chip = QuantizedRBM.quantize(rbm, { couplingBits: 6, fieldBits: 6, randomBits: 5, scale: STEP });
    const clampIsing = { nodes: [0, 2], values: [1, -1] };
    const pi = visibleMarginal(stationary(chip.ising, clampIsing));
    const run = await chip.sample({ chains: CHAINS, sweeps: 40, seed: 5, clamp: { nodes: [0, 2], values: [1, 0] } });
    for (let c = 0; c < CHAINS; c++) expect([run.visible[c * V], run.visible[c * V + 2]]).toEqual([1, 0]);
    expect(visibleZ(run.visible, CHAINS, pi)).toBeLessThan(Z_FAMILY);
  });

  test('rounding, clipping and the report, in the file’s {0,1} convention', () => {
    const rbm = new RBM(2, 2, { weights: [0.3, -1.0, 0.26, 0.1], visibleBias: [0.5, -0.2], hiddenBias: [0, 2.0] });
    const chip = QuantizedRBM.quantize(rbm, { couplingBits: 3, fieldBits: 3, randomBits: 8, scale: 0.25 });
    expect(Array.from(chip.integerWeights)).toEqual([1, -3, 1, 0]); // -1.0 is 4 steps: clipped to 3
    expect(Array.from(chip.integerVisibleBias)).toEqual([2, -1]);
    expect(Array.from(chip.integerHiddenBias)).toEqual([0, 3]); // 2.0 is 8 steps: clipped
    expect(chip.report.clippedCouplings).toBe(1);
    expect(chip.report.clippedBiases).toBe(1);
    expect(chip.report.maxCouplingError).toBeCloseTo(0.25, 6);
    expect(chip.report.maxBiasError).toBeCloseTo(1.25, 6);
    // The spin form: J = W, h = 2b + Σ W (integers), scale / 4.
    expect(Array.from(chip.ising.integerCouplings)).toEqual([1, -3, 1, 0]);
    expect(Array.from(chip.ising.integerBiases)).toEqual([2 * 2 + 1 - 3, -2 + 1, 0 + 1 + 1, 6 - 3]);
    expect(chip.ising.scale).toBe(0.0625);
    expect(() =>
      QuantizedRBM.quantize(rbm, { couplingBits: 3, fieldBits: 3, randomBits: 8, scale: 0.25, onOverflow: 'refuse' }),
    ).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('weight W[0][1]') }),
    );
    expect(() => QuantizedRBM.quantize(rbm, { couplingBits: 1, fieldBits: 3, randomBits: 8 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => QuantizedRBM.quantize(rbm, { couplingBits: 4, fieldBits: 3, randomBits: 33 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  test('a unit whose field cannot fit the engine is refused, named', () => {
    const wide = RBM.create({ visible: 600, hidden: 2, seed: 1, weightScale: 0 });
    wide.weights.fill(1);
    expect(() => QuantizedRBM.quantize(wide, { couplingBits: 8, fieldBits: 8, randomBits: 8 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('hidden unit 0') }),
    );
  });

  test('the same seed gives the same samples, for any thread count', async () => {
    const rbm = RBM.create({ visible: 30, hidden: 20, seed: 2, weightScale: 0.5 });
    const chip = QuantizedRBM.quantize(rbm, { couplingBits: 5, fieldBits: 5, randomBits: 6 });
    const runs = await Promise.all(
      [1, 2, 1].map((threads, k) => chip.sample({ chains: 300, sweeps: 10, seed: k < 2 ? 7 : 8, threads })),
    );
    expect(Array.from(runs[1].visible)).toEqual(Array.from(runs[0].visible));
    expect(Array.from(runs[2].visible)).not.toEqual(Array.from(runs[0].visible));
  });
});

describe('a quantized DTM', () => {
  const model = new DenoisingModel({ size: 4, jumps: 'G8', pixels: 2, steps: 2, initScale: 0.3, seed: 1 });
  const { inputs } = model.layout;

  test('each step is the step’s Ising model rounded with its own scale; the report sums the steps', () => {
    const chip = QuantizedDtm.quantize(model, { couplingBits: 5, fieldBits: 5, randomBits: 8 });
    for (const k of [1, 2]) {
      const alone = QuantizedIsingModel.quantize(model.step(k), { couplingBits: 5, fieldBits: 5, randomBits: 8 });
      expect(Array.from(chip.stepModels[k - 1].integerCouplings)).toEqual(Array.from(alone.integerCouplings));
      expect(chip.stepModels[k - 1].scale).toBe(alone.scale);
      expect(Math.max(...chip.stepModels[k - 1].integerCouplings.map(Math.abs))).toBe(15);
    }
    expect(chip.report.maxCouplingError).toBe(Math.max(...chip.report.steps.map((r) => r.maxCouplingError)));
    expect(chip.report.clippedCouplings).toBe(0);
  });

  test('32-bit draws: a step’s chip samples the enumerated conditional Boltzmann distribution of the values it holds', () => {
    const chip = QuantizedDtm.quantize(model, { couplingBits: 8, fieldBits: 8, randomBits: 32 }).stepModels[0];
    const values = [1, -1];
    const g = chip.graph;
    const exact = exactMoments(
      { numNodes: g.numNodes, src: g.src, dst: g.dst, couplings: chip.couplings, biases: chip.biases, beta: 1 },
      { nodes: Array.from(inputs), values },
    );
    const chains = 1024;
    const samples = 30;
    const run = chip.sampleSync({
      chains,
      warmup: 100,
      samples,
      thin: 3,
      seed: 9,
      clamp: { nodes: inputs, values },
      observe: ['states'],
    });
    const pairs = Array.from(g.src, (a, e) => [a, g.dst[e]] as [number, number]);
    const est = momentEstimates(run.states!, samples, chains, g.numNodes, pairs);
    const free = (i: number) => !Array.from(inputs).includes(i);
    expect(
      maxZ(
        est.nodes.filter((_, i) => free(i)),
        exact.mean.filter((_, i) => free(i)),
      ),
    ).toBeLessThan(Z_FAMILY);
    expect(maxZ(est.pairs, exact.edgeMean)).toBeLessThan(Z_FAMILY);
  });

  test('generation on the chip: the same seed gives the same images for any thread count, not the float model’s', async () => {
    const chip = QuantizedDtm.quantize(model, { couplingBits: 4, fieldBits: 4, randomBits: 6 });
    const options = { count: 200, sweeps: 20, seed: 3 };
    const [one, two, float] = await Promise.all([
      chip.generate({ ...options, threads: 1 }),
      chip.generate({ ...options, threads: 2 }),
      model.generate(options),
    ]);
    expect(Array.from(two.images)).toEqual(Array.from(one.images));
    expect(Array.from(float.images)).not.toEqual(Array.from(one.images));
  });

  test('training in the loop: the sampler holds the re-quantized floats, and the floats take the updates', async () => {
    const trained = new DenoisingModel({ size: 4, jumps: 'G8', pixels: 2, steps: 2, initScale: 0.3, seed: 1 });
    const precision = { couplingBits: 4, fieldBits: 4, randomBits: 6 };
    const estimator = new DtmGradientEstimator(trained, 1, 64, 5, precision);
    const before = estimator.samplingTarget() as QuantizedDtmStep;
    const integers = Array.from(before.integerCouplings);
    trained.learnedCouplings(1).forEach((_, e, J) => (J[e] *= -1));
    const after = estimator.samplingTarget() as QuantizedDtmStep;
    expect(Array.from(after.integerCouplings.subarray(0, trained.numTorusEdges))).toEqual(
      integers.slice(0, trained.numTorusEdges).map((q) => -q || 0),
    );
    estimator.dispose();

    const images = Float32Array.from({ length: 64 * 2 }, (_, k) => (k % 3 === 0 ? 1 : 0));
    const data = { count: 64, rows: 1, cols: 2, images, labels: new Uint8Array(64) };
    const start = Float32Array.from(trained.learnedCouplings(1));
    const run = () =>
      trainDtm(trained, data, { epochs: 1, batchSize: 32, warmup: 5, samples: 4, thin: 1, precision, seed: 2 });
    const history = await run();
    expect(history[0].flips).toBeGreaterThan(0);
    expect(Array.from(trained.learnedCouplings(1))).not.toEqual(Array.from(start));
    trained.learnedCouplings(1).forEach((J) => expect(Number.isFinite(J)).toBe(true));
  });
});
