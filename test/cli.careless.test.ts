/**
 * Careless command lines: every bad number gets one coded line and exit code 2, every output path is checked
 * before any work, --init refuses flags that contradict the file, and finished work survives a failed write.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DenoisingModel, GenerativeComputer, loadModel, RBM, saveModel } from '../lib';
import { rescuePaths, writeOrRescue } from '../lib/cli/outputs';
import { writeFileAtomic } from '../lib/io/atomic';
import { startCli, tempFiles, whenWritten, killStarted } from './helpers/cli-process';
import { idxDigits } from './helpers/idx';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-careless-'));
afterEach(killStarted);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const inDir = (name: string) => path.join(dir, name);
const rbmFile = inDir('rbm.safetensors');
beforeAll(() => saveModel(rbmFile, RBM.create({ visible: 784, hidden: 8, seed: 1 })));

async function heatbath(args: string[], options: { cwd?: string } = {}) {
  const started = Date.now();
  const ended = await startCli(args, options).ended;
  return { ...ended, seconds: (Date.now() - started) / 1000 };
}

/** The error output is exactly one line, `heatbath: … (CODE)`, with no stack. */
function oneCodedLine(stderr: string, code: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^heatbath: .* \\(${code}\\)$`));
  return lines[0];
}

describe('bad numbers: one coded line naming the flag, exit code 2', () => {
  const out = inDir('never.safetensors');
  // [command words, flag, bad value]: each kind of bad value, and every command with numbers.
  const cases: Array<[string[], string, string]> = [
    [['train', 'rbm'], '--hidden', '-1'],
    [['train', 'rbm'], '--epochs', '0'],
    [['train', 'rbm'], '--batch', 'NaN'],
    [['train', 'rbm'], '--chains', '1e12'],
    [['train', 'rbm'], '--k', '0x10'],
    [['train', 'rbm'], '--ais-runs', ''],
    [['train', 'rbm'], '--momentum', '1'],
    [['train', 'rbm'], '--seed', '2.5'],
    [['train', 'rbm'], '--threads', '0'],
    [['train', 'rbm'], '--test-fraction', '1'],
    [['train', 'gtc'], '--hidden', '0b101'],
    [['train', 'gtc'], '--kt', '0'],
    [['train', 'gtc'], '--dt', '-1e-3'],
    [['train', 'gtc'], '--label-dropout', '1.5'],
    [['train', 'gtc'], '--stride', 'Infinity'],
    [['train', 'dtm'], '--size', '1e10'],
    [['train', 'dtm'], '--steps', '0o7'],
    [['train', 'dtm'], '--samples', '0'],
    [['train', 'dtm'], '--acp-threshold', '1'],
    [['train', 'dtm'], '--image-rate', '-0.5'],
    [['sample', rbmFile], '--n', '0x10'],
    [['sample', rbmFile], '--sweeps', '-5'],
    [['sample', rbmFile], '--beta', 'NaN'],
    [['sample', rbmFile], '--cell-energy', '0'],
    [['eval', inDir('x.npy')], '--seed', '-1'],
    [['demo'], '--images', '0'],
    [['demo'], '--duration', '0'],
    [['demo', 'ising'], '--size', '1'],
    [['demo', 'ising'], '--chains', ' '],
    [['tngd'], '--batch', '1e9999'],
    [['tngd'], '--test-fraction', '0'],
    [['bench'], '--threads', '0x10'],
  ];

  test.each(cases)(
    '%j %s "%s"',
    async (words, flag, value) => {
      const wantsOut = words[0] === 'train' || words[0] === 'sample';
      const ended = await heatbath([
        ...words,
        flag,
        value,
        ...(wantsOut ? ['--out', words[0] === 'sample' ? inDir('never.png') : out] : []),
      ]);
      expect(ended.code).toBe(2);
      const line = oneCodedLine(ended.stderr, 'ERR_INVALID_ARGUMENT');
      expect(line).toContain(`'${flag} `);
      expect(line).toContain(`'${value}'`);
      expect(fs.existsSync(out)).toBe(false);
    },
    30000,
  );
});

test('demo with nothing to draw is refused before it trains', async () => {
  const ended = await heatbath([
    'demo',
    '--per-class',
    '0',
    '--unconditional',
    '0',
    '--cache-dir',
    inDir('cache'),
    '--out',
    inDir('demo.png'),
  ]);
  expect(ended.code).toBe(2);
  expect(oneCodedLine(ended.stderr, 'ERR_INVALID_ARGUMENT')).toMatch(/nothing to draw/);
  expect(fs.existsSync(inDir('cache'))).toBe(false);
}, 60000);

test('train rbm --chains 1e9: a coded line (too large), not a RangeError stack', async () => {
  const ended = await heatbath([
    'train',
    'rbm',
    '--hidden',
    '8',
    '--epochs',
    '1',
    '--chains',
    '1e9',
    '--out',
    inDir('huge.safetensors'),
  ]);
  expect(ended.code).toBe(1);
  oneCodedLine(ended.stderr, 'ERR_TOO_LARGE');
}, 60000);

describe('output paths are checked before any work', () => {
  test('a missing folder, a folder, a device: refused at once (no training first)', async () => {
    for (const [out, problem] of [
      ['/nonexistent/dir/x.safetensors', /the folder \/nonexistent\/dir does not exist/],
      [dir, /is a folder/],
      ['/dev/null', /not a regular file/],
    ] as const) {
      // 100 epochs would take minutes: the refusal comes before the data is even read.
      const ended = await heatbath(['train', 'rbm', '--hidden', '8', '--epochs', '100', '--out', out]);
      expect(ended.code).toBe(1);
      expect(oneCodedLine(ended.stderr, 'ERR_IO')).toMatch(problem);
      expect(ended.seconds).toBeLessThan(20);
    }
  }, 120000);

  test('bench: a results folder that is a file is refused before the benchmarks run', async () => {
    const ended = await heatbath(['bench', '--filter', 'small', '--out', rbmFile]);
    expect(ended.code).toBe(1);
    expect(oneCodedLine(ended.stderr, 'ERR_IO')).toMatch(/--out .*rbm.safetensors: .* is not a folder/);
  }, 60000);

  test('train dtm: a bad --curves path is refused before training, not after the first epoch', async () => {
    const out = inDir('dtm.safetensors');
    const ended = await heatbath([
      'train',
      'dtm',
      '--images',
      '20',
      '--epochs',
      '100',
      '--curves',
      '/nonexistent/curves.json',
      '--out',
      out,
    ]);
    expect(ended.code).toBe(1);
    expect(oneCodedLine(ended.stderr, 'ERR_IO')).toMatch(
      /--curves \/nonexistent\/curves.json: the folder \/nonexistent does not exist/,
    );
    expect(fs.existsSync(out)).toBe(false);
  }, 60000);

  test('--out may not replace the training data, the sampled model, or another output', async () => {
    const { images, labels } = idxDigits(40, 28, 28, 10);
    const data = inDir('images.idx');
    const labelFile = inDir('labels.idx');
    fs.writeFileSync(data, images);
    fs.writeFileSync(labelFile, labels);
    const viaOtherName = path.join(dir, '.', 'sub', '..', 'images.idx');
    fs.mkdirSync(inDir('sub'), { recursive: true });
    const refused = [
      [['train', 'rbm', '--data', data, '--labels', labelFile, '--out', data], /--out .*images.idx is the --data file/],
      [['train', 'gtc', '--data', data, '--labels', labelFile, '--out', labelFile], /is the --labels file/],
      [['train', 'rbm', '--data', data, '--out', viaOtherName], /is the --data file/],
      [['sample', rbmFile, '--out', inDir('a.png'), '--path', inDir('a.png')], /--out and --path name the same file/],
      [['tngd', '--out', inDir('c.json'), '--plot', inDir('c.json')], /--out and --plot name the same file/],
    ] as const;
    for (const [args, message] of refused) {
      const ended = await heatbath([...args]);
      expect(ended.code).toBe(2);
      expect(oneCodedLine(ended.stderr, 'ERR_INVALID_ARGUMENT')).toMatch(message);
    }
    expect(fs.readFileSync(data)).toEqual(images);
    expect(fs.readFileSync(labelFile)).toEqual(labels);
    // A hard link is the same file under another name.
    const link = inDir('model-link.png');
    fs.linkSync(rbmFile, link);
    const ended = await heatbath(['sample', rbmFile, '--out', link]);
    expect(ended.code).toBe(2);
    expect(oneCodedLine(ended.stderr, 'ERR_INVALID_ARGUMENT')).toMatch(/is the <model> file/);
  }, 120000);
});

describe('--init takes the size from the file: contradicting flags are refused', () => {
  test('rbm --hidden', async () => {
    const ended = await heatbath([
      'train',
      'rbm',
      '--init',
      rbmFile,
      '--hidden',
      '16',
      '--epochs',
      '1',
      '--out',
      inDir('r2.safetensors'),
    ]);
    expect(ended.code).toBe(2);
    expect(oneCodedLine(ended.stderr, 'ERR_INVALID_ARGUMENT')).toMatch(
      /--hidden 16 conflicts with --init .*rbm.safetensors, whose model has 8/,
    );
    // Repeating the file's own value is fine.
    const same = await heatbath([
      'train',
      'rbm',
      '--init',
      rbmFile,
      '--hidden',
      '8',
      '--epochs',
      '1',
      '--out',
      inDir('r3.safetensors'),
      '--json',
    ]);
    expect(same.code).toBe(0);
    expect(((await loadModel(inDir('r3.safetensors'))) as RBM).numHidden).toBe(8);
  }, 60000);

  test('gtc --hidden and physics, --label-init; dtm layout', async () => {
    const gtc = inDir('gtc.safetensors');
    await saveModel(gtc, new GenerativeComputer({ hidden: 4 }));
    for (const [flag, value] of [
      ['--hidden', '5'],
      ['--kt', '0.2'],
      ['--duration', '1'],
      ['--j4', '0'],
    ]) {
      const ended = await heatbath(['train', 'gtc', '--init', gtc, flag, value, '--out', inDir('g2.safetensors')]);
      expect(ended.code).toBe(2);
      expect(oneCodedLine(ended.stderr, 'ERR_INVALID_ARGUMENT')).toContain(`${flag} ${value} conflicts with --init`);
    }
    const labelInit = await heatbath([
      'train',
      'gtc',
      '--init',
      gtc,
      '--label-init',
      'zero',
      '--out',
      inDir('g2.safetensors'),
    ]);
    expect(oneCodedLine(labelInit.stderr, 'ERR_INVALID_ARGUMENT')).toMatch(
      /--label-init sets the label couplings of a new model/,
    );
    const dtm = inDir('dtm-init.safetensors');
    await saveModel(dtm, new DenoisingModel({ size: 56, pixels: 784, steps: 2 }));
    for (const [flag, value] of [
      ['--size', '70'],
      ['--steps', '4'],
      ['--jumps', 'G8'],
      ['--image-rate', '0.5'],
    ]) {
      const ended = await heatbath(['train', 'dtm', '--init', dtm, flag, value, '--out', inDir('d2.safetensors')]);
      expect(ended.code).toBe(2);
      expect(oneCodedLine(ended.stderr, 'ERR_INVALID_ARGUMENT')).toContain(`${flag} ${value} conflicts with --init`);
    }
    const conditional = await heatbath([
      'train',
      'dtm',
      '--init',
      dtm,
      '--conditional',
      '--out',
      inDir('d2.safetensors'),
    ]);
    expect(oneCodedLine(conditional.stderr, 'ERR_INVALID_ARGUMENT')).toMatch(/no label nodes/);
  }, 120000);
});

describe('finished work is never lost', () => {
  test('writeOrRescue: a failed write goes to the first rescue folder that works, and says where', async () => {
    const unwritable = path.join(dir, 'gone', 'model.json');
    const rescue = fs.mkdtempSync(path.join(dir, 'rescue-'));
    const failing = path.join(dir, 'also-gone');
    const error = await writeOrRescue(
      { flag: '--out', file: unwritable },
      (file) => writeFileAtomic(file, '{"done":true}'),
      [failing, rescue],
    ).catch((e) => e);
    expect(error).toMatchObject({
      code: 'ERR_IO',
      message: expect.stringMatching(
        /could not write .*gone\/model.json: .*; the --out output was saved to .*rescue-.*instead/,
      ),
    });
    const [saved] = fs.readdirSync(rescue);
    expect(saved).toMatch(/^model\.rescued-\d{8}T\d{6}-\d+\.json$/);
    expect(fs.readFileSync(path.join(rescue, saved), 'utf8')).toBe('{"done":true}');
    // The folder that failed is never a rescue folder.
    const others = rescuePaths(path.join(rescue, 'x.json'), [rescue, failing]);
    expect(others).toHaveLength(1);
    expect(path.dirname(others[0])).toBe(failing);
  });

  test('train rbm whose output folder disappears mid-run: checkpoints warn, the model is rescued into the current folder', async () => {
    const outDir = fs.mkdtempSync(path.join(dir, 'out-'));
    const cwd = fs.mkdtempSync(path.join(dir, 'cwd-'));
    const out = path.join(outDir, 'model.safetensors');
    const run = startCli(['train', 'rbm', '--hidden', '8', '--epochs', '6', '--checkpoint-every', '1', '--out', out], {
      cwd,
    });
    await whenWritten(out); // the first checkpoint
    fs.rmSync(outDir, { recursive: true, force: true });
    const ended = await run.ended;
    expect(ended.code).toBe(1);
    expect(ended.stderr).toMatch(/continuing, the final write will try again/);
    const last = ended.stderr.trimEnd().split('\n').pop() as string;
    expect(last).toMatch(
      /^heatbath: could not write .*model.safetensors: .*; the --out output was saved to .*cwd-.*model\.rescued-.*\.safetensors instead \(ERR_IO\)$/,
    );
    const [rescued] = fs.readdirSync(cwd);
    const model = (await loadModel(path.join(cwd, rescued))) as RBM;
    expect(model.info.epochs_done).toBe(6);
    expect(tempFiles(cwd)).toEqual([]);
  }, 120000);
});
