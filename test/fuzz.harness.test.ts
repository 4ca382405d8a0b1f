/**
 * The fuzzer's own machinery: that each way a case can end is classified as what it is (a classifier that
 * called everything "ok" would make a green fuzz run mean nothing), that limits are enforced, that case i of
 * a seed is always the same input, and that the seeds are valid files.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KINDS, makeCase } from './fuzz/cases';
import { runLimited } from './fuzz/child';
import { cliOutcome, ProcessEnd, RESULT_PREFIX, runnerOutcome } from './fuzz/outcome';
import { makeSeeds } from './fuzz/seeds';
import { TARGETS } from './fuzz/targets';

const runner = path.resolve(__dirname, '..', 'dist', 'test', 'fuzz', 'runner.js');
const limits = { timeoutMs: 20_000, rssMb: 1024, addressSpaceMb: 0 };

function end(fields: Partial<ProcessEnd>): ProcessEnd {
  return { stdout: '', stderr: '', exitCode: 0, signal: null, peakRssMb: 50, ...fields };
}

describe('outcomes from how a process ended', () => {
  test('a runner reports its own outcome; without a report the case crashed', () => {
    const result = { outcome: 'coded', code: 'ERR_BAD_FILE' };
    expect(runnerOutcome(end({ stdout: `noise\n${RESULT_PREFIX}${JSON.stringify(result)}\n` }))).toMatchObject(result);
    expect(runnerOutcome(end({ exitCode: 0 })).outcome).toBe('crash');
    expect(runnerOutcome(end({ exitCode: null, signal: 'SIGSEGV' })).outcome).toBe('crash');
  });

  test('limits and V8 heap exhaustion come before anything the process printed', () => {
    const ok = `${RESULT_PREFIX}{"outcome":"ok"}\n`;
    expect(runnerOutcome(end({ stdout: ok, killedFor: 'timeout' })).outcome).toBe('hang');
    expect(runnerOutcome(end({ stdout: ok, killedFor: 'memory' })).outcome).toBe('memory');
    const heap = 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory';
    expect(cliOutcome(end({ exitCode: null, signal: 'SIGABRT', stderr: heap })).outcome).toBe('memory');
  });

  test('the CLI: exit 0 is ok, a one-line coded message is coded, a stack trace or ERR_INTERNAL is not', () => {
    expect(cliOutcome(end({ exitCode: 0 })).outcome).toBe('ok');
    expect(cliOutcome(end({ exitCode: 1, stderr: 'heatbath: x.npy: truncated (ERR_BAD_FILE)\n' }))).toMatchObject({
      outcome: 'coded',
      code: 'ERR_BAD_FILE',
    });
    expect(
      cliOutcome(end({ exitCode: 1, stderr: "error: option '--n <count>' argument 'x' is invalid.\n\nUsage: …" }))
        .outcome,
    ).toBe('coded');
    expect(cliOutcome(end({ exitCode: 1, stderr: 'heatbath: oops (ERR_INTERNAL)\n' })).outcome).toBe('uncoded');
    const trace = "TypeError: Cannot read properties of undefined (reading 'length')\n    at f (/x/lib/a.js:1:2)\n";
    expect(cliOutcome(end({ exitCode: 1, stderr: `epoch 1 done\n${trace}` }))).toMatchObject({
      outcome: 'uncoded',
      detail: trace.trim(),
    });
    expect(cliOutcome(end({ exitCode: 1, stderr: 'something went wrong\n' })).outcome).toBe('uncoded');
    expect(cliOutcome(end({ exitCode: null, signal: 'SIGSEGV' })).outcome).toBe('crash');
  });

  test('a sanitizer report is a crash, even after the process printed a result', () => {
    const asan = '==123==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000014\n    #0 0x7f in gemm';
    const ubsan = 'native/core/gemm.cpp:42:17: runtime error: signed integer overflow: 2147483647 + 1';
    expect(runnerOutcome(end({ exitCode: 1, stderr: asan })).outcome).toBe('crash');
    expect(
      runnerOutcome(end({ exitCode: 0, stdout: `${RESULT_PREFIX}{"outcome":"ok"}\n`, stderr: ubsan })).outcome,
    ).toBe('crash');
    expect(cliOutcome(end({ exitCode: 1, stderr: asan })).outcome).toBe('crash');
  });
});

describe('limits', () => {
  const node = (script: string, timeoutMs = 20_000, rssMb = 1024) =>
    runLimited(process.execPath, ['-e', script], {
      cwd: os.tmpdir(),
      env: process.env,
      limits: { ...limits, timeoutMs, rssMb },
    });

  test('a process past the time limit is killed and called a hang', async () => {
    const started = Date.now();
    const result = await node('setInterval(() => {}, 1000)', 1000);
    expect(result.killedFor).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('a process over the resident-set cap is killed', async () => {
    const result = await node('const b = Buffer.alloc(400 << 20, 1); setInterval(() => b[0]++, 1000)', 20_000, 200);
    expect(result.killedFor).toBe('memory');
    expect(result.peakRssMb).toBeGreaterThan(200);
  });

  test('a process that aborts ends with its signal', async () => {
    const result = await node('process.abort()');
    expect(result.signal).toBe('SIGABRT');
    expect(runnerOutcome(result).outcome).toBe('crash');
  });
});

describe('cases and seeds', () => {
  const seeds = makeSeeds();
  const fixtures = {
    rbm: 'r',
    gtc: 'g',
    dtm: 'd',
    samples: 's',
    images: 'i',
    labels: 'l',
    imagesGz: 'z',
    empty: 'e',
    cacheDir: 'c',
  };

  test('case i of a seed is the same input every time, and another seed gives others', () => {
    const inputs = (seed: number) => KINDS.map((_, i) => JSON.stringify(makeCase(seed, i, KINDS, seeds, fixtures)));
    expect(inputs(1)).toEqual(inputs(1));
    expect(inputs(2)).not.toEqual(inputs(1));
  });

  test('every seed file is valid: its target runs it without an error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-fuzz-seeds-'));
    try {
      for (const [kind, files] of Object.entries(seeds)) {
        for (const [k, bytes] of files.entries()) {
          const file = path.join(dir, `${kind}-${k}`);
          fs.writeFileSync(file, bytes);
          await expect(TARGETS[kind](file)).resolves.toBeUndefined();
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the runner, in a process of its own, reports valid files as ok and a truncated one as coded', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-fuzz-runner-'));
    const run = async (kind: string, bytes: Buffer) => {
      const file = path.join(dir, kind);
      fs.writeFileSync(file, bytes);
      return runnerOutcome(
        await runLimited(process.execPath, [runner, kind, file], { cwd: dir, env: process.env, limits }),
      );
    };
    try {
      for (const kind of ['npy', 'rbm', 'gtc', 'dtm'])
        expect(await run(kind, seeds[kind][0])).toMatchObject({ outcome: 'ok' });
      expect(await run('npy', seeds.npy[0].subarray(0, seeds.npy[0].length - 1))).toMatchObject({
        outcome: 'coded',
        code: 'ERR_BAD_FILE',
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
