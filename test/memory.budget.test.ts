/**
 * One memory budget for every request (native/core/memory.h, lib/native/memory.ts): a request sums all of
 * its allocations (random states, observation buffers, β tables) and is refused with ERR_TOO_LARGE
 * before anything is allocated. Requests that would take gigabytes run in a child process under a
 * virtual-memory ulimit, so a regression fails the test instead of taking the machine's memory.
 */
import { execFileSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { graphs, IsingModel, RBM, usableMemoryBytes } from '../lib';

const root = path.resolve(__dirname, '..');
const BUDGET_MESSAGE = /needs [\d.]+ GB, more than the [\d.]+ GB one request may use/;

interface ChildReport {
  code?: string;
  message?: string;
  ok?: unknown;
  limit: number | null;
  rssGrowthMb: number;
}

/**
 * Runs `body` (JS source of an async function of the package `h`, returning a value) in a fresh Node
 * process with the given memory limit and a 6 GB cap on its address space; reports the value or the
 * error, the budget, and how much the resident set grew.
 */
function inChild(body: string, env: Record<string, string> = {}): ChildReport {
  const script = `
    const h = require('heatbath');
    const rss0 = process.memoryUsage().rss;
    const report = (r) => {
      const rssGrowthMb = (process.memoryUsage().rss - rss0) / 2 ** 20;
      let limit;
      try { limit = h.usableMemoryBytes(); } catch { limit = null; }
      console.log(JSON.stringify({ ...r, limit, rssGrowthMb }));
    };
    (async () => (${body})(h))().then(
      (ok) => report({ ok: ok ?? null }),
      (e) => report({ code: e.code ?? e.name, message: e.message }),
    );`;
  const stdout = execFileSync('/bin/sh', ['-c', 'ulimit -v 6000000 && exec "$0" -e "$1"', process.execPath, script], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ChildReport;
}

const triangle = `h.graphs.fromEdges(3, [[0, 1], [1, 2], [0, 2]])`;

describe('the memory limit', () => {
  test('is 3/4 of the memory the process can have (at most 3/4 of physical memory)', () => {
    const limit = usableMemoryBytes();
    expect(limit).toBeGreaterThan(0);
    expect(limit).toBeLessThanOrEqual(0.75 * os.totalmem() + 1);
  });

  test('HEATBATH_MEMORY_LIMIT overrides it, in bytes with an optional K/M/G/T suffix', () => {
    expect(inChild('async () => 0', { HEATBATH_MEMORY_LIMIT: '600M' }).limit).toBe(600 * 2 ** 20);
    expect(inChild('async () => 0', { HEATBATH_MEMORY_LIMIT: '123456789' }).limit).toBe(123456789);
    const bad = inChild('async (h) => h.usableMemoryBytes()', { HEATBATH_MEMORY_LIMIT: 'lots' });
    expect(bad.code).toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('Gibbs requests are budgeted as a whole, before allocating', () => {
  test('chains: 2**30 on a 3-node graph counts the random state too (28 bytes per chain) and allocates nothing', () => {
    const r = inChild(`async (h) => { const g = ${triangle};
      new h.IsingModel(g, { couplings: 0.3 }).sampleSync({ chains: 2 ** 30, samples: 1 }); }`);
    expect(r.code).toBe('ERR_TOO_LARGE');
    expect(r.message).toMatch(BUDGET_MESSAGE);
    expect(r.message).toMatch(/needs 30\.06\d* GB/); // (12 bytes of spins + 16 of random state) × 2^30
    expect(r.rssGrowthMb).toBeLessThan(200);
  });

  test('a limit between the spins alone and spins + random state refuses the request', () => {
    // 2^25 chains of 3 nodes: 0.40 GB of spins, 0.54 GB of random state; 600 MiB holds only the spins.
    const body = (chains: number) => `async (h) => { const g = ${triangle};
      new h.IsingModel(g, { couplings: 0.3 }).sampleSync({ chains: ${chains}, warmup: 0, samples: 1 }); return 'ran'; }`;
    const refused = inChild(body(2 ** 25), { HEATBATH_MEMORY_LIMIT: '600M' });
    expect(refused.code).toBe('ERR_TOO_LARGE');
    expect(refused.message).toMatch(BUDGET_MESSAGE);
    expect(inChild(body(2 ** 22), { HEATBATH_MEMORY_LIMIT: '600M' }).ok).toBe('ran');
  });

  test('observations are counted together with the chains they come from', () => {
    // 2^22 chains (117 MB) observing states for 100 samples (1.26 GB) under a 1 GiB limit.
    const r = inChild(
      `async (h) => { const g = ${triangle};
      new h.IsingModel(g, { couplings: 0.3 }).sampleSync({ chains: 2 ** 22, warmup: 0, samples: 100, observe: ['states'] }); }`,
      { HEATBATH_MEMORY_LIMIT: '1G' },
    );
    expect(r.code).toBe('ERR_TOO_LARGE');
    expect(r.message).toMatch(/sampling 100 samples of 4194304 chains needs/);
    expect(r.rssGrowthMb).toBeLessThan(400);
  });

  test('graphs.fromEdges(1e9, …) is refused before the graph is built', () => {
    const r = inChild(`async (h) => { h.graphs.fromEdges(1e9, [[0, 1]]); }`);
    expect(r.code).toBe('ERR_TOO_LARGE');
    expect(r.message).toMatch(BUDGET_MESSAGE);
    expect(r.rssGrowthMb).toBeLessThan(200);
  });
});

describe('graph builders', () => {
  test("a lattice past the budget, or past V8's heap, is refused before building", () => {
    const huge = inChild(`async (h) => { h.graphs.lattice2d(46340); }`);
    expect(huge.code).toBe('ERR_TOO_LARGE');
    const regular = inChild(`async (h) => { h.graphs.randomRegular(2e9, 4); }`);
    expect(regular.code).toBe('ERR_TOO_LARGE');
    // 128 M edges: more numbers than a JS array can hold (V8 would end the process).
    const tooMany = inChild(`async (h) => { h.graphs.lattice2d(8000); }`);
    expect(tooMany.code).toBe('ERR_TOO_LARGE');
    expect(tooMany.message).toMatch(/128000000 edges/);
    // 18 M edges fit the machine but not a 512 MB V8 heap.
    const heap = inChild(`async (h) => { h.graphs.lattice2d(3000); }`, { NODE_OPTIONS: '--max-old-space-size=512' });
    expect(heap.code).toBe('ERR_TOO_LARGE');
    expect(heap.message).toMatch(/GB of JavaScript heap/);
    expect(inChild(`async (h) => h.graphs.lattice2d(300).numEdges`).ok).toBe(180000);
  });
});

describe('RBM sizes', () => {
  test('a 2^16 × 2^16 RBM (16 GiB of weights, twice for RBM.create) is refused before allocating', () => {
    const r = inChild(`async (h) => { h.RBM.create({ visible: 2 ** 16, hidden: 2 ** 16 }); }`);
    expect(r.code).toBe('ERR_TOO_LARGE');
    expect(r.message).toMatch(BUDGET_MESSAGE);
    expect(r.rssGrowthMb).toBeLessThan(200);
  });

  test('a 2^20 × 2^20 RBM and new RBM(10, 4) get coded errors, not RangeError/TypeError', () => {
    const huge = (() => {
      try {
        RBM.create({ visible: 2 ** 20, hidden: 2 ** 20 });
      } catch (e) {
        return e as { code?: string; message: string };
      }
    })();
    expect(huge?.code).toBe('ERR_TOO_LARGE');
    expect(() => new RBM(2 ** 20, 2 ** 20, { weights: [], visibleBias: 0, hiddenBias: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_TOO_LARGE' }),
    );
    expect(() => new (RBM as unknown as new (v: number, h: number) => RBM)(10, 4)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  test('training with 1e9 persistent chains is refused before its buffers are allocated', () => {
    const r = inChild(`async (h) => {
      const rbm = h.RBM.create({ visible: 4, hidden: 3, seed: 1 });
      await h.trainRbm(rbm, { images: new Float32Array(8 * 4), count: 8 }, { method: 'pcd', persistentChains: 1e9, batchSize: 4, epochs: 1 }); }`);
    expect(r.code).toBe('ERR_TOO_LARGE');
    expect(r.message).toMatch(/1000000000 persistent chains needs/);
    expect(r.rssGrowthMb).toBeLessThan(200);
  });

  test('RBM chains count their random state and a β table against the same limit', () => {
    const rbm = RBM.create({ visible: 4, hidden: 3, seed: 1 });
    expect(() => rbm.sampleSync({ chains: 2 ** 40, sweeps: 1 })).toThrow(
      expect.objectContaining({ code: 'ERR_TOO_LARGE' }),
    );
  });
});

describe('long schedules cost no memory per sweep', () => {
  test('warmup: 5e8 on a tiny graph starts at once and allocates nothing proportional', () => {
    const r = inChild(`async (h) => { const g = ${triangle};
      const signal = AbortSignal.timeout(300);
      await h.sample(new h.IsingModel(g, { couplings: 0.3 }), { chains: 8, warmup: 5e8, samples: 1, signal }); }`);
    expect(r.code).toBe('ERR_ABORTED');
    expect(r.rssGrowthMb).toBeLessThan(100); // a table would be 1.9 GB
  });

  test('2^32 sweeps run (coded abort) with a described β, and a plain-function β past the budget is coded', () => {
    const described = inChild(`async (h) => { const g = ${triangle};
      const signal = AbortSignal.timeout(300);
      await h.sample(new h.IsingModel(g, { couplings: 0.3 }), { chains: 8, warmup: 2 ** 32, samples: 1, beta: h.linearBeta(0.1, 1), signal }); }`);
    expect(described.code).toBe('ERR_ABORTED');
    expect(described.rssGrowthMb).toBeLessThan(100);
    const table = inChild(
      `async (h) => { const g = ${triangle};
      await h.sample(new h.IsingModel(g, { couplings: 0.3 }), { chains: 8, warmup: 2 ** 32, samples: 1, beta: (k) => 0.5 }); }`,
      { HEATBATH_MEMORY_LIMIT: '1G' },
    );
    expect(table.code).toBe('ERR_TOO_LARGE');
    expect(table.message).toMatch(/a table of β for 4294967296 sweeps/);
  });

  test('runs longer than 2^53 − 1 sweeps get a coded error', () => {
    const model = new IsingModel(graphs.lattice2d(2, 2), { couplings: 0.3 });
    const tooLong = { chains: 8, warmup: Number.MAX_SAFE_INTEGER, samples: 2, thin: 1 };
    expect(() => model.sampleSync(tooLong)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(/2\^53/) }),
    );
    expect(() => RBM.create({ visible: 2, hidden: 2 }).sampleSync({ sweeps: 2 ** 53 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});
