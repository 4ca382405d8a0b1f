/**
 * The integer engine's reproducibility: the same spins from the scalar, AVX2 and AVX-512 kernels,
 * from 1 and 2 threads, and for a chain whatever number of chains runs beside it. Random-bit widths
 * cover every acceptance path of the vector kernels: one register of thresholds (b <= 6), two and
 * four (7, 8), gathers (9..16) and the scalar fallback (> 16).
 */
import { availableSimd, bitIdentityTests, sameBytes } from './helpers/bit-identity';
import { graphs, IsingModel, setSimd } from '../lib';

const graph = graphs.torus(16, { jumps: 'G12' });
const float = IsingModel.random(graph, { beta: 0.9, seed: 8, couplingScale: 0.5, biasScale: 0.3 });
// 200 chains: 7 tiles of 32, so one full group of 4 tiles and one of 3, the last tile part-used.
const opts = { chains: 200, warmup: 5, samples: 3, thin: 2, seed: 4, observe: ['states' as const, 'moments' as const] };

afterAll(() => setSimd(availableSimd.at(-1)!));

describe.each([1, 3, 7, 8, 12, 17, 32])('%i random bits', (randomBits) => {
  const model = float.quantize({ couplingBits: 8, fieldBits: 8, randomBits });

  bitIdentityTests(model, opts);
});

test('async runs match sync runs; live chains resume where they stopped; seeds differ', async () => {
  const model = float.quantize({ couplingBits: 6, fieldBits: 6, randomBits: 4 });
  const sync = model.sampleSync(opts);
  expect(sameBytes((await model.sample(opts)).states, sync.states)).toBe(true);
  // Two runs of live chains continue one stream: warm-up 5 then the samples, as one run does.
  const chains = model.chains({ chains: 200, seed: 4 });
  chains.runSync({ warmup: 5, samples: 0, observe: [] });
  const resumed = await chains.run({ warmup: 0, samples: 3, thin: 2, observe: ['states'] });
  expect(sameBytes(resumed.states, sync.states)).toBe(true);
  expect(sameBytes(model.sampleSync({ ...opts, seed: 5 }).states, sync.states)).toBe(false);
});

test('chain means and mean-field pairs are the per-chain averages of the observed states, for any thread count', () => {
  const model = float.quantize({ couplingBits: 6, fieldBits: 6, randomBits: 4 });
  const n = graph.numNodes;
  const runs = [1, 2].map((threads) =>
    model.sampleSync({ ...opts, threads, observe: ['states', 'chainMeans', 'meanFieldPairs'] }),
  );
  const { states, chainMeans, pairMeanField, samples, chains } = runs[0];
  const expected = new Float64Array(chains * n);
  for (let s = 0; s < samples; s++)
    for (let k = 0; k < chains * n; k++) expected[k] += states![s * chains * n + k] / samples;
  expect(Array.from(chainMeans!)).toEqual(Array.from(expected, (m) => Math.fround(m)));
  const { src, dst } = graph;
  for (const e of [0, 17, src.length - 1]) {
    let sum = 0;
    for (let c = 0; c < chains; c++) sum += expected[c * n + src[e]] * expected[c * n + dst[e]];
    expect(pairMeanField![e]).toBeCloseTo(sum / chains, 12);
  }
  expect(sameBytes(runs[1].chainMeans, chainMeans)).toBe(true);
  expect(sameBytes(runs[1].pairMeanField, pairMeanField)).toBe(true);
});

test('HEATBATH_SIMD chooses the kernel at load: the same bits from the scalar one', () => {
  const { execFileSync } = require('child_process') as typeof import('child_process');
  const path = require('path') as typeof import('path');
  const script = `
    const { graphs, IsingModel, engineInfo } = require('heatbath');
    const model = IsingModel.random(graphs.torus(16, { jumps: 'G12' }), { beta: 0.9, seed: 8 }).quantize({ couplingBits: 8, fieldBits: 8, randomBits: 5 });
    const run = model.sampleSync({ chains: 100, warmup: 5, samples: 2, seed: 3, observe: ['states'] });
    console.log(engineInfo().simd, require('crypto').createHash('sha256').update(run.states).digest('hex'));`;
  const digest = (simd: string) =>
    execFileSync(process.execPath, ['-e', script], {
      cwd: path.resolve(__dirname, '..'),
      env: { ...process.env, HEATBATH_SIMD: simd },
      encoding: 'utf8',
    })
      .trim()
      .split(' ');
  const scalar = digest('scalar');
  expect(scalar[0]).toBe('scalar');
  for (const simd of availableSimd) expect(digest(simd)).toEqual([simd, scalar[1]]);
});
