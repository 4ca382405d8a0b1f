/**
 * The denoising thermodynamic model: the forward process, the layout, the conditional gradient against
 * exact enumeration, generation (class-conditional, inpainting) and model files.
 */
import { decodeModel, encodeModel } from '../lib/io/model-file';
import '../lib/models/model-kinds';
import { DenoisingModel } from '../lib/models/dtm';
import { DtmLayout } from '../lib/models/dtm-layout';
import { flipProbability, inputCoupling, noisePairs, timeGrid } from '../lib/models/dtm-noise';
import { DtmGradientEstimator } from '../lib/training/dtm-gradient';
import { SeededRandom } from '../lib/util/random';
import { exactMoments, SmallModel } from './helpers/exact';

describe('the forward process', () => {
  test('log time grid, flip probabilities and the input coupling as the channel log-odds', () => {
    expect(Array.from(timeGrid(4))).toEqual(
      [0, -Math.log(3 / 4), -Math.log(2 / 4), -Math.log(1 / 4), Infinity].map((t) => (t === 0 ? -0 : t)),
    );
    expect(flipProbability(0.9, Infinity)).toBe(0.5);
    expect(flipProbability(0.9, 0)).toBe(0);
    const t = timeGrid(8);
    for (let k = 1; k < 8; k++) {
      const p = flipProbability(0.9, t[k] - t[k - 1]);
      // exp(2w) must be the odds of keeping a bit: (1 − p) / p.
      expect(inputCoupling(0.9, 8, k)).toBeCloseTo(0.5 * Math.log((1 - p) / p), 12);
    }
    expect(inputCoupling(0.9, 8, 8)).toBe(0);
    expect(() => inputCoupling(0.9, 8, 9)).toThrow(/step/);
  });

  test('noised pairs flip at the exact rates (tolerance: 5 binomial standard errors)', () => {
    const width = 50;
    const rows = 400;
    const clean = Int8Array.from({ length: rows * width }, (_, k) => (k % 3 === 0 ? 1 : -1));
    const rates = new Float64Array(width).fill(0.9).fill(0.2, 40);
    const before = new Int8Array(clean.length);
    const after = new Int8Array(clean.length);
    const T = 4;
    const t = timeGrid(T);
    for (const step of [1, 2, 4]) {
      noisePairs(clean, width, rates, T, step, new SeededRandom(step), before, after);
      for (const [lo, hi, rate] of [
        [0, 40, 0.9],
        [40, 50, 0.2],
      ] as const) {
        let flippedBefore = 0;
        let flippedStep = 0;
        let n = 0;
        for (let r = 0; r < rows; r++) {
          for (let i = lo; i < hi; i++) {
            const k = r * width + i;
            if (before[k] !== clean[k]) flippedBefore++;
            if (after[k] !== before[k]) flippedStep++;
            n++;
          }
        }
        for (const [count, p] of [
          [flippedBefore, flipProbability(rate, t[step - 1])],
          [flippedStep, flipProbability(rate, t[step] - t[step - 1])],
        ]) {
          expect(Math.abs(count / n - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n) + 1e-12);
        }
      }
    }
  });
});

describe('the layout', () => {
  test('outputs on one colour, one input per output joined only to it, latents elsewhere', () => {
    const layout = new DtmLayout({ size: 20, jumps: 'G12', pixels: 40, classes: 2, labelCopies: 5, seed: 3 });
    expect(layout.numOutputs).toBe(50);
    expect(layout.numNodes).toBe(400 + 50);
    expect(new Set(layout.outputs).size).toBe(50);
    for (const o of layout.outputs) expect(((o % 20) + Math.floor(o / 20)) % 2).toBe(0);
    expect(layout.latents.length).toBe(350);
    const { src, dst } = layout.graph;
    layout.inputs.forEach((input, k) => {
      const edges = [...src.keys()].filter((e) => src[e] === input || dst[e] === input);
      expect(edges).toEqual([layout.inputEdges[k]]);
      expect([src[edges[0]], dst[edges[0]]]).toEqual([layout.outputs[k], input]);
    });
    expect(layout.graph.numBlocks).toBe(2);
    expect(new DtmLayout({ size: 20, pixels: 40, seed: 3 }).outputs.slice(0, 5)).toEqual(
      new DtmLayout({ size: 20, pixels: 40, seed: 3 }).outputs.slice(0, 5),
    );
  });

  test('bad layouts are refused with the reason', () => {
    expect(() => new DtmLayout({ size: 20, pixels: 101 })).toThrow(/too few/);
    expect(() => new DtmLayout({ size: 21, pixels: 10 })).toThrow(/even/);
    expect(() => new DtmLayout({ size: 20, pixels: 10, jumps: 'G9' as never })).toThrow(/jumps/);
  });
});

/** A DTM small enough to enumerate: a 4×4 torus, 3 outputs, 3 inputs (19 nodes). */
function tinyModel(): DenoisingModel {
  const model = new DenoisingModel({
    size: 4,
    jumps: 'G8',
    pixels: 3,
    imageRows: 1,
    imageCols: 3,
    steps: 2,
    seed: 5,
    initScale: 0.4,
  });
  const random = new SeededRandom(11);
  for (const k of [1, 2]) model.learnedBiases(k).forEach((_, i, b) => (b[i] = 0.6 * (random.float() - 0.5)));
  return model;
}

function asSmallModel(model: DenoisingModel, step: number): SmallModel {
  const target = model.step(step);
  return {
    numNodes: target.graph.numNodes,
    src: target.graph.src,
    dst: target.graph.dst,
    couplings: target.couplings,
    biases: target.biases,
    beta: 1,
  };
}

describe('the conditional gradient', () => {
  test('matches exact enumeration, with the correlation penalty (tolerance from the sample count)', async () => {
    const model = tinyModel();
    const { outputs, inputs } = model.layout;
    const step = 1;
    const rowsBefore = [
      [1, -1, 1],
      [-1, -1, 1],
      [1, 1, -1],
      [-1, 1, 1],
    ];
    const rowsAfter = [
      [1, 1, 1],
      [-1, -1, -1],
      [1, -1, -1],
      [-1, 1, 1],
    ];
    const copies = 64;
    const rows = rowsBefore.length * copies;
    const before = Int8Array.from({ length: rows * 3 }, (_, k) => rowsBefore[Math.floor(k / 3) % 4][k % 3]);
    const after = Int8Array.from({ length: rows * 3 }, (_, k) => rowsAfter[Math.floor(k / 3) % 4][k % 3]);
    const samples = 2000;
    const penalty = 0.5;
    const edges = model.numTorusEdges;
    const estimator = new DtmGradientEstimator(model, step, rows, 9);
    const out = { couplings: new Float64Array(edges), biases: new Float64Array(16) };
    // Twice, the second time after the parameters changed: the reused chains must pick that up.
    for (const round of [0, 1]) {
      if (round === 1) model.learnedCouplings(step).forEach((_, e, J) => (J[e] *= -1.5));
      const g = await estimator.estimate({ before, after, rows }, { warmup: 50, samples, thin: 2, penalty }, out);
      const small = asSmallModel(model, step);
      const expected = new Float64Array(edges);
      const expectedBias = new Float64Array(16);
      rowsBefore.forEach((b, r) => {
        const pos = exactMoments(small, { nodes: [...outputs, ...inputs], values: [...b, ...rowsAfter[r]] });
        const neg = exactMoments(small, { nodes: [...inputs], values: rowsAfter[r] });
        for (let e = 0; e < edges; e++) {
          const meanField = neg.mean[small.src[e]] * neg.mean[small.dst[e]];
          expected[e] += (-(pos.edgeMean[e] - neg.edgeMean[e]) - penalty * (meanField - neg.edgeMean[e])) / 4;
        }
        for (let i = 0; i < 16; i++) expectedBias[i] += -(pos.mean[i] - neg.mean[i]) / 4;
      });
      // Each estimate averages rows × samples spins (±1, variance <= 1) over chains that decorrelate within
      // a few sweeps: allow 6 standard errors of rows × samples / 4 independent draws per phase, both phases.
      const tolerance = 6 * Math.sqrt((2 * 4) / (rows * samples)) * (1 + penalty);
      for (let e = 0; e < edges; e++) expect(Math.abs(g.couplings[e] - expected[e])).toBeLessThan(tolerance);
      for (let i = 0; i < 16; i++) expect(Math.abs(g.biases[i] - expectedBias[i])).toBeLessThan(tolerance);
      expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(10 * tolerance); // the test has signal
    }
  }, 60000);
});

describe('generation', () => {
  const model = new DenoisingModel({ size: 12, pixels: 16, classes: 2, labelCopies: 3, steps: 3, seed: 2 });

  test('class-conditional samples carry their class; inpainting keeps the held pixels; the path has T + 1 entries', async () => {
    const held = [0, 1, 2, 3, 15];
    const values = [1, 0, 1, 1, 0];
    const run = await model.generate({
      count: 6,
      labels: [0, 1, 0, 1, 1, 0],
      clamp: { pixels: held, values },
      sweeps: 5,
      keepSteps: true,
      seed: 4,
    });
    expect(Array.from(run.labels as Uint8Array)).toEqual([0, 1, 0, 1, 1, 0]);
    for (let c = 0; c < 6; c++) held.forEach((p, j) => expect(run.images[c * 16 + p]).toBe(values[j]));
    expect(run.path).toHaveLength(4);
    for (const step of run.path as Float32Array[])
      for (let c = 0; c < 6; c++) held.forEach((p, j) => expect(step[c * 16 + p]).toBe(values[j]));
    // Free nodes: the torus minus the held outputs (5 pixels + 6 label bits), every step, every sweep.
    expect(run.flips).toBe(3 * 5 * 6 * (144 - 11));
    const again = await model.generate({
      count: 6,
      labels: [0, 1, 0, 1, 1, 0],
      clamp: { pixels: held, values },
      sweeps: 5,
      seed: 4,
    });
    expect(again.images).toEqual(run.images);
  });

  test('bad requests are refused', async () => {
    await expect(model.generate({ labels: 2 })).rejects.toThrow(/labels\[0\]/);
    await expect(model.generate({ clamp: { pixels: [16], values: [1] } })).rejects.toThrow(/clamped pixel/);
    await expect(model.generate({ clamp: { pixels: [1, 1], values: [1, 1] } })).rejects.toThrow(/twice/);
    await expect(model.generate({ clamp: { pixels: [1], values: [2] } })).rejects.toThrow(/0 or 1/);
    const plain = new DenoisingModel({ size: 12, pixels: 16, steps: 2 });
    await expect(plain.generate({ labels: 1 })).rejects.toThrow(/label nodes/);
  });
});

describe('model files', () => {
  test('round trip: same layout, parameters and samples; a wrong layout is a bad file', async () => {
    const model = new DenoisingModel({ size: 12, pixels: 16, classes: 2, labelCopies: 3, steps: 3, seed: 2 });
    model.learnedBiases(2).fill(0.25);
    model.info = { note: 'x' };
    const copy = decodeModel(encodeModel(model)) as DenoisingModel;
    expect(copy).toBeInstanceOf(DenoisingModel);
    expect(copy.layout.describe()).toEqual(model.layout.describe());
    for (let k = 0; k < 3; k++) {
      expect(copy.couplings[k]).toEqual(model.couplings[k]);
      expect(copy.biases[k]).toEqual(model.biases[k]);
    }
    expect(copy.info).toEqual({ note: 'x' });
    const a = await model.generate({ count: 3, sweeps: 4, seed: 1 });
    const b = await copy.generate({ count: 3, sweeps: 4, seed: 1 });
    expect(b.images).toEqual(a.images);

    const file = model.toModelFile();
    (file.tensors.outputs.data as Int32Array)[0] += 2;
    const bad = { ...model, toModelFile: () => file };
    expect(() => decodeModel(encodeModel(bad))).toThrow(/outputs/);
  });
});
