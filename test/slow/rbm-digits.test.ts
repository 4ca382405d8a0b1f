/**
 * The RBM bar (npm run test:slow): the README's recipe — a 500-hidden RBM trained with PCD on the
 * bundled digits, then 100 chains sampled for 1,000 sweeps from noise — gives samples the digit
 * evaluation finds digit-like: every class present, confident, and far closer to real digits than to
 * noise in the classifier's feature space. Takes about two minutes on two cores.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '..', '..', 'dist', 'lib', 'cli', 'main.js');
const heatbath = async (...args: string[]) =>
  JSON.parse((await run(process.execPath, [cli, ...args, '--json'], { maxBuffer: 1 << 26 })).stdout);

test('a 784×500 RBM trained in minutes draws digit-like samples of all ten classes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-rbm-bar-'));
  const model = path.join(dir, 'rbm.safetensors');
  const samples = path.join(dir, 'samples.npy');
  const trained = await heatbath(
    'train',
    'rbm',
    '--hidden',
    '500',
    '--epochs',
    '100',
    '--method',
    'pcd',
    '--chains',
    '256',
    '--lr',
    'cosine:0.05:0.0005',
    '--out',
    model,
  );
  expect(trained.seconds).toBeLessThan(600); // the budget: 10 minutes on this kind of machine
  await heatbath('sample', model, '--n', '100', '--sweeps', '1000', '--out', samples);
  const scored = await heatbath('eval', samples);
  expect(scored.classesPresent).toBe(10);
  expect(scored.meanConfidence).toBeGreaterThan(0.8); // real digits ≈ 0.95, noise ≈ 0.11
  expect(scored.frechet).toBeLessThan(0.25 * scored.reference.noise.frechet);
  fs.rmSync(dir, { recursive: true, force: true });
}, 900000);
