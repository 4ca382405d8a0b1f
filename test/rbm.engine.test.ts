import { native } from '../lib/native';
import { gemm, rbmConditional, RbmChains } from '../lib/engines/rbm';
import { SeededRandom } from '../lib/util/random';
import { chainEstimate, Estimate, maxZ, Z_FAMILY } from './helpers/stats';

const V = 4;
const H = 3;
const BETA = 0.7;
const rng = new SeededRandom(8);
const weights = Float32Array.from({ length: V * H }, () => 2 * rng.float() - 1);
const visibleBias = Float32Array.from({ length: V }, () => rng.float() - 0.5);
const hiddenBias = Float32Array.from({ length: H }, () => rng.float() - 0.5);

const bit = (state: number, i: number) => (state >> i) & 1;

/** Exact p(v) ∝ exp(β bᵀv) Π_j (1 + exp(β(c_j + Σ_i v_i W_ij))), conditioned on clamped visible units. */
function exactVisible(clamp: Map<number, number> = new Map()): Float64Array {
  const p = new Float64Array(2 ** V);
  let z = 0;
  for (let v = 0; v < 2 ** V; v++) {
    if ([...clamp].some(([i, value]) => bit(v, i) !== value)) continue;
    let logW = 0;
    for (let i = 0; i < V; i++) logW += BETA * visibleBias[i] * bit(v, i);
    for (let j = 0; j < H; j++) {
      let pre = hiddenBias[j];
      for (let i = 0; i < V; i++) pre += bit(v, i) * weights[i * H + j];
      logW += Math.log1p(Math.exp(BETA * pre));
    }
    p[v] = Math.exp(logW);
    z += p[v];
  }
  return p.map((x) => x / z);
}

/** Per-chain frequencies of each visible state and of v_i = 1 over `samples` samples `thin` sweeps apart. */
function sampleChains(chains: RbmChains, samples: number, thin: number): { states: Estimate[]; marginals: Estimate[] } {
  const c = chains.numChains;
  const stateCounts = new Float64Array(c * 2 ** V);
  const unitCounts = new Float64Array(c * V);
  for (let s = 0; s < samples; s++) {
    chains.runSync({ sweeps: thin, beta: BETA });
    const v = chains.readVisible();
    for (let k = 0; k < c; k++) {
      let state = 0;
      for (let i = 0; i < V; i++) {
        state |= v[k * V + i] << i;
        unitCounts[k * V + i] += v[k * V + i];
      }
      stateCounts[k * 2 ** V + state]++;
    }
  }
  const column = (counts: Float64Array, width: number, x: number) =>
    chainEstimate(Float64Array.from({ length: c }, (_, k) => counts[k * width + x] / samples));
  return {
    states: Array.from({ length: 2 ** V }, (_, x) => column(stateCounts, 2 ** V, x)),
    marginals: Array.from({ length: V }, (_, i) => column(unitCounts, V, i)),
  };
}

function marginalsOf(p: Float64Array): Float64Array {
  return Float64Array.from({ length: V }, (_, i) => p.reduce((sum, x, v) => sum + x * bit(v, i), 0));
}

describe('RbmChains match exact enumeration (V=4, H=3, β=0.7)', () => {
  test('free chains: visible marginals and the joint over v', () => {
    const chains = new RbmChains(V, H, 400, 11);
    chains.setParameters(weights, visibleBias, hiddenBias);
    chains.runSync({ sweeps: 20, beta: BETA });
    const { states, marginals } = sampleChains(chains, 150, 2);
    const exact = exactVisible();
    expect(maxZ(states, exact)).toBeLessThan(Z_FAMILY);
    expect(maxZ(marginals, marginalsOf(exact))).toBeLessThan(Z_FAMILY);
  });

  test('clamped chains sample the conditional distribution', () => {
    const chains = new RbmChains(V, H, 300, 12);
    chains.setParameters(weights, visibleBias, hiddenBias);
    const nodes = Int32Array.from([0, 2]);
    chains.setClamp(
      nodes,
      Float32Array.from({ length: 300 * 2 }, (_, k) => (k % 2 === 0 ? 1 : 0)),
    );
    chains.runSync({ sweeps: 20, beta: BETA });
    const { states, marginals } = sampleChains(chains, 150, 2);
    const exact = exactVisible(
      new Map([
        [0, 1],
        [2, 0],
      ]),
    );
    expect(marginals[0]).toEqual({ mean: 1, stderr: 0 });
    expect(marginals[2]).toEqual({ mean: 0, stderr: 0 });
    const free = [1, 3];
    expect(
      maxZ(
        free.map((i) => marginals[i]),
        free.map((i) => marginalsOf(exact)[i]),
      ),
    ).toBeLessThan(Z_FAMILY);
    const allowed = [...exact.keys()].filter((v) => exact[v] > 0);
    expect(
      maxZ(
        allowed.map((v) => states[v]),
        allowed.map((v) => exact[v]),
      ),
    ).toBeLessThan(Z_FAMILY);
  });

  test('a wrong β is detected (the test can fail)', () => {
    const chains = new RbmChains(V, H, 400, 13);
    chains.setParameters(weights, visibleBias, hiddenBias);
    chains.runSync({ sweeps: 20, beta: 1.4 });
    const c = chains.numChains;
    const counts = new Float64Array(c * 2 ** V);
    for (let s = 0; s < 150; s++) {
      chains.runSync({ sweeps: 2, beta: 1.4 });
      const v = chains.readVisible();
      for (let k = 0; k < c; k++)
        counts[k * 2 ** V + (v[k * V] | (v[k * V + 1] << 1) | (v[k * V + 2] << 2) | (v[k * V + 3] << 3))]++;
    }
    const states = Array.from({ length: 2 ** V }, (_, x) =>
      chainEstimate(Float64Array.from({ length: c }, (_, k) => counts[k * 2 ** V + x] / 150)),
    );
    expect(maxZ(states, exactVisible())).toBeGreaterThan(Z_FAMILY);
  });

  test('visibleProbabilities are σ(β(b + W h)) of the current hidden states', () => {
    const chains = new RbmChains(V, H, 16, 14);
    chains.setParameters(weights, visibleBias, hiddenBias);
    chains.runSync({ sweeps: 3, beta: BETA });
    const h = chains.readHidden();
    const p = chains.visibleProbabilities();
    for (let k = 0; k < 16; k++) {
      for (let i = 0; i < V; i++) {
        let pre = visibleBias[i];
        for (let j = 0; j < H; j++) pre += weights[i * H + j] * h[k * H + j];
        expect(p[k * V + i]).toBeCloseTo(1 / (1 + Math.exp(-BETA * pre)), 5);
      }
    }
  });
});

describe('dense engine calls', () => {
  test('gemm matches a direct product for all transpose combinations', () => {
    const [m, n, k] = [5, 7, 9];
    const a = Float32Array.from({ length: m * k }, () => rng.float() - 0.5);
    const b = Float32Array.from({ length: k * n }, () => rng.float() - 0.5);
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const c = Float32Array.from({ length: m * n }, () => 1);
        gemm(transA, transB, m, n, k, 2, a, b, 0.5, c, 2);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let sum = 0;
            for (let x = 0; x < k; x++)
              sum += (transA ? a[x * m + i] : a[i * k + x]) * (transB ? b[j * k + x] : b[x * n + j]);
            expect(c[i * n + j]).toBeCloseTo(2 * sum + 0.5, 5);
          }
        }
      }
    }
  });

  test('rbmConditional: probabilities by the formula, same draws for the same (seed, stream, row)', () => {
    const rows = 40;
    const input = Float32Array.from({ length: rows * H }, () => (rng.float() < 0.5 ? 1 : 0));
    const prob = new Float32Array(rows * V);
    const sample = new Float32Array(rows * V);
    rbmConditional('visible', rows, weights, V, H, visibleBias, input, BETA, prob, sample, 5, 1, 1);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < V; i++) {
        let pre = visibleBias[i];
        for (let j = 0; j < H; j++) pre += weights[i * H + j] * input[r * H + j];
        expect(prob[r * V + i]).toBeCloseTo(1 / (1 + Math.exp(-BETA * pre)), 6);
        expect([0, 1]).toContain(sample[r * V + i]);
      }
    }
    const again = new Float32Array(rows * V);
    rbmConditional('visible', rows, weights, V, H, visibleBias, input, BETA, undefined, again, 5, 1, 2);
    expect(again).toEqual(sample);
    const dense = new Float32Array(rows * V);
    rbmConditional('visible', rows, weights, V, H, visibleBias, input, BETA, undefined, dense, 5, 1, 2, 'dense');
    expect(dense).toEqual(sample);
    const otherStream = new Float32Array(rows * V);
    rbmConditional('visible', rows, weights, V, H, visibleBias, input, BETA, undefined, otherStream, 5, 2);
    expect(otherStream).not.toEqual(sample);
  });

  test('the same seed gives identical chains with 1 and 2 threads', () => {
    const run = (threads: number) => {
      const w = new SeededRandom(3);
      const chains = new RbmChains(30, 20, 37, 99n);
      chains.setParameters(
        Float32Array.from({ length: 600 }, () => w.float() - 0.5),
        Float32Array.from({ length: 30 }, () => w.float() - 0.5),
        Float32Array.from({ length: 20 }, () => w.float() - 0.5),
      );
      chains.runSync({ sweeps: 25, beta: (s: number) => 0.5 + s / 50, threads });
      return [chains.readVisible(), chains.readHidden(), chains.visibleProbabilities()];
    };
    expect(run(1)).toEqual(run(2));
  });
});

describe('bad input and async', () => {
  const code = (c: string) => expect.objectContaining({ code: c });

  test('errors carry codes, from the TypeScript checks and from the native ones', () => {
    expect(() => new RbmChains(0, 3, 1, 1)).toThrow(code('ERR_INVALID_ARGUMENT'));
    expect(() => new RbmChains(4, 3, 1, -1)).toThrow(code('ERR_INVALID_ARGUMENT'));
    const chains = new RbmChains(V, H, 2, 1);
    const nanWeights = weights.slice();
    nanWeights[3] = NaN;
    expect(() => chains.setParameters(nanWeights, visibleBias, hiddenBias)).toThrow(code('ERR_NOT_FINITE'));
    expect(() => chains.setParameters(weights.subarray(1), visibleBias, hiddenBias)).toThrow(
      code('ERR_INVALID_ARGUMENT'),
    );
    expect(() => chains.setVisible(new Float32Array(2 * V).fill(0.5))).toThrow(code('ERR_INVALID_ARGUMENT'));
    expect(() => chains.setClamp(Int32Array.from([V]), new Float32Array(2))).toThrow(code('ERR_INVALID_ARGUMENT'));
    expect(() => chains.setClamp(Int32Array.from([0, 0]), new Float32Array(4))).toThrow(code('ERR_INVALID_ARGUMENT'));
    expect(() => chains.runSync({ sweeps: 2, beta: -1 })).toThrow(code('ERR_INVALID_ARGUMENT'));
    expect(() => chains.runSync({ sweeps: 1.5 })).toThrow(code('ERR_INVALID_ARGUMENT'));
    const c = new Float32Array(4);
    expect(() => gemm(false, false, 2, 2, 2, 1, new Float32Array(3), new Float32Array(4), 0, c)).toThrow(
      code('ERR_INVALID_ARGUMENT'),
    );
    expect(() => gemm(false, false, 2, 2, 2, NaN, new Float32Array(4), new Float32Array(4), 0, c)).toThrow(
      code('ERR_NOT_FINITE'),
    );
    expect(() =>
      rbmConditional(
        'up' as 'hidden',
        1,
        weights,
        V,
        H,
        hiddenBias,
        new Float32Array(V),
        1,
        undefined,
        undefined,
        1,
        1,
      ),
    ).toThrow(code('ERR_INVALID_ARGUMENT'));
    const out = new Float32Array(H);
    const nanInput = new Float32Array(V).fill(NaN);
    expect(() => rbmConditional('hidden', 1, weights, V, H, hiddenBias, nanInput, 1, undefined, out, 1, 1)).toThrow(
      code('ERR_NOT_FINITE'),
    );
    expect(() =>
      rbmConditional(
        'hidden',
        1,
        weights,
        V,
        H,
        hiddenBias,
        new Float32Array(V).fill(0.5),
        1,
        undefined,
        out,
        1,
        1,
        1,
        'active',
      ),
    ).toThrow(code('ERR_INVALID_ARGUMENT'));
    // The native layer checks on its own, e.g. for calls from plain JavaScript.
    const addon = native();
    expect(() => addon.gemm(false, false, 2, 2, 2, 1, new Float32Array(3), new Float32Array(4), 0, c)).toThrow(
      code('ERR_INVALID_ARGUMENT'),
    );
    const shared = new Float32Array(8);
    expect(() =>
      addon.gemm(false, false, 2, 2, 2, 1, shared.subarray(0, 4), new Float32Array(4), 0, shared.subarray(2, 6)),
    ).toThrow(code('ERR_INVALID_ARGUMENT'));
    expect(() =>
      addon.rbmConditional('hidden', 1, weights, V, H, hiddenBias, new Float32Array(V), -1, undefined, out, 1, 1),
    ).toThrow(code('ERR_INVALID_ARGUMENT'));
    expect(() => new addon.RbmChains(4, 3, 0, 1)).toThrow(code('ERR_INVALID_ARGUMENT'));
  });

  test('an AbortSignal stops a long async run within a few ms; busy chains refuse other calls', async () => {
    const chains = new RbmChains(784, 500, 64, 1);
    const controller = new AbortController();
    const run = chains.run({ sweeps: 100000, signal: controller.signal });
    expect(() => chains.readVisible()).toThrow(code('ERR_BUSY'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const abortedAt = process.hrtime.bigint();
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(Number(process.hrtime.bigint() - abortedAt) / 1e6).toBeLessThan(50);
    await expect(chains.run({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    await chains.run({ sweeps: 2 });
    expect(chains.readVisible().length).toBe(64 * 784);
  });
});
