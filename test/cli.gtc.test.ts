/** `heatbath train gtc` and `sample` with generative computers, end to end through the compiled CLI. */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { PNG } from 'pngjs';
import { loadModel } from '../lib/io/model-file';
import '../lib/models/model-kinds';
import { readNpy } from '../lib/io/npy';
import { GenerativeComputer } from '../lib/models/gtc';
import { sampleCommand, SampleCommandOptions } from '../lib/cli/sample';
import { trainGtcCommand, TrainGtcOptions } from '../lib/cli/train-gtc';
import { idxDigits } from './helpers/idx';
import { interruptWhenWritten } from './helpers/interrupt';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '..', 'dist', 'lib', 'cli', 'main.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-cli-gtc-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const heatbath = async (...args: string[]) =>
  JSON.parse((await run(process.execPath, [cli, ...args, '--json'], { maxBuffer: 1 << 26 })).stdout);
const tiny = [
  '--hidden',
  '16',
  '--images',
  '64',
  '--duration',
  '0.05',
  '--stride',
  '5',
  '--batch',
  '16',
  '--threads',
  '2',
];

describe('train gtc, then sample it', () => {
  const conditional = path.join(dir, 'conditional.safetensors');
  const plain = path.join(dir, 'plain.safetensors');
  let report: Record<string, unknown> & { history: { trajectories: number; loss: number }[] };

  beforeAll(async () => {
    [report] = await Promise.all([
      heatbath('train', 'gtc', ...tiny, '--conditional', '--epochs', '2', '--out', conditional),
      heatbath('train', 'gtc', ...tiny, '--out', plain),
    ]);
  }, 60000);

  test('the report and the model file: sizes, epochs, trajectories, a loss near 0.5', async () => {
    expect(report).toMatchObject({
      trainRows: 64,
      visible: 784,
      hidden: 16,
      labelUnits: 10,
      stepsPerPhase: 50,
      trajectories: 128,
      interrupted: false,
    });
    expect(report.history).toHaveLength(2);
    for (const h of report.history) {
      expect(h.trajectories).toBe(64);
      // Per unit and step the loss is 0.5 when the learned reverse step matches the noising exactly.
      expect(Math.abs(h.loss - 0.5)).toBeLessThan(0.1);
    }
    const model = await loadModel(conditional);
    expect(model).toBeInstanceOf(GenerativeComputer);
    const m = model as GenerativeComputer;
    expect([m.visible, m.hidden, m.labels, m.stepsPerPhase]).toEqual([784, 16, 10, 50]);
    expect(m.info).toMatchObject({ training_images: 64, epochs_done: 2, trajectories: 128 });
    expect(m.visibleHidden.some((w) => w !== 0)).toBe(true);
  });

  test('--init continues training from a saved model and keeps its count of trajectories', async () => {
    const out = path.join(dir, 'continued.safetensors');
    const report = await heatbath('train', 'gtc', ...tiny, '--init', conditional, '--out', out);
    expect(report.labelUnits).toBe(10);
    const m = (await loadModel(out)) as GenerativeComputer;
    expect(m.info).toMatchObject({ trajectories: 192, started_from: conditional });
  });

  test('sample to .npy: n × 784 float32 images in [0, 1], or the raw visible states; the heat ledger', async () => {
    const npy = path.join(dir, 'samples.npy');
    const report = await heatbath('sample', plain, '--n', '6', '--out', npy, '--temperature', '77');
    expect(report).toMatchObject({ kind: 'gtc', count: 6, steps: 100, out: npy });
    expect(report.labels).toBeUndefined();
    expect(report.samplesPerSecond).toBeGreaterThan(0);
    expect(report.cpuSecondsPerSample).toBeGreaterThan(0);
    expect(report.heat.samples).toBe(6);
    expect(report.heat.kelvin).toBe(77);
    expect(report.heat.meanJoules).toBeCloseTo(report.heat.meanKT * 1.380649e-23 * 77, 30);
    const images = await readNpy(npy);
    expect(images.dtype).toBe('f4');
    expect(images.shape).toEqual([6, 784]);
    expect(Array.from(images.data as Float32Array).every((p) => p >= 0 && p <= 1)).toBe(true);

    const statesFile = path.join(dir, 'states.npy');
    await heatbath('sample', plain, '--n', '6', '--out', statesFile, '--states');
    const states = await readNpy(statesFile);
    expect(states.shape).toEqual([6, 784]);
    // Raw states are the units' positions in their wells, not pixel intensities.
    expect(Array.from(states.data as Float32Array).some((x) => x < 0)).toBe(true);
  });

  test('--labels all draws every class in order, one PNG row per class; a single class too', async () => {
    const png = path.join(dir, 'classes.png');
    const report = await heatbath('sample', conditional, '--n', '20', '--labels', 'all', '--out', png);
    expect(report.labels).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    const image = PNG.sync.read(fs.readFileSync(png));
    expect(image.width).toBe(2 * 28 * 2 + 3 * 2); // 2 columns of 28 px at scale 2, 2 px gaps
    expect(image.height).toBe(10 * 28 * 2 + 11 * 2); // 10 rows
    const seven = await heatbath(
      'sample',
      conditional,
      '--n',
      '3',
      '--labels',
      '7',
      '--out',
      path.join(dir, 'seven.npy'),
    );
    expect(seven.labels).toEqual([7, 7, 7]);
  });

  test('clear errors: --labels on an unlabelled model, a class out of range, --states to a PNG', async () => {
    const out = path.join(dir, 'x.png');
    await expect(run(process.execPath, [cli, 'sample', plain, '--labels', '3', '--out', out])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/needs a model with label units.*--conditional.*ERR_INVALID_ARGUMENT/),
    });
    const sample = (model: string, options: Partial<SampleCommandOptions>) =>
      sampleCommand(model, { n: 2, sweeps: 1, beta: 1, out, states: false, seed: 1, json: true, ...options });
    await expect(sample(conditional, { labels: '10' })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringContaining('0…9 or "all"'),
    });
    await expect(sample(conditional, { labels: 'seven' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(sample(conditional, { labels: '-1' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(sample(conditional, { states: true })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      message: expect.stringContaining('.npy'),
    });
    await expect(sample(conditional, { temperature: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(fs.existsSync(out)).toBe(false);
  });
});

test('IDX data of another shape: one label unit per class, the image shape kept for pictures', async () => {
  const { images, labels } = idxDigits(60, 4, 5, 3);
  const imagesFile = path.join(dir, 'images.idx');
  const labelsFile = path.join(dir, 'labels.idx');
  fs.writeFileSync(imagesFile, images);
  fs.writeFileSync(labelsFile, labels);
  const out = path.join(dir, 'idx.safetensors');
  const report = await trainGtcCommand({
    ...TINY_TRAINING,
    data: imagesFile,
    labels: labelsFile,
    images: undefined,
    conditional: true,
    out,
  });
  expect(report).toMatchObject({ trainRows: 54, testRows: 6, visible: 20, labelUnits: 3 });
  const png = path.join(dir, 'idx.png');
  await sampleCommand(out, { n: 6, sweeps: 1, beta: 1, out: png, states: false, labels: 'all', seed: 1, json: true });
  const image = PNG.sync.read(fs.readFileSync(png));
  expect([image.width, image.height]).toEqual([2 * 5 * 2 + 3 * 2, 3 * 4 * 2 + 4 * 2]); // 3 classes × 2 samples of 4 × 5 pixels
});

test('Ctrl-C (SIGINT) stops training, saves the model trained so far and exits with 130', async () => {
  const out = path.join(dir, 'interrupted.safetensors');
  // The first checkpoint shows training (and its SIGINT handler) has started.
  const { code, report } = await interruptWhenWritten(
    ['train', 'gtc', ...tiny, '--epochs', '100000', '--checkpoint-every', '1', '--out', out],
    out,
  );
  expect(code).toBe(130);
  expect(report.interrupted).toBe(true);
  const history = report.history as unknown[];
  expect(history.length).toBeGreaterThanOrEqual(1);
  const m = (await loadModel(out)) as GenerativeComputer;
  expect(m.info.epochs_done).toBe(history.length);
}, 60000);

test('train gtc rejects bad settings with coded errors and writes nothing', async () => {
  const out = path.join(dir, 'bad.safetensors');
  await expect(run(process.execPath, [cli, 'train', 'gtc', '--lr', 'fast', '--out', out])).rejects.toMatchObject({
    code: 2,
    stderr: expect.stringContaining('ERR_INVALID_ARGUMENT'),
  });
  const train = (options: Partial<TrainGtcOptions>) => trainGtcCommand({ ...TINY_TRAINING, out, ...options });
  await expect(train({ update: 'sometimes' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  await expect(train({ optimizer: 'lbfgs' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  await expect(train({ labelDropout: 2, conditional: true })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  await expect(train({ hidden: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  await expect(train({ init: path.join(dir, 'missing.safetensors') })).rejects.toMatchObject({ code: 'ERR_IO' });
  await expect(train({ testFraction: 1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  expect(fs.existsSync(out)).toBe(false);
});

/** The command's options as the CLI passes them for the `tiny` arguments. */
const TINY_TRAINING: Omit<TrainGtcOptions, 'out'> = {
  data: 'mnist',
  binarize: 'none',
  testFraction: 0.1,
  images: 64,
  hidden: 16,
  conditional: false,
  epochs: 1,
  batch: 16,
  stride: 5,
  chunkSteps: 50,
  update: 'trajectory',
  lr: '0.001',
  optimizer: 'adam',
  weightDecay: 0,
  labelDropout: 0.2,
  labelInit: 'data',
  kt: 0.1,
  dt: 1e-3,
  duration: 0.05,
  j2: 1,
  j4: 1,
  mobility: 1,
  seed: 1,
  threads: 2,
  json: true,
};
