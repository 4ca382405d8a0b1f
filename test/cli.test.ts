/** The `heatbath` command end to end, through the compiled CLI (built by `npm install`). */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { PNG } from 'pngjs';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '..', 'dist', 'lib', 'cli', 'main.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('demo ising: energies near Onsager away from β_c, a PNG strip of 7 snapshots', async () => {
  const out = path.join(dir, 'demo.png');
  const { stdout } = await run(process.execPath, [
    cli,
    'demo',
    'ising',
    '--size',
    '64',
    '--chains',
    '16',
    '--sweeps',
    '400',
    '--out',
    out,
    '--json',
  ]);
  const result = JSON.parse(stdout);
  expect(result.rows).toHaveLength(7);
  for (const row of result.rows) {
    if (Math.abs(row.beta - 0.4407) > 0.05)
      expect(Math.abs(row.energyPerSpin - row.exactEnergyPerSpin)).toBeLessThan(0.01);
    expect(row.flipsPerNs).toBeGreaterThan(0);
  }
  const png = PNG.sync.read(fs.readFileSync(out));
  expect(png.width).toBe(7 * 64 + 8 * 4);
  expect(png.height).toBe(64 + 2 * 4);
});

test('demo: trains a (here tiny) generative computer once, caches it, draws every digit and some unconditional samples', async () => {
  const cacheDir = path.join(dir, 'cache');
  const out = path.join(dir, 'digits.png');
  const tiny = [
    '--images',
    '40',
    '--hidden',
    '8',
    '--epochs',
    '1',
    '--duration',
    '0.05',
    '--per-class',
    '3',
    '--unconditional',
    '2',
  ];
  const demo = async () =>
    JSON.parse(
      (await run(process.execPath, [cli, 'demo', ...tiny, '--cache-dir', cacheDir, '--out', out, '--json'])).stdout,
    );
  const first = await demo();
  expect(first).toMatchObject({
    cached: false,
    trainImages: 40,
    conditionalSamples: 30,
    unconditionalSamples: 2,
    stepsPerSample: 100,
    png: out,
  });
  expect(first.units).toEqual({ visible: 784, hidden: 8, labels: 10 });
  expect(first.trainSeconds).toBeGreaterThan(0);
  expect(first.trajectories).toBeGreaterThanOrEqual(40);
  expect(first.heat.samples).toBe(32);
  expect(first.heat.kelvin).toBe(300);
  expect(first.heat.meanJoules).toBeCloseTo(first.heat.meanKT * 1.380649e-23 * 300, 30);
  expect(first.cpuSecondsPerSample).toBeGreaterThan(0);
  expect(fs.readdirSync(cacheDir)).toHaveLength(1);
  const png = PNG.sync.read(fs.readFileSync(out));
  expect(png.width).toBe(3 * 28 * 2 + 4 * 2); // 3 per class at scale 2
  expect(png.height).toBe(11 * 28 * 2 + 12 * 2); // 10 class rows and one unconditional row

  const second = await demo();
  expect(second).toMatchObject({ cached: true, trainSeconds: 0, trajectories: first.trajectories, model: first.model });
  expect(second.heat.meanKT).toBe(first.heat.meanKT); // the same model and seed: the same samples
}, 60000);

test('bench --json prints only JSON records, with the ceiling', async () => {
  const { stdout } = await run(process.execPath, [cli, 'bench', '--json', '--filter', 'pbit.small', '--out', dir]);
  const records = JSON.parse(stdout);
  expect(records.map((r: { name: string }) => r.name)).toEqual(['machine.fma', 'pbit.small']);
  const small = records[1];
  expect(small.unit).toBe('flips/ns');
  expect(small.ratio).toBeCloseTo(small.value / records[0].value, 10);
  expect(fs.existsSync(path.join(dir, 'latest.json'))).toBe(true);
}, 60000);

test('bad arguments exit with the usage code 2 and a message', async () => {
  await expect(run(process.execPath, [cli, 'demo', 'ising', '--size', '-3'])).rejects.toMatchObject({
    code: 2,
    stderr: expect.stringContaining('--size'),
  });
  await expect(run(process.execPath, [cli, 'demo', '--images', '0'])).rejects.toMatchObject({
    code: 2,
    stderr: expect.stringContaining('--images'),
  });
  await expect(run(process.execPath, [cli, 'bench', '--threads', '0'])).rejects.toMatchObject({ code: 2 });
  await expect(run(process.execPath, [cli, 'nonsense'])).rejects.toMatchObject({ code: 2 });
});
