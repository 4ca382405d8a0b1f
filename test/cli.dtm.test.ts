/** `heatbath train dtm` and `sample` with denoising models, end to end through the compiled CLI. */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { PNG } from 'pngjs';
import { mergeDtmCommand } from '../lib/cli/merge-dtm';
import { parseSteps } from '../lib/cli/train-dtm';
import { loadModel, saveModel } from '../lib/io/model-file';
import '../lib/models/model-kinds';
import { bundledDigits } from '../lib/io/mnist';
import { readNpy } from '../lib/io/npy';
import { DenoisingModel } from '../lib/models/dtm';
import { interruptWhenWritten } from './helpers/interrupt';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '..', 'dist', 'lib', 'cli', 'main.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-cli-dtm-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const heatbath = async (...args: string[]) =>
  JSON.parse((await run(process.execPath, [cli, ...args, '--json'], { maxBuffer: 1 << 26 })).stdout);
const tiny = [
  '--images',
  '64',
  '--batch',
  '32',
  '--steps',
  '2',
  '--warmup',
  '2',
  '--samples',
  '2',
  '--thin',
  '1',
  '--threads',
  '2',
];

describe('train dtm, then sample it', () => {
  const conditional = path.join(dir, 'conditional.safetensors');
  const curves = path.join(dir, 'curves.json');
  let report: Record<string, unknown> & {
    history: Array<{ epoch: number; steps: Array<{ step: number; penalty: number }> }>;
  };

  beforeAll(async () => {
    report = await heatbath(
      'train',
      'dtm',
      ...tiny,
      '--size',
      '60',
      '--conditional',
      '--epochs',
      '2',
      '--curves',
      curves,
      '--out',
      conditional,
    );
  }, 60000);

  test('the report, the curves and the model file', async () => {
    expect(report).toMatchObject({ trainRows: 64, nodes: 3600, outputs: 884, steps: [1, 2], interrupted: false });
    expect(report.flipsPerNs).toBeGreaterThan(0);
    expect(report.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(report.history[1].steps.map((s) => s.step)).toEqual([1, 2]);
    expect(JSON.parse(fs.readFileSync(curves, 'utf8'))).toHaveLength(2);
    const model = (await loadModel(conditional)) as DenoisingModel;
    expect(model).toBeInstanceOf(DenoisingModel);
    expect([model.steps, model.classes, model.layout.size, model.layout.jumps]).toEqual([2, 10, 60, 'G12']);
    expect(model.info).toMatchObject({ training_images: 64, epochs_done: 2, trained_steps: [1, 2] });
  });

  test('samples to .npy and PNG, class by class, with the denoising path and the energy ledger', async () => {
    const npy = path.join(dir, 'samples.npy');
    const plain = await heatbath(
      'sample',
      conditional,
      '--n',
      '4',
      '--sweeps',
      '3',
      '--out',
      npy,
      '--cell-energy',
      '1e-15',
    );
    expect(plain).toMatchObject({ kind: 'dtm', count: 4, steps: 2, sweepsPerStep: 3 });
    expect(plain.energy).toMatchObject({ joulesPerSample: 2 * 3 * 3600 * 1e-15, nodes: 3600, cellJoules: 1e-15 });
    expect(plain.energy.flipsPerSample).toBeGreaterThan(0);
    const images = await readNpy(npy);
    expect(images.shape).toEqual([4, 784]);
    expect(Array.from(images.data as Float32Array).every((p) => p === 0 || p === 1)).toBe(true);

    const png = path.join(dir, 'classes.png');
    const pathPng = path.join(dir, 'path.png');
    const classes = await heatbath(
      'sample',
      conditional,
      '--n',
      '20',
      '--sweeps',
      '2',
      '--labels',
      'all',
      '--out',
      png,
      '--path',
      pathPng,
    );
    expect(classes.labels).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    const grid = PNG.sync.read(fs.readFileSync(png));
    expect([grid.width, grid.height]).toEqual([2 * 28 * 2 + 3 * 2, 10 * 28 * 2 + 11 * 2]);
    const steps = PNG.sync.read(fs.readFileSync(pathPng));
    expect([steps.width, steps.height]).toEqual([10 * 28 * 2 + 11 * 2, 3 * 28 * 2 + 4 * 2]); // 10 samples, x^2 … x^0
  });

  test('inpainting holds half of each bundled digit', async () => {
    const npy = path.join(dir, 'inpaint.npy');
    const report = await heatbath('sample', conditional, '--n', '3', '--sweeps', '2', '--inpaint', 'top', '--out', npy);
    expect(report.inpaint).toBe('top');
    const images = (await readNpy(npy)).data as Float32Array;
    // The digits are the last of each third of the bundled set (it is sorted by class), binarized at 0.5.
    const digits = bundledDigits();
    for (let c = 0; c < 3; c++) {
      const i = Math.floor(((c + 1) * digits.count) / 3) - 1;
      const top = Array.from(digits.images.subarray(i * 784, i * 784 + 14 * 28), (p) => (p >= 0.5 ? 1 : 0));
      expect(Array.from(images.subarray(c * 784, c * 784 + 14 * 28))).toEqual(top);
    }
  });

  test('steps trained in separate runs of copies merge into one model', async () => {
    const a = path.join(dir, 'a.safetensors');
    const b = path.join(dir, 'b.safetensors');
    const [, plain] = await Promise.all([
      heatbath(
        'train',
        'dtm',
        ...tiny,
        '--init',
        conditional,
        '--train-steps',
        '1',
        '--epochs',
        '1',
        '--seed',
        '5',
        '--out',
        a,
      ),
      run(process.execPath, [
        cli,
        'train',
        'dtm',
        ...tiny,
        '--init',
        conditional,
        '--train-steps',
        '2',
        '--epochs',
        '2',
        '--seed',
        '6',
        '--out',
        b,
      ]),
    ]);
    // Without a terminal, each epoch's line is logged on stderr as the epoch ends; the table is the result.
    const logged = plain.stderr.trim().split('\n');
    expect(logged[0]).toMatch(/^epoch +seconds +flips\/ns/);
    expect(logged.slice(1).map((line) => line.trim().split(/ +/)[0])).toEqual(['1', '2']);
    expect(plain.stdout).toContain(logged[2]);
    const merged = path.join(dir, 'merged.safetensors');
    const report = await heatbath('merge', 'dtm', `${a}:1`, `${b}:2`, '--out', merged);
    expect(report.steps).toEqual([
      { step: 1, from: a },
      { step: 2, from: b },
    ]);
    const [ma, mb, mm] = (await Promise.all([a, b, merged].map((f) => loadModel(f)))) as DenoisingModel[];
    expect(mm.learnedCouplings(1)).toEqual(ma.learnedCouplings(1));
    expect(mm.learnedBiases(2)).toEqual(mb.learnedBiases(2));
    expect(ma.learnedCouplings(2)).not.toEqual(mb.learnedCouplings(2));
    await expect(mergeDtmCommand([`${a}:1-2`, `${b}:2`], merged)).rejects.toThrow(/step 2 is given twice/);
    await expect(mergeDtmCommand([`${a}:1`], merged)).rejects.toThrow(/steps 2 come from no part/);
    const other = path.join(dir, 'other.safetensors');
    await saveModel(other, new DenoisingModel({ size: 56, pixels: 784, steps: 2 }));
    await expect(mergeDtmCommand([`${a}:1`, `${other}:2`], merged)).rejects.toThrow(/another layout/);
  }, 60000);

  test('clear errors before any work', async () => {
    const bad = (args: string[], pattern: RegExp) =>
      expect(run(process.execPath, [cli, ...args])).rejects.toMatchObject({
        code: 2,
        stderr: expect.stringMatching(pattern),
      });
    await bad(['train', 'dtm', ...tiny, '--size', '61', '--out', path.join(dir, 'x.safetensors')], /even/);
    await bad(['train', 'dtm', ...tiny, '--size', '40', '--out', path.join(dir, 'x.safetensors')], /too few/);
    await bad(
      ['train', 'dtm', ...tiny, '--train-steps', '3', '--out', path.join(dir, 'x.safetensors')],
      /steps run from 1 to 2/,
    );
    await bad(
      ['sample', conditional, '--inpaint', 'middle', '--out', path.join(dir, 'x.png')],
      /top, bottom, left or right/,
    );
    await bad(['sample', conditional, '--anneal', '1', '--out', path.join(dir, 'x.png')], /from:to/);
    await bad(['sample', conditional, '--labels', '10', '--out', path.join(dir, 'x.png')], /0…9/);
    expect(fs.existsSync(path.join(dir, 'x.safetensors'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'x.png'))).toBe(false);
  });
});

test('--train-steps reads lists and ranges', () => {
  expect(parseSteps('1,3-5,3', 8)).toEqual([1, 3, 4, 5]);
  expect(parseSteps(undefined, 8)).toBeUndefined();
  expect(() => parseSteps('0', 8)).toThrow(/1 to 8/);
  expect(() => parseSteps('2-x', 8)).toThrow(/like 1,2,5/);
});

test('Ctrl-C (SIGINT) stops training, saves the model trained so far and exits with 130', async () => {
  const out = path.join(dir, 'interrupted.safetensors');
  // The first checkpoint shows training (and its SIGINT handler) has started.
  const { code, report } = await interruptWhenWritten(
    ['train', 'dtm', ...tiny, '--size', '56', '--epochs', '100000', '--checkpoint-every', '1', '--out', out],
    out,
  );
  expect(code).toBe(130);
  expect(report.interrupted).toBe(true);
  const model = (await loadModel(out)) as DenoisingModel;
  expect(model.info.epochs_done).toBe((report.history as unknown[]).length);
}, 60000);
