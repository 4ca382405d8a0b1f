/**
 * Native memory: chains report what they hold to V8 and free it on dispose() (or Symbol.dispose), and
 * one-shot sampling frees its own chains, so loops of allocations keep a bounded RSS. The loops run in
 * fresh processes (test/helpers/lifetime-child.js) so that RSS measures them alone.
 */
import { graphs, HeatbathError, IsingModel, LangevinChains, LangevinNetwork, RbmChains } from '../lib';
import { lastJson, runChild } from './helpers/child';

const LIMIT_MS = 60000;

async function rssGrowthMB(loop: string): Promise<number> {
  const child = await runChild(['memory', loop], { limitMs: LIMIT_MS });
  expect(child.stderr).toBe('');
  expect(child.code).toBe(0);
  return lastJson(child.stdout).growthMB;
}

describe('RSS of allocation loops', () => {
  // Each bound sits well above what the loop keeps live and well below what it allocates in all
  // (the figures without the fix are in the comments).
  test('one-shot RBM sampling in a synchronous loop (100 × 784×500, ~3 MB each)', async () => {
    expect(await rssGrowthMB('rbm-sample-sync')).toBeLessThan(150); // 480 MB when the chains wait for GC
  });

  test('chains disposed in a synchronous loop (30 × 256 chains on 64², 4 MB each)', async () => {
    expect(await rssGrowthMB('gibbs-dispose')).toBeLessThan(50); // 120 MB without dispose()
  });

  test('chains left to the garbage collector while the event loop turns (100 × ~3 MB)', async () => {
    // V8 collects them only if it knows what they hold.
    expect(await rssGrowthMB('rbm-chains-gc')).toBeLessThan(200); // 335 MB unreported
  });
});

const model = IsingModel.random(graphs.king(32, 32), { beta: 0.4, seed: 3 });

function expectDisposed(call: () => unknown): void {
  let caught: unknown;
  try {
    call();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(HeatbathError);
  expect((caught as HeatbathError).code).toBe('ERR_DISPOSED');
}

describe('dispose()', () => {
  test('disposed Gibbs chains refuse every call with ERR_DISPOSED; disposing twice is harmless', async () => {
    const chains = model.chains({ chains: 64, seed: 1 });
    chains.runSync({ warmup: 2, samples: 1 });
    chains.dispose();
    chains.dispose();
    expectDisposed(() => chains.spins());
    expectDisposed(() => chains.runSync({ warmup: 1 }));
    expectDisposed(() => chains.initialize('random'));
    expectDisposed(() => chains.updateParameters());
    await expect(chains.run({ warmup: 1 })).rejects.toMatchObject({ name: 'HeatbathError', code: 'ERR_DISPOSED' });
  });

  test('Symbol.dispose (what `using` calls) disposes Gibbs, RBM and Langevin chains', async () => {
    // In a plain Node process: test runners' sandboxes lack Symbol.dispose.
    const child = await runChild(['symbol-dispose'], { limitMs: LIMIT_MS });
    expect(child.stderr).toBe('');
    expect(lastJson(child.stdout)).toEqual({ gibbs: 'ERR_DISPOSED', rbm: 'ERR_DISPOSED', langevin: 'ERR_DISPOSED' });
  });

  test('dispose() during an async run cancels it at once and frees the chains when it stops', async () => {
    const chains = model.chains({ chains: 256, seed: 4 });
    const run = chains.run({ warmup: 1e8, samples: 1, observe: [] }); // hours unless cancelled
    await new Promise((resolve) => setTimeout(resolve, 50));
    const start = process.hrtime.bigint();
    chains.dispose(); // returns at once
    await expect(run).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(Number(process.hrtime.bigint() - start) / 1e6).toBeLessThan(2000);
    expectDisposed(() => chains.spins());
    chains.dispose();
  });

  test('RBM and Langevin chains dispose the same way', () => {
    const rbm = new RbmChains(20, 10, 8, 1);
    rbm.runSync({ sweeps: 1 });
    rbm.dispose();
    expectDisposed(() => rbm.readVisible());
    expectDisposed(() => rbm.runSync({ sweeps: 1 }));
    rbm.dispose();

    const langevin = new LangevinChains(new LangevinNetwork({ units: 4 }), { chains: 8, seed: 1 });
    langevin.runSync({ steps: 2, dt: 0.01 });
    langevin.dispose();
    expectDisposed(() => langevin.readState());
    expectDisposed(() => langevin.runSync({ steps: 1, dt: 0.01 }));
    langevin.dispose();
  });

  test('one-shot sampling still returns the final state of the chains it frees', () => {
    const result = model.sampleSync({ chains: 8, warmup: 3, samples: 1, seed: 5 });
    const again = model.chains({ chains: 8, seed: 5 });
    again.runSync({ warmup: 3, samples: 1 });
    expect(result.finalState).toEqual(again.spins());
    again.dispose();
  });
});
