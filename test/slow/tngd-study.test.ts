/**
 * The optimizer study of the README (npm run test:slow), seeds 1–3 of `heatbath tngd` on the MLP: the
 * claims the README makes from it, checked against fresh runs.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '..', '..', 'dist', 'lib', 'cli', 'main.js');

interface Run {
  optimizer: string;
  testLoss: number;
  testAccuracy: number;
  msPerIteration: number;
  toTarget: { iterations: number; seconds: number } | null;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

test('natural gradient and TNGD against Adam and SGD over three seeds', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-tngd-study-'));
  const optimizers = 'sgd,adam,ngd,tngd:t=2,tngd:t=2:td=1,tngd:t=5';
  const bySeed: Record<string, Run>[] = [];
  for (const seed of ['1', '2', '3']) {
    const args = [
      cli,
      'tngd',
      '--seed',
      seed,
      '--optimizers',
      optimizers,
      '--out',
      path.join(dir, 'c.json'),
      '--plot',
      path.join(dir, 'c.png'),
      '--json',
    ];
    const report = JSON.parse((await run(process.execPath, args, { maxBuffer: 1 << 24 })).stdout);
    bySeed.push(Object.fromEntries(report.runs.map((r: Run) => [r.optimizer, r])));
  }
  const over = (name: string, pick: (r: Run) => number) => mean(bySeed.map((runs) => pick(runs[name])));
  const toTarget = (r: Run) => r.toTarget?.iterations ?? Infinity;
  // Every optimizer learns the digits.
  for (const name of optimizers.split(',')) expect(over(name, (r) => r.testAccuracy)).toBeGreaterThan(0.89);
  // Natural gradient needs fewer iterations than Adam and SGD to reach 85 %; the delay needs fewer still.
  expect(over('ngd', toTarget)).toBeLessThan(over('adam', toTarget));
  expect(over('adam', toTarget)).toBeLessThan(over('sgd', toTarget));
  expect(over('tngd:t=2:td=1', toTarget)).toBeLessThan(over('tngd:t=2', toTarget));
  // With λ = 1 the device's readout at t = 5τ is the natural gradient to e^(−5): TNGD ends where NGD does
  // (single runs drift apart over 500 iterations, the mean over seeds does not).
  expect(Math.abs(over('tngd:t=5', (r) => r.testLoss) - over('ngd', (r) => r.testLoss))).toBeLessThan(0.02);
  fs.rmSync(dir, { recursive: true, force: true });
}, 600000);
