/**
 * `heatbath demo`: the generative thermodynamic computer drawing digits from thermal noise. The first
 * run trains a small model on the bundled digits (one to two minutes on two cores) and keeps it in a cache
 * directory; later runs load it. Then it draws some digits of every class and some unconditional ones,
 * writes them as a PNG grid, and reports the heat the device released beside the CPU time it took.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HeatbathError } from '../errors';
import { makeDirectorySync } from '../io/directory';
import { bundledDigits } from '../io/mnist';
import { loadModel, saveModel } from '../io/model-file';
import { splitImages, writePngGrid } from '../io/png';
import { heatLedger, HeatLedger } from '../models/energy';
import { GenerativeComputer } from '../models/gtc';
import { trainGtc } from '../training/gtc-trainer';
import { invalid } from '../util/validate';
import { cosine } from '../engines/schedules';
import { pickImages } from './data-source';
import { checkOutputs, writeOrRescue } from './outputs';
import { stoppable } from './signals';
import { progressBar } from './progress';
import { formatHeat, sampleGtc } from './sample-gtc';
import { deriveSeed } from '../util/seed';

export interface GtcDemoOptions {
  out: string;
  /** Where the trained model is kept between runs (default: $XDG_CACHE_HOME/heatbath or ~/.cache/heatbath). */
  cacheDir?: string;
  /** Train again even when the cache holds a model. */
  retrain: boolean;
  /** Size of the model and its training: these name the cached file, so changing one trains anew. */
  images: number;
  hidden: number;
  epochs: number;
  stride: number;
  duration: number;
  /** Samples per class, and unconditional samples. */
  perClass: number;
  unconditional: number;
  /** Physical temperature of the heat in joules, in kelvin. */
  temperature: number;
  seed: number;
  threads?: number;
  json: boolean;
}

export interface GtcDemoReport {
  model: string;
  /** True when the model came from the cache (no training in this run). */
  cached: boolean;
  units: { visible: number; hidden: number; labels: number };
  /** Langevin steps per sample (uncoupled then coupled phase). */
  stepsPerSample: number;
  trainImages: number;
  /** Training time of this run (0 when cached), and the trajectories the model was trained on. */
  trainSeconds: number;
  trajectories: number;
  conditionalSamples: number;
  unconditionalSamples: number;
  sampleSeconds: number;
  heat: HeatLedger;
  cpuSecondsPerSample: number;
  secondsPerSample: number;
  png: string;
}

/**
 * Settings found by trying on 4,000 trajectories: label couplings started from the class means (the
 * trainer's default) and half the trajectories without labels gave class-conditional samples the
 * classifier recognises ~90 % of the time.
 */
const TRAINING = { batchSize: 16, learningRate: cosine(3e-3, 3e-4), labelDropout: 0.5 };

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'heatbath');
}

function cacheFile(opts: GtcDemoOptions): string {
  const { images, hidden, epochs, stride, duration, seed } = opts;
  const name = `gtc-demo-v1-${images}img-${hidden}h-${epochs}ep-stride${stride}-t${duration}-seed${seed}.safetensors`;
  return path.join(opts.cacheDir ?? defaultCacheDir(), name);
}

export async function runGtcDemo(opts: GtcDemoOptions): Promise<GtcDemoReport> {
  checkOutputs([{ flag: '--out', file: opts.out }]);
  // Refused before training, which takes minutes: a picture of nothing.
  if (opts.perClass === 0 && opts.unconditional === 0)
    throw invalid('--per-class and --unconditional are both 0: there is nothing to draw');
  return stoppable((signal) => demo(opts, signal));
}

async function demo(opts: GtcDemoOptions, signal: AbortSignal): Promise<GtcDemoReport> {
  const file = cacheFile(opts);
  const cachedModel = opts.retrain ? undefined : await readCached(file);
  const trained = cachedModel === undefined ? await trainDemoModel(opts, signal) : undefined;
  const model = cachedModel ?? trained!.model;
  if (trained !== undefined) await writeCache(file, model);

  const classes = model.labels;
  const labels = Array.from({ length: opts.perClass * classes }, (_, k) => Math.floor(k / opts.perClass));
  const bar = progressBar(100, 'sampling', !opts.json && process.stderr.isTTY === true);
  const share = labels.length / (labels.length + opts.unconditional);
  const draw = (count: number, classOf: number[] | undefined, seed: number | bigint, from: number, part: number) =>
    sampleGtc(model, {
      count,
      labels: classOf,
      kelvin: opts.temperature,
      seed,
      threads: opts.threads,
      signal,
      onProgress: (f) => bar.update(Math.round(100 * (from + part * f))),
    });
  const started = process.hrtime.bigint();
  const runs = [];
  try {
    if (labels.length > 0) runs.push(await draw(labels.length, labels, opts.seed, 0, share));
    if (opts.unconditional > 0)
      runs.push(
        await draw(opts.unconditional, undefined, deriveSeed(opts.seed, 'demo-unconditional'), share, 1 - share),
      );
  } finally {
    bar.stop();
  }
  const sampleSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const images = runs.flatMap((r) => splitImages(r.samples.images, model.visible));
  const grid = { width: model.imageCols, height: model.imageRows, scale: 2, columns: Math.max(opts.perClass, 1) };
  await writeOrRescue({ flag: '--out', file: opts.out }, (file) => writePngGrid(file, images, grid));
  const count = images.length;
  const heat = heatLedger(Float64Array.from(runs.flatMap((r) => Array.from(r.samples.heat))), opts.temperature);
  return {
    model: file,
    cached: cachedModel !== undefined,
    units: { visible: model.visible, hidden: model.hidden, labels: model.labels },
    stepsPerSample: 2 * model.stepsPerPhase,
    trainImages: Number(model.info.training_images),
    trainSeconds: trained?.seconds ?? 0,
    trajectories: Number(model.info.trajectories),
    conditionalSamples: labels.length,
    unconditionalSamples: opts.unconditional,
    sampleSeconds,
    heat,
    cpuSecondsPerSample: runs.reduce((s, r) => s + r.cpuSecondsPerSample * r.samples.count, 0) / count,
    secondsPerSample: sampleSeconds / count,
    png: opts.out,
  };
}

/** The cached model, or undefined when there is none or it cannot be read (it is then trained again). */
async function readCached(file: string): Promise<GenerativeComputer | undefined> {
  if (!fs.existsSync(file)) return undefined;
  try {
    const model = await loadModel(file);
    return model instanceof GenerativeComputer && model.labels > 0 ? model : undefined;
  } catch (err) {
    if (!(err instanceof HeatbathError)) throw err;
    process.stderr.write(`heatbath: ignoring the cached model ${file}: ${err.message}\n`);
    return undefined;
  }
}

/** A cache that cannot be written costs the next run its training time, not this run its result. */
async function writeCache(file: string, model: GenerativeComputer): Promise<void> {
  try {
    makeDirectorySync(path.dirname(file));
    await saveModel(file, model);
  } catch (err) {
    process.stderr.write(`heatbath: could not cache the demo model at ${file}: ${(err as Error).message}\n`);
  }
}

async function trainDemoModel(
  opts: GtcDemoOptions,
  signal: AbortSignal,
): Promise<{ model: GenerativeComputer; seconds: number }> {
  const digits = pickImages(bundledDigits(), opts.images, opts.seed);
  const model = new GenerativeComputer({ hidden: opts.hidden, labels: 10, duration: opts.duration });
  model.info = { trained_on: 'bundled MNIST digits (mnist package)', training_images: digits.count, demo: true };
  const total = opts.epochs * Math.ceil(digits.count / TRAINING.batchSize) * TRAINING.batchSize;
  const bar = progressBar(total, 'training', !opts.json && process.stderr.isTTY === true);
  const started = process.hrtime.bigint();
  try {
    await trainGtc(model, digits, {
      ...TRAINING,
      epochs: opts.epochs,
      stride: opts.stride,
      seed: opts.seed,
      threads: opts.threads,
      signal,
      onUpdate: (done, _total, { loss }) => bar.update(done, { info: `loss ${loss.toFixed(4)}` }),
    });
  } finally {
    bar.stop();
  }
  return { model, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

export function formatGtcDemo(r: GtcDemoReport): string {
  const { visible, hidden, labels } = r.units;
  const source = r.cached
    ? `loaded from the cache ${r.model} (trained on ${r.trainImages} digits, ${r.trajectories} trajectories; --retrain trains again)`
    : `trained on ${r.trainImages} bundled digits (${r.trajectories} noising trajectories) in ${r.trainSeconds.toFixed(1)} s, cached at ${r.model}`;
  const unconditional =
    r.unconditionalSamples > 0 ? ` and ${r.unconditionalSamples} unconditional ones (last rows)` : '';
  return [
    `Generative thermodynamic computer: ${visible} visible + ${hidden} hidden + ${labels} label units relaxing in a heat bath`,
    `model: ${source}`,
    `drew ${r.conditionalSamples} digits from thermal noise (one row per class)${unconditional}, ` +
      `${r.stepsPerSample} Langevin steps each, in ${r.sampleSeconds.toFixed(1)} s`,
    formatHeat(r),
    `picture: ${r.png}`,
  ].join('\n');
}
