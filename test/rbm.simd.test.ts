import { engineInfo, setSimd } from '../lib';
import { gemm, rbmConditional, RbmChains } from '../lib/engines/rbm';
import { SeededRandom } from '../lib/util/random';

// The dense kernels' contract fixes the order of every sum, the exp steps and the random words, so
// the AVX2 and AVX-512 kernel sets (16- and 32-column panels) must agree bit for bit.
const available = engineInfo().simdAvailable;
const both = available.includes('avx2') && available.includes('avx512');

describe('dense engine across SIMD levels', () => {
  afterAll(() => setSimd(available[available.length - 1]));
  const rng = new SeededRandom(17);
  const floats = (n: number, scale = 1) => Float32Array.from({ length: n }, () => scale * (rng.float() - 0.5));
  const bits = (n: number, p: number) => Float32Array.from({ length: n }, () => (rng.float() < p ? 1 : 0));
  const same = (x: Float32Array, y: Float32Array) => Buffer.compare(Buffer.from(x.buffer), Buffer.from(y.buffer)) === 0;

  (both ? test : test.skip)('gemm: AVX-512 and AVX2 give the same bits', () => {
    // n = 50: one full 32-column panel and a masked one; k = 2100: two K-blocks.
    const [m, n, k] = [37, 50, 2100];
    const a = floats(m * k);
    const b = floats(k * n);
    const c0 = floats(m * n);
    for (const [transA, transB] of [
      [false, false],
      [true, true],
    ] as const) {
      const run = (simd: string) => {
        setSimd(simd);
        const c = c0.slice();
        gemm(transA, transB, m, n, k, 0.7, a, b, -0.3, c, 2);
        return c;
      };
      expect(same(run('avx512'), run('avx2'))).toBe(true);
    }
  });

  (both ? test : test.skip)('rbmConditional: same probabilities and samples on both paths', () => {
    const [V, H, rows] = [97, 41, 53];
    const weights = floats(V * H, 0.8);
    const bias = floats(H);
    for (const [density, path] of [
      [0.5, 'dense'],
      [0.1, 'active'],
    ] as const) {
      const input = bits(rows * V, density);
      const run = (simd: string) => {
        setSimd(simd);
        const prob = new Float32Array(rows * H);
        const sample = new Float32Array(rows * H);
        rbmConditional('hidden', rows, weights, V, H, bias, input, 0.9, prob, sample, 3, 4, 2, path);
        return [prob, sample];
      };
      const [p512, s512] = run('avx512');
      const [p2, s2] = run('avx2');
      expect(same(p512, p2)).toBe(true);
      expect(same(s512, s2)).toBe(true);
    }
  });

  (both ? test : test.skip)('RbmChains: same trajectories, also when the level changes after setParameters', () => {
    const [V, H, chains] = [50, 23, 31];
    const weights = floats(V * H, 1);
    const vb = floats(V);
    const hb = floats(H);
    const run = (packedFor: string, runWith: string) => {
      setSimd(packedFor);
      const rbm = new RbmChains(V, H, chains, 5n);
      rbm.setParameters(weights, vb, hb);
      setSimd(runWith);
      rbm.runSync({ sweeps: 15, beta: 0.9, threads: 2 });
      return [rbm.readVisible(), rbm.readHidden(), rbm.visibleProbabilities()];
    };
    const reference = run('avx2', 'avx2');
    for (const [packedFor, runWith] of [
      ['avx512', 'avx512'],
      ['avx2', 'avx512'],
      ['avx512', 'avx2'],
    ]) {
      run(packedFor, runWith).forEach((x, i) => expect(same(x, reference[i])).toBe(true));
    }
  });
});
