/**
 * `--precision` for `sample` (rbm, dtm) and `train dtm`, the refusals of bad precision strings, and
 * `heatbath study bits --quick`, through the compiled CLI.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { PNG } from 'pngjs';
import { DenoisingModel, GenerativeComputer, RBM, saveModel } from '../lib';
import { parsePrecision } from '../lib/cli/precision';
import { parseBitList } from '../lib/cli/study-bits';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '..', 'dist', 'lib', 'cli', 'main.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-cli-precision-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const heatbath = async (...args: string[]) =>
  JSON.parse((await run(process.execPath, [cli, ...args, '--json'], { maxBuffer: 1 << 26 })).stdout);
/** The exit code and stderr of a command expected to fail. */
async function refused(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [cli, ...args]);
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error(`heatbath ${args.join(' ')} succeeded`);
}

const rbmFile = path.join(dir, 'rbm.safetensors');
const dtmFile = path.join(dir, 'dtm.safetensors');
beforeAll(async () => {
  await saveModel(rbmFile, RBM.create({ visible: 784, hidden: 16, seed: 1, weightScale: 0.3 }));
  await saveModel(dtmFile, new DenoisingModel({ size: 56, pixels: 784, steps: 2, initScale: 0.1, seed: 1 }));
});

test('precision strings: c:r and c:r:f within the quantizer’s ranges, anything else refused with a coded error', () => {
  expect(parsePrecision('6:8')).toEqual({ couplingBits: 6, randomBits: 8, fieldBits: 6 });
  expect(parsePrecision('4:16:10')).toEqual({ couplingBits: 4, randomBits: 16, fieldBits: 10 });
  expect(parsePrecision('16:32')).toEqual({ couplingBits: 16, randomBits: 32, fieldBits: 16 });
  for (const bad of [
    '6',
    '6:',
    ':8',
    '1:8',
    '17:8',
    '6:0',
    '6:33',
    '6:8:1',
    '6:8:17',
    'a:b',
    '6:8:8:8',
    '6.5:8',
    '-6:8',
    '0x6:8',
    ' 6:8',
    '6:8 ',
  ]) {
    expect(() => parsePrecision(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  }
  expect(() => parsePrecision('20:8')).toThrow(/couplingBits is 20, outside 2–16/);
  expect(parseBitList('--coupling-bits', '3-5,8', [2, 16])).toEqual([3, 4, 5, 8]);
  for (const bad of ['1-3', '8-3', '', '3,,4', 'x'])
    expect(() => parseBitList('--coupling-bits', bad, [2, 16])).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
});

test('sample an RBM on the chip: the report says what rounding did; the same seed writes the same samples', async () => {
  const [a, b] = [path.join(dir, 'a.npy'), path.join(dir, 'b.npy')];
  const report = await heatbath(
    'sample',
    rbmFile,
    '--precision',
    '5:6',
    '--n',
    '40',
    '--sweeps',
    '20',
    '--states',
    '--out',
    a,
  );
  expect(report.precision).toEqual({
    couplingBits: 5,
    fieldBits: 5,
    randomBits: 6,
    clippedCouplings: 0,
    clippedBiases: 0,
    maxCouplingError: expect.any(Number),
    maxBiasError: 0,
  });
  await heatbath(
    'sample',
    rbmFile,
    '--precision',
    '5:6',
    '--n',
    '40',
    '--sweeps',
    '20',
    '--states',
    '--out',
    b,
    '--threads',
    '1',
  );
  expect(fs.readFileSync(b).equals(fs.readFileSync(a))).toBe(true);
  await heatbath('sample', rbmFile, '--n', '40', '--sweeps', '20', '--states', '--out', b);
  expect(fs.readFileSync(b).equals(fs.readFileSync(a))).toBe(false);
}, 60000);

test('sample a DTM on the chip; bad precision and a gtc model are refused with exit code 2 before any work', async () => {
  const out = path.join(dir, 'dtm.png');
  const report = await heatbath('sample', dtmFile, '--precision', '4:8', '--n', '4', '--sweeps', '3', '--out', out);
  expect(report.precision).toMatchObject({ couplingBits: 4, randomBits: 8, fieldBits: 4, clippedCouplings: 0 });
  expect(PNG.sync.read(fs.readFileSync(out)).width).toBeGreaterThan(0);
  for (const bad of ['4', '4:0', '1:8', '4:8:20']) {
    const { code, stderr } = await refused('sample', dtmFile, '--precision', bad, '--out', path.join(dir, 'never.png'));
    expect([code, stderr]).toEqual([2, expect.stringContaining('ERR_INVALID_ARGUMENT')]);
  }
  const gtcFile = path.join(dir, 'gtc.safetensors');
  await saveModel(gtcFile, new GenerativeComputer({ hidden: 4 }));
  const { code, stderr } = await refused('sample', gtcFile, '--precision', '6:8', '--out', path.join(dir, 'never.png'));
  expect([code, stderr]).toEqual([2, expect.stringContaining('not by p-bits')]);
  expect(fs.existsSync(path.join(dir, 'never.png'))).toBe(false);
}, 60000);

test('train dtm --precision trains in the loop and records the precision', async () => {
  const out = path.join(dir, 'trained.safetensors');
  const args = [
    '--size',
    '56',
    '--steps',
    '1',
    '--images',
    '64',
    '--batch',
    '32',
    '--warmup',
    '2',
    '--samples',
    '2',
    '--thin',
    '1',
    '--epochs',
    '1',
    '--out',
    out,
  ];
  const report = await heatbath('train', 'dtm', ...args, '--precision', '5:8');
  expect(report.precision).toEqual({ couplingBits: 5, randomBits: 8, fieldBits: 5 });
  expect(report.flips).toBeGreaterThan(0);
  const { code, stderr } = await refused('train', 'dtm', ...args, '--precision', '5:40');
  expect([code, stderr]).toEqual([2, expect.stringContaining('randomBits is 40')]);
}, 120000);

test('study bits --quick: every cell scored and timed, a JSON file and a heat map', async () => {
  const [json, png] = [path.join(dir, 'bits.json'), path.join(dir, 'bits.png')];
  const report = await heatbath(
    'study',
    'bits',
    '--rbm',
    rbmFile,
    '--dtm',
    dtmFile,
    '--quick',
    '--out',
    json,
    '--png',
    png,
    '--cache-dir',
    dir,
  );
  expect(report.couplingBits).toEqual([3, 8]);
  expect(report.randomBits).toEqual([4, 16]);
  expect(report.cells).toHaveLength(2 * (1 + 2 * 2));
  for (const cell of report.cells) {
    expect(cell.confidence).toBeGreaterThan(0);
    expect(cell.flipsPerNs).toBeGreaterThan(0);
    expect(cell.flipsPerCpuNs).toBeGreaterThan(0);
  }
  expect(JSON.parse(fs.readFileSync(json, 'utf8')).cells).toEqual(report.cells);
  const image = PNG.sync.read(fs.readFileSync(png));
  expect(image.width).toBeGreaterThan(200);
  const { code } = await refused('study', 'bits', '--quick', '--out', json, '--png', png);
  expect(code).toBe(2);
}, 180000);
