/**
 * SIGINT (Ctrl-C) and SIGTERM stop every long command with exit code 130 or 143: training saves the model
 * trained so far, sampling writes nothing, a second signal exits at once, and no temporary file is left.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadModel, RBM, saveModel } from '../lib';
import { startCli, tempFiles, whenLoaded, killStarted } from './helpers/cli-process';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-signals-'));
const model = path.join(dir, 'model.safetensors');
afterEach(killStarted);
beforeAll(() => saveModel(model, RBM.create({ visible: 784, hidden: 8, seed: 1 })));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Starts the command, sends `signal` once its work is under way, and returns how it ended and how fast. */
async function stop(args: string[], signal: NodeJS.Signals, again = false) {
  const run = startCli(args);
  await whenLoaded(run);
  const sent = Date.now();
  run.child.kill(signal);
  if (again) setTimeout(() => run.child.kill(signal), 30);
  const ended = await run.ended;
  return { ...ended, seconds: (Date.now() - sent) / 1000 };
}

/** A bound on the time from the signal to the exit, far above the tenths of a second it takes. */
const PROMPT = 15;

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s', (signal, exitCode) => {
  test(`sample: exits ${exitCode} without writing a sample file`, async () => {
    const out = path.join(dir, `samples-${signal}.png`);
    const ended = await stop(['sample', model, '--n', '2000', '--sweeps', '100000000', '--out', out], signal);
    expect(ended).toMatchObject({ code: exitCode, signal: null });
    expect(ended.seconds).toBeLessThan(PROMPT);
    expect(ended.stderr).toMatch(/ERR_ABORTED/);
    expect(ended.stderr).not.toMatch(/\n\s+at /); // no stack
    expect(fs.existsSync(out)).toBe(false);
    expect(tempFiles(dir)).toEqual([]);
  }, 60000);

  test(`train rbm: exits ${exitCode}, saves the model trained so far and reports it`, async () => {
    const out = path.join(dir, `trained-${signal}.safetensors`);
    const ended = await stop(['train', 'rbm', '--hidden', '8', '--epochs', '100000', '--out', out, '--json'], signal);
    expect(ended).toMatchObject({ code: exitCode, signal: null });
    expect(ended.seconds).toBeLessThan(PROMPT);
    const report = JSON.parse(ended.stdout);
    expect(report.interrupted).toBe(true);
    const saved = (await loadModel(out)) as RBM;
    expect(saved.numHidden).toBe(8);
    expect(saved.info.epochs_done).toBe(report.history.length);
    expect(tempFiles(dir)).toEqual([]);
  }, 60000);
});

test('demo ising: Ctrl-C exits 130 and writes no picture', async () => {
  const out = path.join(dir, 'ising.png');
  const ended = await stop(['demo', 'ising', '--size', '256', '--sweeps', '10000000', '--out', out], 'SIGINT');
  expect(ended).toMatchObject({ code: 130, signal: null });
  expect(ended.seconds).toBeLessThan(PROMPT);
  expect(fs.existsSync(out)).toBe(false);
}, 60000);

test('a second signal exits at once, even while the work ignores the first, leaving no temporary file', async () => {
  const sub = fs.mkdtempSync(path.join(dir, 'second-'));
  const dist = path.resolve(__dirname, '..', 'dist', 'lib');
  // Stoppable work that does not heed its AbortSignal: a write in progress, then a long wait.
  const script = `
    const fs = require('fs');
    const { stoppable } = require(${JSON.stringify(path.join(dist, 'cli', 'signals.js'))});
    const { writeFileAtomic } = require(${JSON.stringify(path.join(dist, 'io', 'atomic.js'))});
    stoppable(async () => {
      writeFileAtomic(${JSON.stringify(path.join(sub, 'big.bin'))}, Buffer.alloc(64 << 20, 1)).catch(() => {});
      while (!fs.readdirSync(${JSON.stringify(sub)}).some((n) => n.endsWith('.tmp'))) await new Promise((r) => setImmediate(r));
      console.log('ready');
      await new Promise((r) => setTimeout(r, 60000));
    });`;
  const child = spawn(process.execPath, ['-e', script]);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve) =>
    child.stdout.on('data', (chunk) => String(chunk).includes('ready') && resolve()),
  );
  child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(child.exitCode).toBeNull(); // the first signal only asked the work to stop
  expect(stderr).toMatch(/stopping on SIGTERM.*send it again to quit at once/);
  const sent = Date.now();
  child.kill('SIGINT');
  expect(await ended).toBe(130);
  expect(Date.now() - sent).toBeLessThan(PROMPT * 1000);
  expect(tempFiles(sub)).toEqual([]);
}, 60000);
