import { DigitDataset } from '../lib/io/dataset';
import { LangevinChains } from '../lib/engines/langevin';
import { GenerativeComputer } from '../lib/models/gtc';
import { checkDecoder, decodeStates, DecoderFit } from '../lib/models/gtc-decoder';
import { hiddenProjection, Noising, noisingFieldScale } from '../lib/training/gtc-noising';
import { trainGtc } from '../lib/training/gtc-trainer';
import { sgd } from '../lib/nn/optimizers';
import { SeededRandom } from '../lib/util/random';
import { deriveSeed } from '../lib/util/seed';
import { boltzmannAverage } from './helpers/langevin';
import { Z_FAMILY } from './helpers/stats';

function tinyData(count: number, side: number, seed: number, labelled = false): DigitDataset {
  const rng = new SeededRandom(seed);
  const images = Float32Array.from({ length: count * side * side }, () => (rng.float() < 0.3 ? 1 : 0));
  const labels = labelled ? Uint8Array.from({ length: count }, (_, k) => k % 3) : new Uint8Array(0);
  return { count, rows: side, cols: side, images, labels };
}

describe('noising protocol', () => {
  test('a(t) falls linearly from 2 to 0 over the first three quarters of t_f, then stays 0', () => {
    expect(noisingFieldScale(0, 2.5)).toBe(2);
    expect(noisingFieldScale(0.9375, 2.5)).toBeCloseTo(1, 12);
    expect(noisingFieldScale(1.875, 2.5)).toBe(0);
    expect(noisingFieldScale(2.4, 2.5)).toBe(0);
  });

  test("phase 1 leaves each visible unit at the Boltzmann mean of its well in the image's field", () => {
    const V = 16;
    const m = new GenerativeComputer({ visible: V, hidden: 2, dt: 1e-3, duration: 2 });
    m.decoder = { ...m.decoder, pixelMean: 0, pixelStd: 1 };
    const chains = 256;
    const noising = new Noising(m, chains, hiddenProjection(2, V, 1), 3);
    const pixels = Float32Array.from({ length: chains * V }, (_, k) => (k % V) / V - 0.5); // s = pixel
    return noising.writeImages(pixels, new Float32Array(0)).then(() => {
      const state = noising.read(new Float32Array(chains * m.units));
      for (const i of [0, 5, 15]) {
        const s = i / V - 0.5;
        const exact = boltzmannAverage(
          (x) => x * x + x ** 4 - 2 * s * x,
          m.kT,
          (x) => x,
        );
        const values = Array.from({ length: chains }, (_, c) => state[c * m.units + i]);
        const mean = values.reduce((a, b) => a + b, 0) / chains;
        const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (chains - 1));
        // Sampling error plus Euler–Maruyama's O(Δt) bias (curvature ≲ 8 at Δt = 1e-3: well under 1 %).
        expect(Math.abs(mean - exact)).toBeLessThan(
          Z_FAMILY * (sd / Math.sqrt(chains)) + 0.01 * Math.abs(exact) + 1e-3,
        );
      }
    });
  });
});

describe('decoder', () => {
  test('the fitted rule is the conditional mean of the pixels, non-decreasing, and survives the file check', () => {
    const fit = new DecoderFit();
    const rng = new SeededRandom(4);
    const n = 20000;
    const states = Float32Array.from({ length: n }, () => rng.float() * 2 - 1);
    // P(pixel = 1 | x) = (x + 1) / 2
    const pixels = states.map((x) => (rng.float() < (x + 1) / 2 ? 1 : 0));
    fit.add(states, pixels, n, 1, 1);
    const decoder = checkDecoder(fit.result(0.1, 0.3));
    expect(decoder.pixelMean).toBe(0.1);
    for (let k = 1; k < decoder.pixels.length; k++)
      expect(decoder.pixels[k]).toBeGreaterThanOrEqual(decoder.pixels[k - 1]);
    const probe = Float32Array.of(-0.5, 0, 0.5, -3, 3);
    const out = decodeStates(decoder, probe);
    // Each 0.05-wide bin holds ~500 draws: standard error ≲ 0.023, and neighbouring bins smooth it.
    for (let k = 0; k < 3; k++) expect(Math.abs(out[k] - (probe[k] + 1) / 2)).toBeLessThan(0.08);
    expect(out[3]).toBe(Math.fround(decoder.pixels[0]));
    expect(out[4]).toBe(Math.fround(decoder.pixels[decoder.pixels.length - 1]));
    expect(() => checkDecoder({ ...decoder, pixels: [0.5] })).toThrow(/decoder/);
    expect(() => checkDecoder({ ...decoder, to: decoder.from })).toThrow(/decoder/);
  });
});

describe('trainer', () => {
  test('one SGD update equals −lr × the float64 gradient of the path loss of the same noising trajectories', async () => {
    const side = 2;
    const V = side * side;
    const H = 3;
    const m = new GenerativeComputer({ visible: V, hidden: H, dt: 0.01, duration: 0.2, kT: 0.2 });
    const data = tinyData(2, side, 1);
    const lr = 0.01;
    const seed = 9;
    await trainGtc(m, data, { batchSize: 2, optimizer: sgd(), learningRate: lr, seed, labelDropout: 0 });

    // Replay the noising with the trainer's seed, field and protocol, recording every step.
    const fresh = new GenerativeComputer(m.config());
    const { pixelMean, pixelStd } = m.decoder;
    const order = [0, 1];
    new SeededRandom(seed).shuffle(order);
    const s = order.flatMap((r) =>
      Array.from(data.images.subarray(r * V, (r + 1) * V), (p) => (p - pixelMean) / pixelStd),
    );
    const P = hiddenProjection(H, V, seed);
    const field = new Float32Array(2 * (V + H));
    for (let b = 0; b < 2; b++) {
      for (let i = 0; i < V; i++) field[b * (V + H) + i] = s[b * V + i];
      for (let j = 0; j < H; j++) {
        let sum = 0;
        for (let i = 0; i < V; i++) sum += Math.fround(P[j * V + i] * s[b * V + i]);
        field[b * (V + H) + V + j] = sum;
      }
    }
    const chains = new LangevinChains(fresh.network(false), {
      chains: 2,
      seed: deriveSeed(seed, 'gtc-noising'),
      field,
    });
    const K = m.stepsPerPhase;
    chains.runSync({ steps: K, dt: m.dt, kT: m.kT, fieldScale: 2 });
    const x0 = chains.readState();
    const path = chains.runSync({
      steps: K,
      dt: m.dt,
      kT: m.kT,
      fieldScale: (t) => noisingFieldScale(t, m.duration),
      observe: ['trajectory'],
    }).trajectory!;

    // Gradient at θ = 0 (the trainer's starting point): ∂_iU = 2 x + 4 x³, r = (−Δx + μ ∂U Δt) / 2kT.
    const N = V + H;
    const gVH = new Float64Array(V * H);
    const gHH = new Float64Array(H * H);
    const gB = new Float64Array(H);
    const gBv = new Float64Array(V);
    for (let k = 0; k < K; k++) {
      for (let b = 0; b < 2; b++) {
        const x = path.subarray((k * 2 + b) * N, (k * 2 + b + 1) * N);
        const prev =
          k === 0 ? x0.subarray(b * N, (b + 1) * N) : path.subarray(((k - 1) * 2 + b) * N, ((k - 1) * 2 + b) * N + N);
        const r = Array.from(x, (xi, i) => (-(xi - prev[i]) + m.mobility * (2 * xi + 4 * xi ** 3) * m.dt) / (2 * m.kT));
        for (let v = 0; v < V; v++) gBv[v] += r[v] / 2;
        for (let v = 0; v < V; v++)
          for (let h = 0; h < H; h++) gVH[v * H + h] += (r[v] * x[V + h] + r[V + h] * x[v]) / 2;
        for (let h = 0; h < H; h++) {
          gB[h] += r[V + h] / 2;
          for (let h2 = 0; h2 < H; h2++)
            if (h2 !== h) gHH[h * H + h2] += (r[V + h] * x[V + h2] + r[V + h2] * x[V + h]) / 2;
        }
      }
    }
    const relative = (got: Float32Array, want: Float64Array) => {
      let diff = 0;
      let norm = 0;
      want.forEach((w, k) => {
        diff += (got[k] + lr * w) ** 2;
        norm += (lr * w) ** 2;
      });
      return Math.sqrt(diff / norm);
    };
    expect(relative(m.visibleHidden, gVH)).toBeLessThan(1e-4);
    expect(relative(m.hiddenHidden, gHH)).toBeLessThan(1e-4);
    expect(relative(m.hiddenBias, gB)).toBeLessThan(1e-4);
    expect(relative(m.visibleBias, gBv)).toBeLessThan(1e-4);
  });

  test('online updates once per chunk; an abort stops training with ERR_ABORTED', async () => {
    const m = new GenerativeComputer({ visible: 4, hidden: 3, labels: 3, dt: 0.01, duration: 0.2 });
    const data = tinyData(4, 2, 2, true);
    let steps = 0;
    const base = sgd();
    const counting = {
      ...base,
      name: 'counting',
      step: (g: Parameters<typeof base.step>[0], lr: number) => (steps++, base.step(g, lr)),
    };
    const stats = await trainGtc(m, data, {
      batchSize: 2,
      chunkSteps: 5,
      update: 'online',
      optimizer: counting,
      learningRate: 0.01,
    });
    expect(steps).toBe(2 * (20 / 5)); // 2 batches × 4 chunks of the 20 steps
    expect(stats[0].trajectories).toBe(4);
    expect(stats[0].loss).toBeGreaterThan(0);
    expect(m.info.trajectories).toBe(4);
    expect(m.labelVisible.some((w) => w !== 0)).toBe(true);

    const controller = new AbortController();
    controller.abort();
    await expect(trainGtc(m, data, { signal: controller.signal })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  test("label couplings start as the field of each class's mean image less the overall mean ('zero': at 0)", async () => {
    const data = tinyData(6, 2, 3, true);
    const fromData = new GenerativeComputer({ visible: 4, hidden: 3, labels: 3, dt: 0.01, duration: 0.05 });
    await trainGtc(fromData, data, { batchSize: 2, learningRate: 0 });
    const { pixelStd } = fromData.decoder;
    for (let l = 0; l < 3; l++) {
      for (let i = 0; i < 4; i++) {
        let classSum = 0;
        let allSum = 0;
        for (let r = 0; r < 6; r++) {
          allSum += data.images[r * 4 + i];
          if (data.labels[r] === l) classSum += data.images[r * 4 + i];
        }
        expect(fromData.labelVisible[l * 4 + i]).toBeCloseTo((-2 * (classSum / 2 - allSum / 6)) / pixelStd, 5);
      }
    }
    const zero = new GenerativeComputer({ visible: 4, hidden: 3, labels: 3, dt: 0.01, duration: 0.05 });
    await trainGtc(zero, data, { batchSize: 2, learningRate: 0, labelInit: 'zero' });
    expect(zero.labelVisible.every((w) => w === 0)).toBe(true);
  });

  test('bad input gets clear errors', async () => {
    const m = new GenerativeComputer({ visible: 4, hidden: 3, labels: 2, dt: 0.01, duration: 0.2 });
    await expect(trainGtc(m, tinyData(2, 3, 1), {})).rejects.toThrow(/9 pixels; the model has 4 visible/);
    await expect(trainGtc(m, tinyData(2, 2, 1), {})).rejects.toThrow(/needs labelled images/);
    await expect(trainGtc(m, tinyData(3, 2, 1, true), {})).rejects.toThrow(/label 2 is out of range/);
    const plain = new GenerativeComputer({ visible: 4, hidden: 3, dt: 0.01, duration: 0.2 });
    await expect(trainGtc(plain, tinyData(2, 2, 1), { update: 'sometimes' as 'online' })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    await expect(trainGtc(plain, tinyData(2, 2, 1), { labelDropout: 2 })).rejects.toThrow(/labelDropout/);
    expect(() => new GenerativeComputer({ kT: 0 })).toThrow(/kT must be > 0/);
    expect(() => new GenerativeComputer({ visible: 10, imageRows: 3, imageCols: 4 })).toThrow(/imageRows × imageCols/);
  });
});
