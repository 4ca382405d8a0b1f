import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RBM } from '../lib/models/rbm';
import { loadModel, saveModel } from '../lib/io/model-file';
import '../lib/models/model-kinds';
import { annealedLogPartition, pseudoLogLikelihood } from '../lib/training/rbm-monitor';
import { trainRbm } from '../lib/training/rbm-trainer';
import { cosine } from '../lib/engines/schedules';
import { SeededRandom } from '../lib/util/random';
import { exactFreeEnergy, exactRbm, hiddenInputs, visibleState } from './helpers/rbm-exact';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const popcount = (x: number) => x.toString(2).replace(/0/g, '').length;

function randomRbm(V: number, H: number, seed: number, scale: number): RBM {
  const rng = new SeededRandom(seed);
  return RBM.create({
    visible: V,
    hidden: H,
    seed,
    weightScale: scale,
    visibleBias: Array.from({ length: V }, () => rng.normal() * 0.5),
    hiddenBias: Array.from({ length: H }, () => rng.normal() * 0.5),
  });
}

function randomBinaryRows(rows: number, V: number, seed: number, p = 0.4): Float32Array {
  const rng = new SeededRandom(seed);
  return Float32Array.from({ length: rows * V }, () => (rng.float() < p ? 1 : 0));
}

describe('RBM quantities against exact enumeration', () => {
  const rbm = randomRbm(8, 5, 3, 1);
  const states = Float32Array.from({ length: 256 * 8 }, (_, k) => (Math.floor(k / 8) >> (k % 8)) & 1);

  test('free energy', () => {
    const free = rbm.freeEnergy(states, 256);
    for (let s = 0; s < 256; s++) expect(free[s]).toBeCloseTo(exactFreeEnergy(rbm, visibleState(s, 8)), 4);
  });

  test('pseudo-log-likelihood is Σ_i log p(v_i | v_−i) of the exact distribution', () => {
    const { probabilities } = exactRbm(rbm);
    const rows = [3, 77, 200, 255];
    let expected = 0;
    for (const s of rows) {
      for (let i = 0; i < 8; i++)
        expected += Math.log(probabilities[s] / (probabilities[s] + probabilities[s ^ (1 << i)]));
    }
    const data = Float32Array.from(rows.flatMap((s) => Array.from(visibleState(s, 8))));
    expect(pseudoLogLikelihood(rbm, data, rows.length)).toBeCloseTo(expected / rows.length, 4);
  });

  test('AIS recovers the exact log Z within its own standard error', () => {
    const model = randomRbm(12, 8, 5, 1);
    const exact = exactRbm(model).logZ;
    const estimate = annealedLogPartition(model, { runs: 200, steps: 2000, seed: 2 });
    expect(estimate.standardError).toBeLessThan(0.05);
    // log of a mean of weights: the delta-method error bar, with the bias of the log being O(SE²).
    expect(Math.abs(estimate.logZ - exact)).toBeLessThan(4 * estimate.standardError + 2 * estimate.standardError ** 2);
  });
});

describe('the gradient estimate of persistent CD', () => {
  const V = 6;
  const H = 4;
  const rows = 64;
  const data = randomBinaryRows(rows, V, 11);
  const chains = 20000;
  const lr = 1e-3;

  /** One SGD step (no momentum, no decay) with one mini-batch of all rows: Δθ / lr = −∇loss. */
  async function estimatedGradient(method: 'cd' | 'pcd', k: number, weightScale: number) {
    const rbm = randomRbm(V, H, 9, weightScale);
    const before = rbm.clone();
    await trainRbm(
      rbm,
      { images: data, count: rows },
      {
        method,
        k,
        epochs: 1,
        batchSize: rows,
        persistentChains: method === 'pcd' ? chains : undefined,
        learningRate: lr,
        momentum: 0,
        weightDecay: 0,
        seed: 4,
        monitor: { rows: 8 },
      },
    );
    const dW = rbm.weights.map((w, i) => (w - before.weights[i]) / lr);
    return { before, dW };
  }

  /** z-scores of the model term ⟨v_i σ_j⟩ against the exact model expectation. */
  function zScores(before: RBM, dW: Float32Array, negatives: number): number[] {
    const exact = exactRbm(before);
    const dataTerm = new Float64Array(V * H);
    for (let r = 0; r < rows; r++) {
      const v = data.subarray(r * V, (r + 1) * V);
      const sig = hiddenInputs(before, v).map(sigmoid);
      for (let i = 0; i < V; i++) for (let j = 0; j < H; j++) dataTerm[i * H + j] += (v[i] * sig[j]) / rows;
    }
    // dW = data term − model term.
    return Array.from(dW, (d, k) => (dataTerm[k] - d - exact.vh[k]) / Math.sqrt(exact.vhVariance[k] / negatives));
  }

  test('matches the exact log-likelihood gradient within sampling error', async () => {
    const { before, dW } = await estimatedGradient('pcd', 300, 0.8);
    const z = zScores(before, dW, chains);
    // 24 components: P(any |z| > 5) ≈ 24 × 5.7e-7 under a correct estimator.
    expect(Math.max(...z.map(Math.abs))).toBeLessThan(5);
  });

  test('CD-1, a biased estimator, is caught by the same test', async () => {
    // Strong couplings mix slowly, so one sweep from the data stays near the data: CD-1's bias.
    const { before, dW } = await estimatedGradient('cd', 1, 3);
    // CD-1 has only `rows` negative rows; its bias stands out even against their larger spread.
    const z = zScores(before, dW, rows);
    expect(Math.max(...z.map(Math.abs))).toBeGreaterThan(5);
  });
});

describe('training', () => {
  test('PCD learns a two-prototype mixture that independent units cannot represent', async () => {
    // Data: 11110000 or 00001111 (equally likely), each bit flipped with probability 0.1.
    const V = 8;
    const flip = 0.1;
    const prototypes = [0x0f, 0xf0];
    const count = 2000;
    const rng = new SeededRandom(8);
    const images = new Float32Array(count * V);
    for (let r = 0; r < count; r++) {
      const proto = prototypes[rng.int(2)];
      for (let i = 0; i < V; i++) images[r * V + i] = ((proto >> i) & 1) ^ (rng.float() < flip ? 1 : 0);
    }
    const mixtureLogProb = (s: number) =>
      Math.log(
        prototypes.reduce((sum, p) => {
          const d = popcount(s ^ p);
          return sum + 0.5 * flip ** d * (1 - flip) ** (V - d);
        }, 0),
      );
    const meanLogLikelihood = (score: (row: Float32Array) => number) => {
      let sum = 0;
      for (let r = 0; r < count; r++) sum += score(images.subarray(r * V, (r + 1) * V));
      return sum / count;
    };
    const stateOf = (row: Float32Array) => row.reduce((s, x, i) => s | (x << i), 0);
    const truth = meanLogLikelihood((row) => mixtureLogProb(stateOf(row)));
    const rbmLogLikelihood = (rbm: RBM) => {
      const logZ = exactRbm(rbm).logZ;
      return meanLogLikelihood((row) => -exactFreeEnergy(rbm, row) - logZ);
    };

    const student = RBM.create({
      visible: V,
      hidden: 6,
      seed: 1,
      visibleBias: RBM.visibleBiasFromData(images, count, V),
    });
    const start = rbmLogLikelihood(student); // ≈ independent bits with p ≈ 0.5: −8 ln 2
    // A decaying learning rate lets PCD settle; with a constant one the estimate keeps wandering.
    const learningRate = cosine(0.05, 0);
    const history = await trainRbm(
      student,
      { images, count },
      { epochs: 30, batchSize: 20, learningRate, seed: 2, monitor: { rows: 200 } },
    );
    const end = rbmLogLikelihood(student);
    expect(history).toHaveLength(30);
    expect(history[29].reconstructionError).toBeLessThan(history[0].reconstructionError);
    // Training closes most of the gap to the generating distribution's own log-likelihood.
    expect(truth - end).toBeLessThan(0.1 * (truth - start));
  });

  test('an AbortSignal stops training with ERR_ABORTED', async () => {
    const rbm = RBM.create({ visible: 16, hidden: 8 });
    const controller = new AbortController();
    const images = randomBinaryRows(640, 16, 1);
    const run = trainRbm(rbm, { images, count: 640 }, { epochs: 1000, batchSize: 1, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(run).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  test('bad training input is refused with a code', async () => {
    const rbm = RBM.create({ visible: 4, hidden: 2 });
    await expect(trainRbm(rbm, { images: new Float32Array(7), count: 2 })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    await expect(trainRbm(rbm, { images: new Float32Array(8).fill(2), count: 2 })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    await expect(
      trainRbm(rbm, { images: new Float32Array(8), count: 2 }, { method: 'xyz' as 'cd' }),
    ).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    expect(() => new RBM(2, 2, { weights: [1, NaN, 0, 0], visibleBias: [0, 0], hiddenBias: [0, 0] })).toThrow(
      expect.objectContaining({ code: 'ERR_NOT_FINITE' }),
    );
  });
});

describe('RBM model files', () => {
  test('save and load give the same parameters and description', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-rbm-'));
    const rbm = randomRbm(6, 3, 1, 1);
    rbm.info = { image_rows: 2, image_cols: 3, method: 'pcd' };
    const file = path.join(dir, 'm.safetensors');
    await saveModel(file, rbm);
    const loaded = await loadModel(file);
    expect(loaded).toBeInstanceOf(RBM);
    const back = loaded as RBM;
    expect(back.weights).toEqual(rbm.weights);
    expect(back.visibleBias).toEqual(rbm.visibleBias);
    expect(back.hiddenBias).toEqual(rbm.hiddenBias);
    expect(back.info).toEqual(rbm.info);
  });
});
