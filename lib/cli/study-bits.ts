/**
 * `heatbath study bits`: how many bits does a p-bit need? Samples an RBM and a DTM model file on the
 * chip's arithmetic at every pair of coupling and random-draw precisions (and in float), scores each set
 * with the digit evaluation (`heatbath eval`) and times the spin updates, then writes the figures as
 * JSON and as heat maps (PNG). `--quick` runs a small grid with few samples (the test suite's check).
 */
import * as path from 'path';
import { writeFileAtomic } from '../io/atomic';
import { HeatPanel, writeHeatMaps } from '../io/heat-map';
import { loadModel } from '../io/model-file';
import { digitClassifier } from '../eval/default-classifier';
import { DigitClassifier } from '../eval/digit-classifier';
import { evaluateDigits } from '../eval/digit-eval';
import { DenoisingModel } from '../models/dtm';
import { QuantizedDtm } from '../models/quantized-dtm';
import { QuantizedRBM } from '../models/quantized-rbm';
import { RBM } from '../models/rbm';
import { HeatbathError } from '../errors';
import { invalid } from '../util/validate';
import { PRECISION_LIMITS } from './precision';
import { checkOutputs, NamedFile } from './outputs';

export interface StudyBitsOptions {
  rbm?: string;
  dtm?: string;
  /** Lists such as "3-8" or "4,6,8,12,16". */
  couplingBits?: string;
  randomBits?: string;
  n?: number;
  rbmSweeps?: number;
  dtmSweeps?: number;
  quick: boolean;
  seed: number;
  threads?: number;
  cacheDir?: string;
  out: string;
  png: string;
  json: boolean;
  signal?: AbortSignal;
}

/** One cell: a model sampled at one precision (null bits: float) and what came of it. */
export interface StudyCell {
  model: 'rbm' | 'dtm';
  couplingBits: number | null;
  randomBits: number | null;
  confidence: number | null;
  classesPresent: number | null;
  frechet: number | null;
  /** Spin updates per ns of wall time while sampling (10⁹ per second). */
  flipsPerNs: number | null;
  /**
   * Spin updates per ns of the process's CPU time while sampling: on a machine shared with other work
   * the steadier figure (what waiting for a core costs is not counted).
   */
  flipsPerCpuNs: number | null;
  clippedCouplings: number;
  clippedBiases: number;
  /** Why the cell has no figures (e.g. a field beyond the engine's range). */
  error?: string;
}

export interface StudyBitsReport {
  models: { rbm?: string; dtm?: string };
  couplingBits: number[];
  randomBits: number[];
  samples: number;
  rbmSweeps: number;
  dtmSweeps: number;
  seed: number;
  seconds: number;
  cells: StudyCell[];
  out: string;
  png: string;
}

const FULL = { couplingBits: '3-8', randomBits: '4,6,8,12,16', n: 200, rbmSweeps: 1000, dtmSweeps: 400 };
const QUICK = { couplingBits: '3,8', randomBits: '4,16', n: 20, rbmSweeps: 20, dtmSweeps: 10 };

/** "3-8" or "4,6,8": distinct integers within the flag's range, ascending. */
export function parseBitList(flag: string, text: string, [min, max]: readonly [number, number]): number[] {
  const bits = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d{1,3})\s*(?:-\s*(\d{1,3})\s*)?$/.exec(part);
    const [from, to] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN];
    if (!m || from > to || from < min || to > max)
      throw invalid(`${flag} must list bits from ${min} to ${max} like 3-8 or 4,6,8, not "${text}"`);
    for (let b = from; b <= to; b++) bits.add(b);
  }
  return [...bits].sort((a, b) => a - b);
}

export async function studyBitsCommand(opts: StudyBitsOptions): Promise<StudyBitsReport> {
  if (opts.rbm === undefined && opts.dtm === undefined)
    throw invalid('study bits needs a model: --rbm <file> and/or --dtm <file>');
  const base = opts.quick ? QUICK : FULL;
  const couplingBits = parseBitList(
    '--coupling-bits',
    opts.couplingBits ?? base.couplingBits,
    PRECISION_LIMITS.couplingBits,
  );
  const randomBits = parseBitList('--random-bits', opts.randomBits ?? base.randomBits, PRECISION_LIMITS.randomBits);
  if (path.extname(opts.png).toLowerCase() !== '.png') throw invalid(`--png must end in .png, not "${opts.png}"`);
  if (path.extname(opts.out).toLowerCase() !== '.json') throw invalid(`--out must end in .json, not "${opts.out}"`);
  const outputs: NamedFile[] = [
    { flag: '--out', file: opts.out },
    { flag: '--png', file: opts.png },
  ];
  const inputs: NamedFile[] = [];
  if (opts.rbm !== undefined) inputs.push({ flag: '--rbm', file: opts.rbm });
  if (opts.dtm !== undefined) inputs.push({ flag: '--dtm', file: opts.dtm });
  checkOutputs(outputs, inputs);
  const n = opts.n ?? base.n;
  const rbmSweeps = opts.rbmSweeps ?? base.rbmSweeps;
  const dtmSweeps = opts.dtmSweeps ?? base.dtmSweeps;
  const rbm = opts.rbm === undefined ? undefined : await loadModel(opts.rbm);
  if (rbm !== undefined && !(rbm instanceof RBM)) throw invalid(`--rbm ${opts.rbm} is not an RBM`);
  const dtm = opts.dtm === undefined ? undefined : await loadModel(opts.dtm);
  if (dtm !== undefined && !(dtm instanceof DenoisingModel))
    throw invalid(`--dtm ${opts.dtm} is not a denoising thermodynamic model (dtm)`);
  for (const [flag, pixels] of [
    ['--rbm', rbm?.numVisible],
    ['--dtm', dtm?.pixels],
  ] as const) {
    if (pixels !== undefined && pixels !== 784)
      throw invalid(`${flag}: the digit evaluation needs 28×28 images; the model draws ${pixels} pixels`);
  }
  const classifier = digitClassifier(opts.cacheDir === undefined ? {} : { cacheDir: opts.cacheDir });
  const started = process.hrtime.bigint();
  const cells: StudyCell[] = [];
  const precisions: Array<[number | null, number | null]> = [
    [null, null],
    ...couplingBits.flatMap((c) => randomBits.map((r) => [c, r] as [number, number])),
  ];
  const common = { seed: opts.seed, threads: opts.threads, signal: opts.signal };
  for (const [c, r] of precisions) {
    const precision = c === null || r === null ? undefined : { couplingBits: c, fieldBits: c, randomBits: r };
    if (rbm instanceof RBM) {
      cells.push(
        await cell('rbm', c, r, classifier, opts.seed, async () => {
          const chip = precision && QuantizedRBM.quantize(rbm, precision);
          const run = await (chip ?? rbm).sample({ chains: n, sweeps: rbmSweeps, ...common });
          return {
            images: run.visible,
            flips: run.sweeps * n * (rbm.numVisible + rbm.numHidden),
            seconds: run.seconds,
            report: chip?.report,
          };
        }),
      );
    }
    if (dtm instanceof DenoisingModel) {
      cells.push(
        await cell('dtm', c, r, classifier, opts.seed, async () => {
          const chip = precision && QuantizedDtm.quantize(dtm, precision);
          const run = await (chip ?? dtm).generate({ count: n, sweeps: dtmSweeps, ...common });
          return { images: run.images, flips: run.flips, seconds: run.seconds, report: chip?.report };
        }),
      );
    }
  }
  const report: StudyBitsReport = {
    models: { rbm: opts.rbm, dtm: opts.dtm },
    couplingBits,
    randomBits,
    samples: n,
    rbmSweeps,
    dtmSweeps,
    seed: opts.seed,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    cells,
    out: opts.out,
    png: opts.png,
  };
  await writeFileAtomic(opts.out, JSON.stringify(report, null, 1));
  await writeHeatMaps(opts.png, heatPanels(report));
  return report;
}

interface CellRun {
  images: Float32Array;
  flips: number;
  seconds: number;
  report?: { clippedCouplings: number; clippedBiases: number };
}

/** Samples and scores one cell; a precision the engine refuses (a coded error) becomes a cell with the reason. */
async function cell(
  model: 'rbm' | 'dtm',
  c: number | null,
  r: number | null,
  classifier: DigitClassifier,
  seed: number,
  draw: () => Promise<CellRun>,
): Promise<StudyCell> {
  const empty = {
    model,
    couplingBits: c,
    randomBits: r,
    confidence: null,
    classesPresent: null,
    frechet: null,
    flipsPerNs: null,
    flipsPerCpuNs: null,
    clippedCouplings: 0,
    clippedBiases: 0,
  };
  let run: CellRun;
  const cpu = process.cpuUsage();
  try {
    run = await draw();
  } catch (err) {
    if (err instanceof HeatbathError && err.code === 'ERR_INVALID_ARGUMENT') return { ...empty, error: err.message };
    throw err;
  }
  const used = process.cpuUsage(cpu);
  const scores = evaluateDigits(run.images, { seed, classifier });
  return {
    ...empty,
    confidence: scores.meanConfidence,
    classesPresent: scores.classesPresent,
    frechet: scores.frechet,
    flipsPerNs: run.flips / (run.seconds * 1e9),
    flipsPerCpuNs: run.flips / ((used.user + used.system) * 1e3),
    clippedCouplings: run.report?.clippedCouplings ?? 0,
    clippedBiases: run.report?.clippedBiases ?? 0,
  };
}

/** Rows: coupling bits, then float; columns: random bits, then float. */
function grid(
  report: StudyBitsReport,
  model: 'rbm' | 'dtm',
  value: (cell: StudyCell) => number | null,
  text: (cell: StudyCell) => string,
) {
  const rows: Array<number | null> = [...report.couplingBits, null];
  const columns: Array<number | null> = [...report.randomBits, null];
  const find = (c: number | null, r: number | null) =>
    report.cells.find((x) => x.model === model && x.couplingBits === c && x.randomBits === r);
  return {
    rows: rows.map((c) => (c === null ? 'float' : `${c}`)),
    columns: columns.map((r) => (r === null ? 'float' : `${r}`)),
    values: rows.map((c) =>
      columns.map((r) => ((c === null) === (r === null) && find(c, r) ? value(find(c, r)!) : null)),
    ),
    text: rows.map((c) => columns.map((r) => ((c === null) === (r === null) && find(c, r) ? text(find(c, r)!) : ''))),
  };
}

/** The heat maps of a study: per model, quality (Fréchet distance) and speed over the grid. */
export function heatPanels(report: StudyBitsReport): HeatPanel[] {
  const panels: HeatPanel[] = [];
  for (const model of ['rbm', 'dtm'] as const) {
    if (!report.cells.some((c) => c.model === model)) continue;
    const axes = { rowTitle: 'coupling bits', columnTitle: 'random bits per draw' };
    // Fréchet distance on a log scale: it sees missing classes, which a confident classifier does not.
    const quality = grid(
      report,
      model,
      (c) => (c.frechet === null ? null : Math.log(c.frechet)),
      (c) => (c.frechet === null ? 'n/a' : c.frechet.toFixed(c.frechet < 100 ? 1 : 0)),
    );
    // Speed as a ratio to the float model's cell of the same run, in CPU time.
    const float = report.cells.find((c) => c.model === model && c.couplingBits === null)?.flipsPerCpuNs ?? null;
    const ratio = (c: StudyCell) => (c.flipsPerCpuNs === null || float === null ? null : c.flipsPerCpuNs / float);
    const speed = grid(report, model, ratio, (c) => (ratio(c) === null ? 'n/a' : `${ratio(c)!.toFixed(2)}x`));
    panels.push({
      title: `${model.toUpperCase()}: Frechet distance to real digits (lower is better)`,
      ...axes,
      ...quality,
      lowIsGood: true,
    });
    panels.push({ title: `${model.toUpperCase()}: spin updates per CPU second, x float`, ...axes, ...speed });
  }
  return panels;
}

export function formatStudyBits(report: StudyBitsReport): string {
  const lines: string[] = [];
  for (const model of ['rbm', 'dtm'] as const) {
    if (!report.cells.some((c) => c.model === model)) continue;
    const figures = (c: StudyCell) =>
      c.confidence === null
        ? `n/a`
        : `${c.confidence.toFixed(3)} · ${c.classesPresent}/10 · ${c.frechet!.toFixed(1)} · ${c.flipsPerCpuNs!.toFixed(3)}${c.clippedCouplings + c.clippedBiases > 0 ? ` (${c.clippedCouplings + c.clippedBiases} clipped)` : ''}`;
    const q = grid(report, model, () => 0, figures);
    lines.push(
      `${model.toUpperCase()} (${model === 'rbm' ? report.models.rbm : report.models.dtm}): confidence · classes · Fréchet · spin updates per CPU ns; rows coupling bits, columns random bits`,
      '',
      `| coupling \\ random | ${q.columns.join(' | ')} |`,
      `|---|${q.columns.map(() => '---').join('|')}|`,
      ...q.rows.map((row, k) => `| ${row} | ${q.text[k].map((t) => t || ' ').join(' | ')} |`),
      '',
    );
    for (const c of report.cells.filter((x) => x.model === model && x.error))
      lines.push(`${model} ${c.couplingBits}:${c.randomBits}: ${c.error}`);
  }
  lines.push(
    `${report.cells.length} cells, ${report.samples} samples each, in ${report.seconds.toFixed(1)} s → ${report.out}, ${report.png}`,
  );
  return lines.join('\n');
}
