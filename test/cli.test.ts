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

test('demo: energies near Onsager away from β_c, a PNG strip of 7 snapshots', async () => {
  const out = path.join(dir, 'demo.png');
  const { stdout } = await run(process.execPath, [cli, 'demo', '--size', '64', '--chains', '16', '--sweeps', '400', '--out', out, '--json']);
  const result = JSON.parse(stdout);
  expect(result.rows).toHaveLength(7);
  for (const row of result.rows) {
    if (Math.abs(row.beta - 0.4407) > 0.05) expect(Math.abs(row.energyPerSpin - row.exactEnergyPerSpin)).toBeLessThan(0.01);
    expect(row.flipsPerNs).toBeGreaterThan(0);
  }
  const png = PNG.sync.read(fs.readFileSync(out));
  expect(png.width).toBe(7 * 64 + 8 * 4);
  expect(png.height).toBe(64 + 2 * 4);
});

test('bench --json prints only JSON records, with the ceiling', async () => {
  const { stdout } = await run(process.execPath, [cli, 'bench', '--json', '--filter', 'small', '--out', dir]);
  const records = JSON.parse(stdout);
  expect(records.map((r: { name: string }) => r.name)).toEqual(['machine.fma', 'pbit.small']);
  const small = records[1];
  expect(small.unit).toBe('flips/ns');
  expect(small.ratio).toBeCloseTo(small.value / records[0].value, 10);
  expect(fs.existsSync(path.join(dir, 'latest.json'))).toBe(true);
}, 60000);

test('bad arguments exit non-zero with a message', async () => {
  await expect(run(process.execPath, [cli, 'demo', '--size', '-3'])).rejects.toMatchObject({ code: 1 });
  await expect(run(process.execPath, [cli, 'bench', '--threads', '0'])).rejects.toMatchObject({ code: 1 });
  await expect(run(process.execPath, [cli, 'nonsense'])).rejects.toMatchObject({ code: 1 });
});
