/** `heatbath train rbm`, `sample` and `eval` end to end, through the compiled CLI. */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import * as zlib from 'zlib';
import { PNG } from 'pngjs';
import { digitSplit } from '../lib/eval/digit-classifier';
import { writeNpy } from '../lib/io/npy';
import { idxDigits } from './helpers/idx';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '..', 'dist', 'lib', 'cli', 'main.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-cli-rbm-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const heatbath = async (...args: string[]) =>
  JSON.parse((await run(process.execPath, [cli, ...args, '--json'], { maxBuffer: 1 << 26 })).stdout);

test('train on the bundled digits, sample to .npy and .png, evaluate the samples', async () => {
  const model = path.join(dir, 'rbm.safetensors');
  const trained = await heatbath('train', 'rbm', '--hidden', '32', '--epochs', '2', '--out', model, '--threads', '2');
  expect(trained.history).toHaveLength(2);
  expect(trained.trainRows + trained.testRows).toBe(10000);
  expect(trained.history[1].reconstructionError).toBeLessThan(trained.history[0].reconstructionError);
  expect(Number.isFinite(trained.testPseudoLogLikelihood)).toBe(true);
  expect(fs.existsSync(model)).toBe(true);

  // Training continues from a saved model: its size comes from the file.
  const resumed = await heatbath(
    'train',
    'rbm',
    '--init',
    model,
    '--epochs',
    '1',
    '--out',
    path.join(dir, 'more.safetensors'),
  );
  expect(resumed.history[0].reconstructionError).toBeLessThan(trained.history[1].reconstructionError * 1.05);

  const npy = path.join(dir, 'samples.npy');
  const sampled = await heatbath('sample', model, '--n', '30', '--sweeps', '20', '--out', npy);
  expect(sampled.count).toBe(30);
  expect(sampled.flipsPerNs).toBeGreaterThan(0);
  const header = fs.readFileSync(npy).subarray(0, 128).toString('latin1');
  expect(header).toContain("'shape': (30, 784)");

  const png = path.join(dir, 'samples.png');
  await heatbath('sample', model, '--n', '4', '--sweeps', '5', '--out', png);
  const image = PNG.sync.read(fs.readFileSync(png));
  expect(image.width).toBe(2 * 28 * 2 + 3 * 2); // 2 columns of 28 px at scale 2, 2 px gaps

  const scored = await heatbath('eval', npy);
  expect(scored.count).toBe(30);
  expect(scored.classCounts).toHaveLength(10);
}, 120000);

test('eval --labels scores class-conditional samples against the classes they were drawn for', async () => {
  // Two held-out real digits of each class, in class order (the order `sample --labels all` uses).
  const { test: heldOut } = digitSplit();
  const picked: number[] = [];
  for (let label = 0; label < 10; label++) {
    for (let k = 0, found = 0; found < 2; k++) {
      if (heldOut.labels[k] === label) {
        picked.push(k);
        found++;
      }
    }
  }
  const images = new Float32Array(20 * 784);
  picked.forEach((k, j) => images.set(heldOut.images.subarray(k * 784, (k + 1) * 784), j * 784));
  const npy = path.join(dir, 'by-class.npy');
  await writeNpy(npy, { dtype: 'f4', shape: [20, 784], data: images });
  const right = await heatbath('eval', npy, '--labels', 'all', '--cache-dir', dir);
  expect(right.intended.accuracy).toBeGreaterThanOrEqual(0.85); // the classifier's held-out accuracy is ~0.96
  expect(right.intended.perClass).toHaveLength(10);
  const wrong = await heatbath('eval', npy, '--labels', '3', '--cache-dir', dir);
  expect(wrong.intended.accuracy).toBeLessThanOrEqual(0.2);
  expect(wrong.intended.perClass.filter((p: number | null) => p !== null)).toHaveLength(1);
}, 60000);

test('train on IDX files (gzipped images, plain labels)', async () => {
  const { images, labels } = idxDigits(200, 4, 5, 2);
  const imagesFile = path.join(dir, 'images.idx.gz');
  const labelsFile = path.join(dir, 'labels.idx');
  fs.writeFileSync(imagesFile, zlib.gzipSync(images));
  fs.writeFileSync(labelsFile, labels);
  const model = path.join(dir, 'idx.safetensors');
  const trained = await heatbath(
    'train',
    'rbm',
    '--data',
    imagesFile,
    '--labels',
    labelsFile,
    '--hidden',
    '4',
    '--epochs',
    '3',
    '--batch',
    '10',
    '--out',
    model,
  );
  expect(trained.trainRows).toBe(180);
  expect(trained.history).toHaveLength(3);
}, 60000);

test('bad input exits non-zero with a coded message and writes nothing', async () => {
  const missing = run(process.execPath, [
    cli,
    'sample',
    path.join(dir, 'none.safetensors'),
    '--out',
    path.join(dir, 'x.png'),
  ]);
  await expect(missing).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('ERR_IO') });
  const notAModel = path.join(dir, 'junk.safetensors');
  fs.writeFileSync(notAModel, 'this is not a model');
  await expect(run(process.execPath, [cli, 'sample', notAModel])).rejects.toMatchObject({
    stderr: expect.stringContaining('ERR_BAD_FILE'),
  });
  await expect(run(process.execPath, [cli, 'sample', notAModel, '--out', 'x.bmp'])).rejects.toMatchObject({ code: 2 });
  await expect(
    run(process.execPath, [
      cli,
      'train',
      'rbm',
      '--method',
      'xyz',
      '--epochs',
      '1',
      '--out',
      path.join(dir, 'y.safetensors'),
    ]),
  ).rejects.toMatchObject({
    stderr: expect.stringContaining('ERR_INVALID_ARGUMENT'),
  });
  expect(fs.existsSync(path.join(dir, 'x.png'))).toBe(false);
  expect(fs.existsSync(path.join(dir, 'y.safetensors'))).toBe(false);
}, 60000);
