/**
 * `heatbath sample` for generative thermodynamic computers: draws digits from thermal noise, optionally
 * class-conditional, and reports the heat the simulated device released beside the CPU time it took.
 */
import { heatLedger, HeatLedger } from '../models/energy';
import type { GenerativeComputer, GtcSamples } from '../models/gtc';
import { invalid } from '../util/validate';

export interface GtcSampleRun {
  samples: GtcSamples;
  /** The class of each sample, or undefined for unconditional generation. */
  labels?: number[];
  heat: HeatLedger;
  /** Process CPU time (all threads) per sample, in seconds. */
  cpuSecondsPerSample: number;
  /** Wall time per sample, in seconds. */
  secondsPerSample: number;
}

/**
 * `--labels`: a class number, or `all` for count / L samples of every class in order (when count is not
 * a multiple of L, the earlier classes get one sample more). Undefined means unconditional.
 */
export function parseLabels(text: string | undefined, count: number, labelUnits: number): number[] | undefined {
  if (text === undefined) return undefined;
  if (labelUnits === 0)
    throw invalid(
      '--labels needs a model with label units; this one was trained without labels (train it with --conditional)',
    );
  if (text === 'all') return Array.from({ length: count }, (_, k) => Math.floor((k * labelUnits) / count));
  const label = Number(text);
  if (!/^\d+$/.test(text.trim()) || label >= labelUnits) {
    throw invalid(`--labels must be a class in 0…${labelUnits - 1} or "all", not "${text}"`);
  }
  return new Array<number>(count).fill(label);
}

export interface GtcSampleOptions {
  count: number;
  labels?: number[];
  /** Physical temperature of the joule figures, in kelvin. */
  kelvin: number;
  seed: number | bigint;
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export async function sampleGtc(model: GenerativeComputer, opts: GtcSampleOptions): Promise<GtcSampleRun> {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const samples = await model.generate({
    count: opts.count,
    labels: opts.labels,
    seed: opts.seed,
    threads: opts.threads,
    signal: opts.signal,
    onProgress: opts.onProgress,
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  return {
    samples,
    labels: opts.labels,
    heat: heatLedger(samples.heat, opts.kelvin),
    cpuSecondsPerSample: (used.user + used.system) / 1e6 / samples.count,
    secondsPerSample: wall / samples.count,
  };
}

/** One line on the energy ledger: heat per sample in k_BT and joules, beside the CPU time per sample. */
export function formatHeat(run: Pick<GtcSampleRun, 'heat' | 'cpuSecondsPerSample' | 'secondsPerSample'>): string {
  const { heat } = run;
  return (
    `heat released per sample: ${heat.meanKT.toFixed(1)} ± ${heat.standardErrorKT.toFixed(1)} k_BT = ` +
    `${heat.meanJoules.toExponential(2)} J at ${heat.kelvin} K; CPU time per sample ${(1e3 * run.cpuSecondsPerSample).toFixed(1)} ms ` +
    `(wall ${(1e3 * run.secondsPerSample).toFixed(1)} ms)`
  );
}
