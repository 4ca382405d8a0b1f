/**
 * `heatbath sample <model>`: loads a model file and draws samples from it, written as a PNG grid or a
 * .npy array (n × pixels, float32 in [0, 1]). RBM: the units' probabilities given the last sweep (or
 * with --states the binary states). Generative computer (gtc): decoded images (or with --states the
 * raw visible states, .npy only), with the heat the device released.
 */
import * as path from 'path';
import { loadModel } from '../io/model-file';
import { writeNpy } from '../io/npy';
import { splitImages, writePngGrid } from '../io/png';
import { HeatLedger, ROOM_TEMPERATURE } from '../models/energy';
import { GenerativeComputer } from '../models/gtc';
import { RBM } from '../models/rbm';
import { invalid } from '../util/validate';
import { withSigint } from './interruptible';
import { formatHeat, parseLabels, sampleGtc } from './sample-gtc';

export interface SampleCommandOptions {
  n: number;
  sweeps: number;
  beta: number;
  out: string;
  states: boolean;
  /** gtc: a class or "all" for class-conditional generation. */
  labels?: string;
  /** gtc: physical temperature of the heat in joules (default 300 K). */
  temperature?: number;
  seed: number;
  threads?: number;
  json: boolean;
}

export interface RbmSampleReport {
  model: string;
  kind: 'rbm';
  count: number;
  sweeps: number;
  seconds: number;
  flipsPerNs: number;
  out: string;
}

export interface GtcSampleReport {
  model: string;
  kind: 'gtc';
  count: number;
  /** Class of each sample, or absent for unconditional generation. */
  labels?: number[];
  /** Langevin steps per sample (uncoupled then coupled phase). */
  steps: number;
  seconds: number;
  samplesPerSecond: number;
  heat: HeatLedger;
  cpuSecondsPerSample: number;
  out: string;
}

export type SampleReport = RbmSampleReport | GtcSampleReport;

type Writer = (images: Float32Array, pixels: number, rows: number, cols: number, columns?: number) => Promise<void>;

export async function sampleCommand(file: string, opts: SampleCommandOptions): Promise<SampleReport> {
  const format = path.extname(opts.out).toLowerCase();
  if (format !== '.png' && format !== '.npy') throw invalid(`--out must end in .png or .npy, not "${opts.out}"`);
  const write: Writer = async (images, pixels, rows, cols, columns) => {
    if (format === '.npy') {
      await writeNpy(opts.out, { dtype: 'f4', shape: [images.length / pixels, pixels], data: images });
    } else {
      await writePngGrid(opts.out, splitImages(images, pixels), { width: cols, height: rows, scale: 2, columns });
    }
  };
  const model = await loadModel(file);
  if (!(model instanceof RBM) && !(model instanceof GenerativeComputer)) throw invalid(`${file} holds a model this command cannot sample yet`);
  if (model instanceof RBM && opts.labels !== undefined) throw invalid('--labels is for generative computers (gtc); this model is an RBM');
  return withSigint<SampleReport>((signal) =>
    model instanceof RBM ? sampleRbm(model, file, opts, write, signal) : sampleGenerative(model, file, opts, write, signal),
  );
}

async function sampleRbm(model: RBM, file: string, opts: SampleCommandOptions, write: Writer, signal: AbortSignal): Promise<RbmSampleReport> {
  const run = await model.sample({ chains: opts.n, sweeps: opts.sweeps, beta: opts.beta, seed: opts.seed, threads: opts.threads, signal });
  const { rows, cols } = imageShape(model);
  await write(opts.states ? run.visible : run.probabilities, model.numVisible, rows, cols);
  const flips = run.sweeps * opts.n * (model.numVisible + model.numHidden);
  return { model: file, kind: 'rbm', count: opts.n, sweeps: run.sweeps, seconds: run.seconds, flipsPerNs: flips / (run.seconds * 1e9), out: opts.out };
}

async function sampleGenerative(
  model: GenerativeComputer,
  file: string,
  opts: SampleCommandOptions,
  write: Writer,
  signal: AbortSignal,
): Promise<GtcSampleReport> {
  const labels = parseLabels(opts.labels, opts.n, model.labels);
  if (opts.states && path.extname(opts.out).toLowerCase() === '.png') throw invalid('--states writes raw visible states: use --out <file>.npy');
  const run = await sampleGtc(model, { count: opts.n, labels, kelvin: opts.temperature ?? ROOM_TEMPERATURE, seed: opts.seed, threads: opts.threads, signal });
  const { samples } = run;
  // With every class drawn, one row of the grid per class.
  const columns = opts.labels === 'all' ? Math.ceil(opts.n / model.labels) : undefined;
  await write(opts.states ? samples.states : samples.images, model.visible, model.imageRows, model.imageCols, columns);
  return {
    model: file,
    kind: 'gtc',
    count: samples.count,
    ...(labels === undefined ? {} : { labels }),
    steps: samples.steps,
    seconds: samples.seconds,
    samplesPerSecond: samples.count / samples.seconds,
    heat: run.heat,
    cpuSecondsPerSample: run.cpuSecondsPerSample,
    out: opts.out,
  };
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
  if (r.kind === 'rbm') {
    return `${r.count} samples × ${r.sweeps} sweeps from ${r.model} (${r.kind}) in ${r.seconds.toFixed(2)} s, ${r.flipsPerNs.toFixed(2)} flips/ns → ${r.out}`;
  }
  const what = r.labels === undefined ? 'unconditional' : 'class-conditional';
  return [
    `${r.count} ${what} samples × ${r.steps} Langevin steps from ${r.model} (gtc) in ${r.seconds.toFixed(2)} s, ${r.samplesPerSecond.toFixed(1)} samples/s → ${r.out}`,
    formatHeat({ heat: r.heat, cpuSecondsPerSample: r.cpuSecondsPerSample, secondsPerSample: r.seconds / r.count }),
  ].join('\n');
}
