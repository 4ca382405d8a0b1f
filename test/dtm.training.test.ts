/**
 * Training denoising thermodynamic models: the autocorrelation estimator against a process with a known
 * answer, the correlation penalty's controller, and a small model that learns two patterns.
 */
import type { DigitDataset } from '../lib/io/dataset';
import { DenoisingModel } from '../lib/models/dtm';
import { AdaptivePenalty, autocorrelation, measureMixing } from '../lib/training/dtm-mixing';
import { trainDtm } from '../lib/training/dtm-trainer';
import { SeededRandom } from '../lib/util/random';

/**
 * Projections of `rows` replica pairs: y = μ_row + z with z a stationary AR(1) in the samples (ρ(k) = φ^k)
 * and the row means μ spread with variance `spread` (what the data do to a conditional model).
 */
function ar1(
  rows: number,
  samples: number,
  directions: number,
  phi: number,
  spread: number,
  seed: number,
): Float64Array {
  const random = new SeededRandom(seed);
  const y = new Float64Array(samples * 2 * rows * directions);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < directions; d++) {
      const mu = Math.sqrt(spread) * random.normal();
      for (let a = 0; a < 2; a++) {
        let z = random.normal();
        for (let s = 0; s < samples; s++) {
          y[(s * 2 * rows + 2 * r + a) * directions + d] = mu + z;
          z = phi * z + Math.sqrt(1 - phi * phi) * random.normal();
        }
      }
    }
  }
  return y;
}

describe('the autocorrelation estimator', () => {
  test('recovers φ^k of an AR(1) whose rows have different means (4 standard errors)', () => {
    const rows = 400;
    const samples = 30;
    const directions = 8;
    const spread = 1;
    for (const phi of [0, 0.5, 0.8]) {
      const m = autocorrelation(ar1(rows, samples, directions, phi, spread, 17), samples, rows, directions, 3);
      expect(m.lags.slice(0, 3)).toEqual([3, 6, 9]);
      // The row means cancel between the lagged and the replica covariances up to their cross terms with
      // the time-averaged noise (variance (1 + φ)/(1 − φ)/samples); the lagged products add their own.
      const se =
        2 * Math.sqrt((spread * (1 + phi)) / ((1 - phi) * rows * directions * samples)) +
        1 / Math.sqrt(2 * rows * directions * samples);
      for (let k = 1; k <= 3; k++) expect(Math.abs(m.autocorrelation[k - 1] - phi ** k)).toBeLessThan(4 * se);
      if (phi === 0) expect(m.mixingSweeps).toBe(3);
      if (phi === 0.8) expect(m.mixingSweeps).toBe(15); // 0.8^5 = 0.33 < 1/e, 0.8^4 = 0.41
    }
  });

  test('measures chains that decorrelate every sweep (no couplings) as uncorrelated', async () => {
    const model = new DenoisingModel({ size: 12, pixels: 16, steps: 2, initScale: 0, seed: 1 });
    const inputs = Int8Array.from({ length: 64 * 16 }, (_, k) => ((k * 7) % 3 === 0 ? 1 : -1));
    const m = await measureMixing(model, 1, inputs, { warmup: 5, samples: 12, thin: 1, seed: 3 });
    // 64 rows × 2 replicas × 16 directions × 12 samples: a standard error near 0.02 per lag, less averaged.
    for (const r of m.autocorrelation) expect(Math.abs(r)).toBeLessThan(0.1);
    expect(Math.abs(m.longLag)).toBeLessThan(0.06);
  });
});

describe('the adaptive correlation penalty', () => {
  test('follows the controller rules and never drops below the floor', () => {
    const p = new AdaptivePenalty({ initial: 0.1, threshold: 0.05, floor: 0.001 });
    expect(p.update(0.2)).toBeCloseTo(0.1 * 0.95, 12); // above, but not worse than nothing before
    expect(p.update(0.3)).toBeCloseTo(0.1 * 0.95 * 1.5, 12); // worse and beyond 1.8 · thr
    expect(p.update(0.31)).toBeCloseTo(0.1 * 0.95 * 1.5 * 1.5, 12);
    const below = p.lambda;
    expect(p.update(0.025)).toBeCloseTo(below * (0.6 + 0.2 * 0.5), 12);
    const q = new AdaptivePenalty({ initial: 0.1, threshold: 0.05 });
    q.update(0.06);
    expect(q.update(0.07)).toBeCloseTo(0.1 * 0.95 * 1.2, 12); // worse, below 1.8 · thr
    for (let k = 0; k < 100; k++) q.update(0);
    expect(q.lambda).toBe(0.001);
    expect(() => new AdaptivePenalty({ threshold: 0 })).toThrow(/threshold/);
  });
});

/** 4×4 images of two patterns: the top half lit, or the left half. */
function twoPatterns(count: number): DigitDataset {
  const images = new Float32Array(count * 16);
  for (let c = 0; c < count; c++)
    for (let p = 0; p < 16; p++) images[c * 16 + p] = (c % 2 === 0 ? p < 8 : p % 4 < 2) ? 1 : 0;
  return { count, rows: 4, cols: 4, images, labels: Uint8Array.from({ length: count }, (_, c) => c % 2) };
}

describe('training', () => {
  test('a small model learns to generate two patterns from noise; epochs report their figures', async () => {
    const data = twoPatterns(200);
    const model = new DenoisingModel({ size: 12, pixels: 16, steps: 2, seed: 3 });
    const epochs: number[] = [];
    const history = await trainDtm(model, data, {
      epochs: 6,
      batchSize: 20,
      warmup: 20,
      samples: 10,
      thin: 2,
      learningRate: 0.05,
      mixingRows: 16,
      seed: 2,
      onEpoch: (s) => void epochs.push(s.epoch),
    });
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6]);
    const last = history[history.length - 1];
    expect(last.steps.map((s) => s.step)).toEqual([1, 2]);
    expect(last.flips).toBe(2 * 10 * 20 * (20 + 9 * 2) * (144 - 16 + 144)); // steps × updates × chains × sweeps × free nodes of both phases
    for (const s of last.steps) {
      expect(s.penalty).toBeGreaterThanOrEqual(0.001);
      expect(s.effectiveSamples).toBeGreaterThan(0);
    }
    const run = await model.generate({ count: 200, sweeps: 50, seed: 5 });
    const patterns = [twoPatterns(2).images.subarray(0, 16), twoPatterns(2).images.subarray(16, 32)];
    let near = 0;
    for (let c = 0; c < 200; c++) {
      const image = run.images.subarray(c * 16, (c + 1) * 16);
      const distance = Math.min(...patterns.map((p) => p.reduce((n, v, i) => n + (v !== image[i] ? 1 : 0), 0)));
      if (distance <= 2) near++;
    }
    // Uniform noise lands within 2 bits of one of the two patterns with probability 2 · 137 / 65536 ≈ 0.4 %.
    expect(near / 200).toBeGreaterThan(0.5);
  }, 60000);

  test('the penalty controller measures once per epoch, or every n updates', async () => {
    const data = twoPatterns(40);
    const lambdaAfterOneEpoch = async (every?: number) => {
      const model = new DenoisingModel({ size: 12, pixels: 16, steps: 1, seed: 3 });
      // With a threshold of 1 every measurement (|ac| < 0.1 here) multiplies λ by 0.6 + 0.2·ac ≈ 0.6.
      const history = await trainDtm(model, data, {
        epochs: 2,
        batchSize: 10,
        warmup: 4,
        samples: 2,
        thin: 2,
        mixingRows: 8,
        acp: { initial: 0.01, threshold: 1, every },
      });
      return history[1].steps[0].penalty;
    };
    // 4 updates per epoch: one measurement, λ ≈ 0.006; with every = 1 four, λ ≈ 0.01 · 0.6^4 = 0.0013.
    expect(await lambdaAfterOneEpoch()).toBeGreaterThan(0.0058);
    expect(await lambdaAfterOneEpoch(1)).toBeLessThan(0.0016);
  });

  test('training a subset of steps leaves the others untouched; a signal stops it', async () => {
    const data = twoPatterns(40);
    const model = new DenoisingModel({ size: 12, pixels: 16, steps: 3, seed: 3 });
    const untouched = model.couplings[1].slice();
    await trainDtm(model, data, {
      epochs: 1,
      batchSize: 20,
      warmup: 2,
      samples: 2,
      thin: 1,
      steps: [1, 3],
      mixingRows: 4,
    });
    expect(model.couplings[1]).toEqual(untouched);
    expect(
      model.couplings[0].some(
        (v, e) => v !== new DenoisingModel({ size: 12, pixels: 16, steps: 3, seed: 3 }).couplings[0][e],
      ),
    ).toBe(true);
    const controller = new AbortController();
    const run = trainDtm(model, data, {
      epochs: 50,
      batchSize: 20,
      warmup: 2000,
      signal: controller.signal,
      onUpdate: () => controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    await expect(trainDtm(model, data, { steps: [4] })).rejects.toThrow(/step/);
    await expect(trainDtm(model, data, { batchSize: 41 })).rejects.toThrow(/batchSize/);
  }, 30000);
});
