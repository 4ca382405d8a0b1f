/**
 * What a case does with its input file, per kind: the calls a user's program or the CLI makes on such a
 * file. Model files are also sampled from, so a file that loads but lies reaches the native engines.
 * Modules are loaded per kind, to keep a case's start-up short.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

type Target = (file: string) => Promise<void>;

async function sampleModel(file: string): Promise<void> {
  await import('../../lib/models/model-kinds');
  const { sampleCommand } = await import('../../lib/cli/sample');
  const out = path.join(os.tmpdir(), `heatbath-fuzz-${process.pid}.npy`);
  try {
    await sampleCommand(file, { n: 2, sweeps: 2, beta: 1, out, states: false, seed: 1, threads: 1, json: false });
  } finally {
    fs.rmSync(out, { force: true });
  }
}

async function idx(file: string): Promise<void> {
  const { readIdx, readIdxDataset } = await import('../../lib/io/idx');
  const array = await readIdx(file);
  if (array.dtype === 'u8' && array.shape.length === 3) await readIdxDataset(file);
}

export const TARGETS: Record<string, Target> = {
  rbm: sampleModel,
  gtc: sampleModel,
  dtm: sampleModel,
  async safetensors(file) {
    const { readSafetensors } = await import('../../lib/io/safetensors');
    await readSafetensors(file);
  },
  async npy(file) {
    const { readNpy } = await import('../../lib/io/npy');
    await readNpy(file);
  },
  idx,
  'idx-gz': idx,
  async classifier(file) {
    const { DigitClassifier } = await import('../../lib/eval/digit-classifier'); // registers the kind
    const { loadModel } = await import('../../lib/io/model-file');
    const model = await loadModel(file);
    // One image scored, as evaluating a sample does.
    if (model instanceof DigitClassifier) model.classify(new Float32Array(784).fill(0.5));
  },
  async schedule(file) {
    const { parseSchedule } = await import('../../lib/engines/schedules');
    const schedule = parseSchedule(fs.readFileSync(file, 'utf8'));
    for (let step = 0; step < 100; step++) schedule(step, 100);
  },
};
