/**
 * The multispin kernel: the same spins from the scalar, AVX2 and AVX-512 kernels, from 1 and 2
 * threads and for a chain whatever number of chains runs beside it; its choice; Onsager's values for
 * the ±J = +1 lattice; coded errors. Its exact distribution is checked in quantized.exact.test.ts.
 */
import { availableSimd, bitIdentityTests, sameBytes } from './helpers/bit-identity';
import { graphs, QuantizedIsingModel, setSimd } from '../lib';
import { native } from '../lib/native';
import { onsagerEnergyPerSpin, onsagerMagnetization } from '../lib/reference/onsager';
import { SeededRandom } from '../lib/util/random';
import { chainEstimate } from './helpers/stats';
import { Z_FAMILY } from './helpers/stats';

afterAll(() => setSimd(availableSimd.at(-1)!));

/**
 * Couplings drawn from {−k..k} (k = 0: from {−1, +1}, the ±J path) and biases from [−3, 3] on king's
 * graph (8 neighbours: up to 8k steps).
 */
function kingModel(side: number, k: number, randomBits: number, seed = 1): QuantizedIsingModel {
  const graph = graphs.king(side);
  const rng = new SeededRandom(seed);
  const couplings = Array.from({ length: graph.numEdges }, () =>
    k === 0 ? (rng.float() < 0.5 ? -1 : 1) : Math.floor(rng.float() * (2 * k + 1)) - k,
  );
  const biases = Array.from({ length: graph.numNodes }, () => Math.floor(rng.float() * 7) - 3);
  return new QuantizedIsingModel(graph, { couplings, biases, scale: 0.2, randomBits, beta: 0.7 });
}

// 1100 chains: two full blocks of 512 and a part-used third, so 2 threads split the work.
const opts = {
  chains: 1100,
  warmup: 4,
  samples: 2,
  thin: 2,
  seed: 4,
  kernel: 'multispin' as const,
  observe: ['states' as const, 'moments' as const],
};

describe.each([
  [0, 1],
  [0, 8],
  [0, 32],
  [1, 1],
  [1, 3],
  [1, 8],
  [3, 8],
  [2, 17],
  [1, 32],
])('couplings in {−k..k} for k = %i (0: ±1), %i random bits', (k, randomBits) => {
  const model = kingModel(6, k, randomBits);

  bitIdentityTests(model, opts);
});

test('clamped nodes keep their per-chain values; live chains resume where they stopped', async () => {
  const model = kingModel(5, 2, 6);
  const nodes = [0, 7, 24];
  const values = Int8Array.from({ length: 600 * 3 }, (_, j) => (((j * 7) >> 2) % 2 === 0 ? 1 : -1));
  const clamp = { nodes, values };
  const run = model.sampleSync({ ...opts, chains: 600, clamp });
  for (let s = 0; s < opts.samples; s++) {
    for (let c = 0; c < 600; c++) nodes.forEach((node, j) => expect(run.state(s, c)[node]).toBe(values[c * 3 + j]));
  }
  const chains = model.chains({ chains: 600, seed: 4, clamp, kernel: 'multispin' });
  chains.runSync({ warmup: 4, samples: 0, observe: [] });
  const resumed = await chains.run({ warmup: 0, samples: 2, thin: 2, observe: ['states'] });
  expect(sameBytes(resumed.states, run.states)).toBe(true);
  chains.dispose();
});

test('streams run on the multispin kernel and give the batches a sampling run gives', async () => {
  const model = kingModel(5, 0, 8);
  const options = {
    chains: 520,
    warmup: 3,
    thin: 2,
    seed: 9,
    kernel: 'multispin' as const,
    observe: ['states' as const],
  };
  const batches = [];
  for await (const batch of model.stream({ ...options, batch: 2, maxBatches: 2 })) batches.push(batch);
  const run = model.sampleSync({ ...options, samples: 4 });
  const streamed = Buffer.concat(
    batches.map((b) => Buffer.from(b.states!.buffer, b.states!.byteOffset, b.states!.byteLength)),
  );
  expect(sameBytes(streamed, run.states)).toBe(true);
});

test('auto takes the multispin kernel when every node fits it, the integer kernel otherwise', () => {
  const pm1 = kingModel(4, 0, 8);
  const heavy = kingModel(4, 12, 8); // about 50 steps at an inner node
  const pick = (model: QuantizedIsingModel, kernel?: 'auto' | 'integer' | 'multispin') => {
    const chains = model.chains({ chains: 1, kernel });
    const chosen = chains.kernel;
    chains.dispose();
    return chosen;
  };
  expect(pick(pm1)).toBe('multispin');
  expect(pick(pm1, 'integer')).toBe('integer');
  expect(pick(heavy)).toBe('integer');
});

test('bad input: a model the kernel cannot hold is refused naming the node and coupling', () => {
  const star = graphs.fromEdges(5, [
    [0, 1],
    [0, 2],
    [0, 3],
    [0, 4],
  ]);
  const model = new QuantizedIsingModel(star, {
    couplings: [8, -8, 8, 8],
    biases: [0, 0, 0, 0, 0],
    scale: 1,
    randomBits: 8,
  });
  expect(() => model.chains({ kernel: 'multispin' })).toThrow(
    expect.objectContaining({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringMatching(/node 0's couplings add up to 32 steps.*its largest, 8, with node 1/),
    }),
  );
  expect(() => model.chains({ kernel: 'bits' as never })).toThrow(
    expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
  );
  // Parameters changed under live multispin chains are checked again.
  const fits = new QuantizedIsingModel(star, {
    couplings: [7, -8, 8, 8],
    biases: [0, 0, 0, 0, 0],
    scale: 1,
    randomBits: 8,
  });
  const chains = fits.chains({ chains: 3, kernel: 'multispin' });
  fits.integerCouplings[0] = -9;
  expect(() => chains.updateParameters()).toThrow(
    expect.objectContaining({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringMatching(/^node 0's couplings add up to 33/),
    }),
  );
  chains.dispose();
  const Multispin = native().MultispinChains;
  expect(() => Multispin.refusal(star.handle, new Int32Array(3), new Int32Array(5))).toThrow(
    expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
  );
  expect(() => new Multispin(star.handle, 0, 1)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  const handle = new Multispin(star.handle, 2, 1);
  const zeros = [new Int32Array(4), new Int32Array(5)] as const;
  for (const bits of [0, 33])
    expect(() => handle.setParameters(...zeros, 1, bits)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  expect(() => handle.setParameters(...zeros, -1, 8)).toThrow(
    expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
  );
  handle.dispose();
});

/**
 * ±J = +1 on a 64×64 torus with 32-bit draws (thresholds within 2^-32 of the heat-bath probability)
 * against Onsager's infinite-lattice values; finite-size corrections are negligible away from β_c
 * (test/sampling.onsager.test.ts). One block of 512 chains; errors from the spread between chains.
 */
describe("Onsager's lattice values on the multispin kernel", () => {
  const L = 64;
  const graph = graphs.lattice2d(L);
  const measure = (beta: number, ordered: boolean) => {
    const model = new QuantizedIsingModel(graph, {
      couplings: new Int32Array(graph.numEdges).fill(1),
      biases: new Int32Array(L * L),
      scale: 1,
      randomBits: 32,
      beta,
    });
    const chains = 512,
      samples = 30;
    const run = model.sampleSync({
      chains,
      warmup: 400,
      samples,
      thin: 10,
      seed: 21,
      kernel: 'multispin',
      init: ordered ? new Int8Array(L * L).fill(1) : 'random',
      observe: ['energy', 'magnetization'],
    });
    const energy = new Float64Array(chains);
    const absM = new Float64Array(chains);
    for (let s = 0; s < samples; s++) {
      for (let c = 0; c < chains; c++) {
        energy[c] += run.energy![s * chains + c] / (L * L) / samples;
        absM[c] += Math.abs(run.magnetization![s * chains + c]) / samples;
      }
    }
    return { energy: chainEstimate(energy), absM: chainEstimate(absM) };
  };

  test('β = 0.3 (disordered): energy per spin', () => {
    const { energy } = measure(0.3, false);
    expect(Math.abs(energy.mean - onsagerEnergyPerSpin(0.3))).toBeLessThan(Z_FAMILY * energy.stderr);
    expect(energy.stderr).toBeLessThan(1e-3);
  });

  test('β = 0.6 (ordered): energy per spin and spontaneous magnetization', () => {
    const { energy, absM } = measure(0.6, true);
    expect(Math.abs(energy.mean - onsagerEnergyPerSpin(0.6))).toBeLessThan(Z_FAMILY * energy.stderr);
    expect(Math.abs(absM.mean - onsagerMagnetization(0.6))).toBeLessThan(Z_FAMILY * absM.stderr);
  });
});

test('HEATBATH_SIMD chooses the kernel at load: the same bits from the scalar one', () => {
  const { execFileSync } = require('child_process') as typeof import('child_process');
  const path = require('path') as typeof import('path');
  const script = `
    const { graphs, QuantizedIsingModel, engineInfo } = require('heatbath');
    const g = graphs.king(8);
    const couplings = Int32Array.from({ length: g.numEdges }, (_, e) => ((e * 5) % 3) - 1);
    const model = new QuantizedIsingModel(g, { couplings, biases: new Int32Array(64).fill(1), scale: 0.3, randomBits: 8, beta: 0.8 });
    const run = model.sampleSync({ chains: 700, warmup: 5, samples: 2, seed: 3, kernel: 'multispin', observe: ['states'] });
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
