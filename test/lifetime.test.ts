/**
 * Native jobs end with their environment: a worker terminated during any native call (sync or async,
 * every engine family) stops promptly without taking its host down, and a process that exits during
 * an async run exits at once. Each case runs in a fresh process (test/helpers/lifetime-child.js) whose
 * job would otherwise run for hours; the children are killed after LIMIT_MS so a failure stays bounded.
 */
import { lastJson, runChild } from './helpers/child';

// Cancellation is noticed within milliseconds of compute; the bound leaves room for a loaded machine.
const PROMPT_MS = 3000;
const LIMIT_MS = 30000;

describe('worker.terminate() during a native call', () => {
  test.each(['gibbs-sync', 'gibbs-async', 'langevin-sync', 'langevin-async', 'rbm-sync', 'rbm-async', 'gemm'])(
    '%s: the host survives and terminate() resolves promptly',
    async (job) => {
      const child = await runChild(['terminate', job], { limitMs: LIMIT_MS });
      expect(child.signal).toBeNull(); // no SIGABRT from throwing into the dying environment
      expect(child.stderr).not.toMatch(/terminate called|worker error/);
      expect(child.code).toBe(0);
      expect(lastJson(child.stdout).terminateMs).toBeLessThan(PROMPT_MS);
    },
  );
});

describe('the process leaves promptly during an async run', () => {
  test.each([
    ['exit', 3], // process.exit(3)
    ['throw', 1], // an uncaught exception
    ['sigterm', 4], // a SIGTERM handler calling process.exit(4)
  ])('%s', async (how, code) => {
    const child = await runChild(['exit', String(how)], { limitMs: LIMIT_MS, mark: 'exiting' });
    expect(child.stdout).not.toMatch(/finished/);
    expect(child.signal).toBeNull();
    expect(child.code).toBe(code);
    expect(child.msAfterMark).toBeLessThan(PROMPT_MS);
  });
});
