/**
 * `heatbath sample <model>`: loads a model file and draws samples from it, written as a PNG grid or a
 * .npy array (n × pixels, float32 in [0, 1]: the units' probabilities given the last sweep).
 */
import * as path from 'path';
import { loadModel } from '../io/model-file';
import { writeNpy } from '../io/npy';
import { writePngGrid } from '../io/png';
import { RBM } from '../models/rbm';
import { invalid } from '../util/validate';

export interface SampleCommandOptions {
  n: number;
  sweeps: number;
  beta: number;
  out: string;
  states: boolean;
  seed: number;
  threads?: number;
  json: boolean;
}

export interface SampleReport {
  model: string;
  kind: string;
  count: number;
  sweeps: number;
  seconds: number;
  flipsPerNs: number;
  out: string;
}

export async function sampleCommand(file: string, opts: SampleCommandOptions): Promise<SampleReport> {
  const format = path.extname(opts.out).toLowerCase();
  if (format !== '.png' && format !== '.npy') throw invalid(`--out must end in .png or .npy, not "${opts.out}"`);
  const model = await loadModel(file);
  if (!(model instanceof RBM)) throw invalid(`${file} holds a model this command cannot sample yet`);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const run = await model.sample({ chains: opts.n, sweeps: opts.sweeps, beta: opts.beta, seed: opts.seed, threads: opts.threads, signal: controller.signal });
    const images = opts.states ? run.visible : run.probabilities;
    const pixels = model.numVisible;
    const { rows, cols } = imageShape(model);
    if (format === '.npy') {
      await writeNpy(opts.out, { dtype: 'f4', shape: [opts.n, pixels], data: images });
    } else {
      const tiles = Array.from({ length: opts.n }, (_, k) => images.subarray(k * pixels, (k + 1) * pixels));
      await writePngGrid(opts.out, tiles, { width: cols, height: rows, scale: 2 });
    }
    const flips = run.sweeps * opts.n * (model.numVisible + model.numHidden);
    return { model: file, kind: 'rbm', count: opts.n, sweeps: run.sweeps, seconds: run.seconds, flipsPerNs: flips / (run.seconds * 1e9), out: opts.out };
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

/** The image shape recorded at training time, else the largest square that fits. */
function imageShape(model: RBM): { rows: number; cols: number } {
  const rows = Number(model.info.image_rows);
  const cols = Number(model.info.image_cols);
  if (Number.isInteger(rows) && Number.isInteger(cols) && rows * cols === model.numVisible) return { rows, cols };
  const side = Math.round(Math.sqrt(model.numVisible));
  if (side * side !== model.numVisible) return { rows: 1, cols: model.numVisible };
  return { rows: side, cols: side };
}

export function formatSample(r: SampleReport): string {
  return `${r.count} samples × ${r.sweeps} sweeps from ${r.model} (${r.kind}) in ${r.seconds.toFixed(2)} s, ${r.flipsPerNs.toFixed(2)} flips/ns → ${r.out}`;
}
