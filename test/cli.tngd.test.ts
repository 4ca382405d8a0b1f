/** `heatbath tngd`: the optimizer study end to end through the compiled CLI. */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { PNG } from 'pngjs';
import { parseOptimizerSpec } from '../lib/cli/optimizer-spec';
import { interruptWhenWritten } from './helpers/interrupt';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '..', 'dist', 'lib', 'cli', 'main.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-cli-tngd-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('heatbath tngd', () => {
  it('trains one model per optimizer and writes the final figures, the curves and a plot', async () => {
    const curves = path.join(dir, 'curves.json');
    const plot = path.join(dir, 'curves.png');
    const args = [
      'tngd',
      '--iterations',
      '20',
      '--hidden',
      '16',
      '--optimizers',
      'adam,tngd:t=5:td=1,ngd:lambda=0.3:lr=0.3',
      '--out',
      curves,
      '--plot',
      plot,
      '--json',
    ];
    const report = JSON.parse((await run(process.execPath, [cli, ...args], { maxBuffer: 1 << 24 })).stdout);
    expect(report).toMatchObject({
      model: 'mlp 784-16-10',
      parameters: 784 * 16 + 16 + 16 * 10 + 10,
      batch: 32,
      interrupted: false,
    });
    expect(report.runs.map((r: { optimizer: string }) => r.optimizer)).toEqual([
      'adam',
      'tngd:t=5:td=1',
      'ngd:lambda=0.3:lr=0.3',
    ]);
    for (const r of report.runs) {
      expect(r.iterations).toBe(20);
      expect(r.testAccuracy).toBeGreaterThan(0.3);
      expect(r.msPerIteration).toBeGreaterThan(0);
    }
    const written = JSON.parse(fs.readFileSync(curves, 'utf8'));
    expect(Object.keys(written.curves)).toEqual(['adam', 'tngd:t=5:td=1', 'ngd:lambda=0.3:lr=0.3']);
    expect(written.curves.adam.at(-1)).toMatchObject({ iteration: 20, testAccuracy: report.runs[0].testAccuracy });
    const png = PNG.sync.read(fs.readFileSync(plot));
    expect([png.width, png.height]).toEqual([960, 640]);
  }, 60000);

  it('Ctrl-C (SIGINT) stops the study, keeps the optimizers that finished and exits with 130', async () => {
    const curves = path.join(dir, 'interrupted.json');
    const plot = path.join(dir, 'interrupted.png');
    // SIGINT once the first optimizer's curves are on disk (the direct solve then takes seconds).
    const { code, report } = await interruptWhenWritten(
      ['tngd', '--iterations', '200', '--hidden', '8', '--optimizers', 'sgd,ngd', '--out', curves, '--plot', plot],
      curves,
    );
    expect(code).toBe(130);
    expect(report).toMatchObject({ interrupted: true });
    expect((report.runs as Array<{ optimizer: string }>).map((r) => r.optimizer)).toEqual(['sgd']);
    expect(Object.keys(JSON.parse(fs.readFileSync(curves, 'utf8')).curves)).toEqual(['sgd']);
    expect(fs.existsSync(plot)).toBe(true);
  }, 60000);

  it('refuses unknown optimizers and keys with a clear message', async () => {
    await expect(run(process.execPath, [cli, 'tngd', '--optimizers', 'rmsprop', '--json'])).rejects.toMatchObject({
      stderr: expect.stringContaining('unknown optimizer "rmsprop"'),
    });
    expect(() => parseOptimizerSpec('adam:t=5')).toThrow(/adam takes lr/);
    expect(() => parseOptimizerSpec('tngd:t=abc')).toThrow(/t must be a number, got "abc"/);
    expect(parseOptimizerSpec('tngd-adam:t=20:lr=0.001')).toMatchObject({ name: 'tngd-adam', learningRate: 0.001 });
  });
});
