/**
 * `heatbath sample <model>`: loads a model file and draws samples from it, written as a PNG grid or a
 * .npy array (n × pixels, float32 in [0, 1]). RBM: the units' probabilities given the last sweep (or
 * with --states the binary states). Generative computer (gtc): decoded images (or with --states the
 * raw visible states, .npy only), with the heat the device released. Denoising model (dtm): digits
 * through the reverse steps, class-conditional or inpainting, with the hardware's energy ledger.
 */
import * as path from 'path';
import { loadModel } from '../io/model-file';
import { writeNpy } from '../io/npy';
import { splitImages, writePngGrid } from '../io/png';
import { HeatLedger, ROOM_TEMPERATURE } from '../models/energy';
import { DenoisingModel } from '../models/dtm';
import { GenerativeComputer } from '../models/gtc';
import { RBM } from '../models/rbm';
import { parseDecimal } from '../util/decimal';
import { invalid } from '../util/validate';
import { checkOutputs, NamedFile, writeOrRescue } from './outputs';
import { formatPrecision, parsePrecision, PrecisionReport, precisionReport } from './precision';
import { QuantizedRBM } from '../models/quantized-rbm';
import { QuantizedDtm } from '../models/quantized-dtm';
import type { QuantizeOptions } from '../models/quantized-ising';
import { stoppable } from './signals';
import { DtmEnergyLedger, dtmEnergyLedger } from '../models/dtm-energy';
import { formatDtmLedger, inpaintingTask, pathGrid } from './sample-dtm';
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
  /** dtm: β annealed within each step, "from:to" (default 0.8:1.2). */
  anneal?: string;
  /** dtm: hold this half of bundled digits fixed and sample the rest. */
  inpaint?: string;
  /** dtm: write the denoising path (a row per step) to this PNG. */
  path?: string;
  /** dtm: energy per node update of the hardware, in joules. */
  cellEnergy?: number;
  /** rbm, dtm: sample on the chip's arithmetic, "couplingBits:randomBits[:biasBits]". */
  precision?: string;
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
  precision?: PrecisionReport;
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

export interface DtmSampleReport {
  model: string;
  kind: 'dtm';
  count: number;
  labels?: number[];
  inpaint?: string;
  steps: number;
  sweepsPerStep: number;
  seconds: number;
  /** Spin updates per ns of wall time over the whole generation. */
  flipsPerNs: number;
  energy: DtmEnergyLedger;
  precision?: PrecisionReport;
  out: string;
  path?: string;
}

export type SampleReport = RbmSampleReport | GtcSampleReport | DtmSampleReport;

type Writer = (images: Float32Array, pixels: number, rows: number, cols: number, columns?: number) => Promise<void>;

export async function sampleCommand(file: string, opts: SampleCommandOptions): Promise<SampleReport> {
  const format = path.extname(opts.out).toLowerCase();
  if (format !== '.png' && format !== '.npy') throw invalid(`--out must end in .png or .npy, not "${opts.out}"`);
  const outputs: NamedFile[] = [{ flag: '--out', file: opts.out }];
  if (opts.path !== undefined) outputs.push({ flag: '--path', file: opts.path });
  checkOutputs(outputs, [{ flag: '<model>', file }]);
  const write: Writer = (images, pixels, rows, cols, columns) =>
    writeOrRescue(outputs[0], (out) =>
      format === '.npy'
        ? writeNpy(out, { dtype: 'f4', shape: [images.length / pixels, pixels], data: images })
        : writePngGrid(out, splitImages(images, pixels), { width: cols, height: rows, scale: 2, columns }),
    );
  const precision = opts.precision === undefined ? undefined : parsePrecision(opts.precision); // a typo fails before the model loads
  const model = await loadModel(file);
  if (precision !== undefined && model instanceof GenerativeComputer) {
    throw invalid(
      '--precision is for p-bit samplers (rbm, dtm); a gtc model is sampled by Langevin dynamics of continuous units, not by p-bits',
    );
  }
  if (model instanceof RBM && opts.labels !== undefined)
    throw invalid('--labels is for gtc and dtm models; this model is an RBM');
  if (!(model instanceof DenoisingModel) && (opts.inpaint ?? opts.path) !== undefined)
    throw invalid('--inpaint and --path are for denoising models (dtm)');
  return stoppable<SampleReport>((signal) => {
    if (model instanceof RBM) return sampleRbm(model, file, opts, write, signal, precision);
    if (model instanceof GenerativeComputer) return sampleGenerative(model, file, opts, write, signal);
    if (model instanceof DenoisingModel) return sampleDenoising(model, file, opts, write, signal, precision);
    throw invalid(`${file} holds a model this command cannot sample yet`);
  });
}

async function sampleDenoising(
  model: DenoisingModel,
  file: string,
  opts: SampleCommandOptions,
  write: Writer,
  signal: AbortSignal,
  precision: QuantizeOptions | undefined,
): Promise<DtmSampleReport> {
  const labels = parseLabels(opts.labels, opts.n, model.classes);
  const anneal = parseAnneal(opts.anneal ?? '0.8:1.2');
  if (opts.path !== undefined && path.extname(opts.path).toLowerCase() !== '.png')
    throw invalid(`--path must end in .png, not "${opts.path}"`);
  const task = opts.inpaint === undefined ? undefined : inpaintingTask(model, opts.inpaint, opts.n);
  const cpu = process.cpuUsage();
  const chip = precision === undefined ? undefined : QuantizedDtm.quantize(model, precision);
  const samples = await (chip ?? model).generate({
    count: opts.n,
    labels,
    clamp: task && { pixels: task.pixels, values: task.values },
    sweeps: opts.sweeps,
    betaStart: anneal[0],
    betaEnd: anneal[1],
    keepSteps: opts.path !== undefined,
    seed: opts.seed,
    threads: opts.threads,
    signal,
  });
  const used = process.cpuUsage(cpu);
  const columns = opts.labels === 'all' && model.classes > 0 ? Math.ceil(opts.n / model.classes) : undefined;
  await write(samples.images, model.pixels, model.imageRows, model.imageCols, columns);
  if (opts.path !== undefined && samples.path) {
    const width = Math.min(opts.n, 10);
    const grid = pathGrid(samples.path, model.pixels, width);
    await writeOrRescue({ flag: '--path', file: opts.path }, (file) =>
      writePngGrid(file, grid, { width: model.imageCols, height: model.imageRows, scale: 2, columns: width }),
    );
  }
  return {
    model: file,
    kind: 'dtm',
    count: samples.count,
    ...(labels === undefined ? {} : { labels }),
    ...(opts.inpaint === undefined ? {} : { inpaint: opts.inpaint }),
    steps: model.steps,
    sweepsPerStep: samples.sweepsPerStep,
    seconds: samples.seconds,
    flipsPerNs: samples.flips / (samples.seconds * 1e9),
    energy: dtmEnergyLedger(model, samples, (used.user + used.system) / 1e6, opts.cellEnergy),
    ...(chip === undefined ? {} : { precision: precisionReport(chip.precision, chip.report) }),
    out: opts.out,
    ...(opts.path === undefined ? {} : { path: opts.path }),
  };
}

/** --anneal from:to, two inverse temperatures >= 0. */
function parseAnneal(text: string): [number, number] {
  const parts = text.split(':');
  const betas = parts.map((part) => parseDecimal(part, '--anneal'));
  if (betas.length !== 2 || betas.some((b) => b < 0))
    throw invalid(`--anneal must be from:to, two numbers >= 0 such as 0.8:1.2, not "${text}"`);
  return [betas[0], betas[1]];
}

async function sampleRbm(
  model: RBM,
  file: string,
  opts: SampleCommandOptions,
  write: Writer,
  signal: AbortSignal,
  precision: QuantizeOptions | undefined,
): Promise<RbmSampleReport> {
  const chip = precision === undefined ? undefined : QuantizedRBM.quantize(model, precision);
  const run = await (chip ?? model).sample({
    chains: opts.n,
    sweeps: opts.sweeps,
    beta: opts.beta,
    seed: opts.seed,
    threads: opts.threads,
    signal,
  });
  const { rows, cols } = imageShape(model);
  await write(opts.states ? run.visible : run.probabilities, model.numVisible, rows, cols);
  const flips = run.sweeps * opts.n * (model.numVisible + model.numHidden);
  return {
    model: file,
    kind: 'rbm',
    count: opts.n,
    sweeps: run.sweeps,
    seconds: run.seconds,
    flipsPerNs: flips / (run.seconds * 1e9),
    ...(precision === undefined || chip === undefined ? {} : { precision: precisionReport(precision, chip.report) }),
    out: opts.out,
  };
}

async function sampleGenerative(
  model: GenerativeComputer,
  file: string,
  opts: SampleCommandOptions,
  write: Writer,
  signal: AbortSignal,
): Promise<GtcSampleReport> {
  const labels = parseLabels(opts.labels, opts.n, model.labels);
  if (opts.states && path.extname(opts.out).toLowerCase() === '.png')
    throw invalid('--states writes raw visible states: use --out <file>.npy');
  const run = await sampleGtc(model, {
    count: opts.n,
    labels,
    kelvin: opts.temperature ?? ROOM_TEMPERATURE,
    seed: opts.seed,
    threads: opts.threads,
    signal,
  });
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
    const line = `${r.count} samples × ${r.sweeps} sweeps from ${r.model} (${r.kind}) in ${r.seconds.toFixed(2)} s, ${r.flipsPerNs.toFixed(2)} flips/ns → ${r.out}`;
    return r.precision ? `${line}\n${formatPrecision(r.precision)}` : line;
  }
  if (r.kind === 'dtm') {
    const what =
      r.inpaint !== undefined
        ? `inpainted (${r.inpaint} half held)`
        : r.labels === undefined
          ? 'unconditional'
          : 'class-conditional';
    return [
      `${r.count} ${what} samples, ${r.steps} steps × ${r.sweepsPerStep} sweeps, from ${r.model} (dtm) in ${r.seconds.toFixed(2)} s, ${r.flipsPerNs.toFixed(2)} flips/ns → ${r.out}${r.path ? ` (path → ${r.path})` : ''}`,
      formatDtmLedger(r.energy),
      ...(r.precision ? [formatPrecision(r.precision)] : []),
    ].join('\n');
  }
  const what = r.labels === undefined ? 'unconditional' : 'class-conditional';
  return [
    `${r.count} ${what} samples × ${r.steps} Langevin steps from ${r.model} (gtc) in ${r.seconds.toFixed(2)} s, ${r.samplesPerSecond.toFixed(1)} samples/s → ${r.out}`,
    formatHeat({ heat: r.heat, cpuSecondsPerSample: r.cpuSecondsPerSample, secondsPerSample: r.seconds / r.count }),
  ].join('\n');
}
