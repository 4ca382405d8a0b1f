import { engineInfo, graphs, IsingModel, setSimd } from '../lib';
import { SeededRandom } from '../lib/util/random';

describe('reproducibility', () => {
  const graph = graphs.king(12, 12);
  const model = IsingModel.random(graph, { beta: 0.7, seed: 3 });
  const opts = { chains: 45, warmup: 30, samples: 6, thin: 4, seed: 99, observe: ['states' as const] };

  test('the same seed gives bit-identical samples with 1 and 2 threads', () => {
    const one = model.sampleSync({ ...opts, threads: 1 });
    const two = model.sampleSync({ ...opts, threads: 2 });
    expect(Buffer.compare(Buffer.from(one.states!.buffer), Buffer.from(two.states!.buffer))).toBe(0);
    expect(one.finalState).toEqual(two.finalState);
  });

  test('async runs match sync runs, and different seeds differ', async () => {
    const sync = model.sampleSync(opts);
    const async = await model.sample(opts);
    expect(async.states).toEqual(sync.states);
    const other = model.sampleSync({ ...opts, seed: 100 });
    expect(other.states).not.toEqual(sync.states);
  });

  test("a chain's samples do not depend on how many chains run beside it", () => {
    const few = model.sampleSync({ ...opts, chains: 3 });
    const many = model.sampleSync({ ...opts, chains: 40 });
    const n = graph.numNodes;
    for (let s = 0; s < opts.samples; s++) {
      for (let c = 0; c < 3; c++) expect(few.state(s, c)).toEqual(many.state(s, c));
    }
    expect(few.finalState).toEqual(many.finalState.subarray(0, 3 * n));
  });
});

describe('SIMD dispatch', () => {
  const available = engineInfo().simdAvailable;
  afterAll(() => setSimd(available[available.length - 1]));

  test('reports the active level and rejects unknown ones', () => {
    expect(available).toContain('scalar');
    expect(available).toContain(engineInfo().simd);
    expect(() => setSimd('sse9')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  (available.includes('avx2') ? test : test.skip)('the AVX2 kernel agrees with the scalar kernel', () => {
    // Same RNG streams and update order, so the kernels differ only by float rounding (FMA,
    // summation order): a decision can differ only when u·e^{-2βI} is within a few ulps of 1 − u,
    // about 1e-7 of decisions. A wrong kernel (a sign, a field, a stream) disagrees on ~half of them.
    // One sweep at a time from identical random states, so one rare difference cannot propagate.
    const graph = graphs.torus(20, { jumps: 'G12' });
    const model = IsingModel.random(graph, { beta: 1, seed: 5, couplingScale: 0.5 });
    const chains = 64;
    const rng = new SeededRandom(17);
    let differ = 0;
    let total = 0;
    for (let trial = 0; trial < 20; trial++) {
      const init = Int8Array.from({ length: chains * graph.numNodes }, () => (rng.float() < 0.5 ? -1 : 1));
      const sweep = (simd: string) => {
        setSimd(simd);
        return model.sampleSync({ chains, warmup: 1, samples: 0, seed: trial, init, observe: [] }).finalState;
      };
      const scalar = sweep('scalar');
      const avx2 = sweep('avx2');
      for (let k = 0; k < scalar.length; k++) if (scalar[k] !== avx2[k]) differ++;
      total += scalar.length;
    }
    expect(total).toBe(20 * chains * graph.numNodes);
    expect(differ / total).toBeLessThan(1e-4);
  });
  (available.includes('avx512') ? test : test.skip)('the AVX-512 kernel gives the same bits as the AVX2 kernel', () => {
    // Same operations lane for lane, so no rounding difference is allowed. 45 chains make 6 tiles:
    // a full block of 4 (two AVX-512 pairs), then 2 tiles; 3 threads also split blocks unevenly.
    const graph = graphs.torus(16, { jumps: 'G12' });
    const model = IsingModel.random(graph, { beta: 0.9, seed: 8, couplingScale: 0.5 });
    const run = (simd: string, threads: number) => {
      setSimd(simd);
      return model.sampleSync({ chains: 45, warmup: 5, samples: 4, thin: 2, seed: 4, threads, observe: ['states'] });
    };
    const avx2 = run('avx2', 1);
    for (const threads of [1, 3]) {
      const avx512 = run('avx512', threads);
      expect(Buffer.compare(Buffer.from(avx512.states!.buffer), Buffer.from(avx2.states!.buffer))).toBe(0);
      expect(avx512.finalState).toEqual(avx2.finalState);
    }
  });
});

describe('HEATBATH_SIMD', () => {
  const { execFileSync } = require('child_process') as typeof import('child_process');
  const path = require('path') as typeof import('path');
  const root = path.resolve(__dirname, '..');
  const simdWith = (value: string) =>
    execFileSync(
      process.execPath,
      ['-e', "try { console.log(require('heatbath').engineInfo().simd) } catch (e) { console.log(e.code) }"],
      {
        cwd: root,
        env: { ...process.env, HEATBATH_SIMD: value },
        encoding: 'utf8',
      },
    ).trim();

  test('forces the kernels at load, and an unknown level is a clear error', () => {
    expect(simdWith('scalar')).toBe('scalar');
    expect(simdWith('')).toBe(engineInfo().simdAvailable.at(-1));
    expect(simdWith('sse9')).toBe('ERR_INVALID_ARGUMENT');
  });
});
