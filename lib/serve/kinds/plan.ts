/**
 * A sampling request turned into work: the answer's shape, its cost, and batches of samples each computed by
 * one engine call. Batch k draws its samples from streams seeded by (seed, k), so the answer depends on the
 * request alone: not on the server, its threads, or what else it was doing.
 */
import { HeatbathError } from '../../errors';
import { deriveSeed } from '../../util/seed';
import { SampleRequest, ServedObservable } from '../request-schema';

export type SampleArray = Int8Array | Uint8Array | Float32Array;
export type { SampleDtype } from '../../client/types';
import type { SampleDtype } from '../../client/types';

export interface BatchResult {
  /** count × width samples. */
  samples: SampleArray;
  /** Observed figures: one per sample (energy, magnetization) or count × width (probabilities). */
  extras: Partial<Record<ServedObservable, Float64Array | Float32Array>>;
  /** Unit updates the engine made (flips for spins, unit-steps for Langevin). */
  work: number;
  /** Engine seconds (no queue time). */
  seconds: number;
}

export interface BatchRun {
  signal?: AbortSignal;
  threads?: number;
}

export interface SamplePlan {
  kind: string;
  n: number;
  seed: number;
  /** Values per sample. */
  width: number;
  dtype: SampleDtype;
  /** Rows and columns when a sample is a picture (PNG answers). */
  image?: { rows: number; cols: number };
  observe: ServedObservable[];
  /** Unit updates the whole request costs. */
  work: number;
  /** Bytes of the samples and observed figures. */
  resultBytes: number;
  /** Samples in each batch, in order. */
  batches: number[];
  /** Computes batch `index`, samples offset … offset + count − 1. */
  runBatch(index: number, offset: number, count: number, run: BatchRun): Promise<BatchResult>;
}

export interface ModelDescription {
  kind: string;
  sizes: Record<string, number>;
  /** Request fields this kind accepts. */
  accepts: string[];
  observe: ServedObservable[];
  formats: string[];
  defaults: Record<string, unknown>;
  /** Hyper-parameters and settings stored with the model. */
  settings: Record<string, unknown>;
}

export interface ServedKind<M> {
  kind: string;
  is(model: unknown): model is M;
  describe(model: M): ModelDescription;
  plan(model: M, request: SampleRequest): SamplePlan;
}

export function refuse(message: string): HeatbathError {
  return new HeatbathError('ERR_INVALID_ARGUMENT', message);
}

/** Refuses fields the kind does not use: a misspelt or misplaced parameter is an error, not ignored. */
export function checkFields(kind: string, request: SampleRequest, accepts: readonly string[]): void {
  for (const key of Object.keys(request)) {
    if (!accepts.includes(key)) throw refuse(`${kind} models do not take "${key}" (they take ${accepts.join(', ')})`);
  }
  for (const o of request.observe ?? [])
    if (!OBSERVES[kind]?.includes(o)) throw refuse(`${kind} models cannot observe "${o}"`);
}

const OBSERVES: Record<string, readonly ServedObservable[]> = {
  ising: ['energy', 'magnetization'],
  rbm: ['probabilities'],
  langevin: ['energy'],
};

export function observablesOf(kind: string): ServedObservable[] {
  return [...(OBSERVES[kind] ?? [])];
}

/** One engine call should do about this much work: long enough to run near full speed, short enough to share. */
const BATCH_WORK = 2 ** 26;
/**
 * Values of chain state one batch sets up: chains are created and initialised on the JS thread (about 4 ns a
 * value), so this bounds the event loop's share of a batch to a few milliseconds.
 */
const BATCH_STATE = 2 ** 19;
/** Batches are whole multiples of the SIMD lanes' chains where they can be. */
const LANES = 8;
const WIDE = 32;

/**
 * Sample counts per batch: the request's `batch`, else as many samples as fit both BATCH_WORK (at
 * `workPerSample` unit updates each) and BATCH_STATE (at `statePerSample` values each).
 */
export function splitBatches(n: number, workPerSample: number, statePerSample: number, batch?: number): number[] {
  let size = batch;
  if (size !== undefined && size * statePerSample > 8 * BATCH_STATE) {
    throw refuse(
      `batch = ${size} would set up ${size * statePerSample} values at once; at most ${8 * BATCH_STATE} (${Math.max(1, Math.floor((8 * BATCH_STATE) / statePerSample))} samples of this model)`,
    );
  }
  if (size === undefined) {
    const fit = Math.min(BATCH_WORK / Math.max(1, workPerSample), BATCH_STATE / Math.max(1, statePerSample));
    const step = fit >= WIDE ? WIDE : LANES;
    size = Math.max(LANES, Math.floor(fit / step) * step);
  }
  size = Math.min(size, n);
  const out: number[] = [];
  for (let done = 0; done < n; done += size) out.push(Math.min(size, n - done));
  return out;
}

/** The seed of batch k's streams. */
export function batchSeed(seed: number, k: number): bigint {
  return deriveSeed(seed, 'serve-batch', k);
}

/** Clamped units: indices in range and values in the allowed set, one value per unit or one set per sample. */
export interface CheckedClamp {
  nodes: number[];
  values: number[];
  perSample: boolean;
}

export function checkClamp(
  what: string,
  clamp: { nodes: number[]; values: number[] },
  units: number,
  n: number,
  allowed?: readonly number[],
): CheckedClamp {
  const { nodes, values } = clamp;
  const seen = new Set<number>();
  for (const i of nodes) {
    if (i >= units) throw refuse(`${what} index ${i} is not a unit of this model (0…${units - 1})`);
    if (seen.has(i)) throw refuse(`${what} lists unit ${i} twice`);
    seen.add(i);
  }
  const perSample = values.length === n * nodes.length && n > 1;
  if (values.length !== nodes.length && !perSample) {
    throw refuse(
      `${what}.values must have ${nodes.length} entries (one per unit) or ${n * nodes.length} (n × units), got ${values.length}`,
    );
  }
  if (allowed !== undefined) {
    const bad = values.findIndex((v) => !allowed.includes(v));
    if (bad >= 0)
      throw refuse(`${what}.values[${bad}] is ${values[bad]}; this model's units take ${allowed.join(' or ')}`);
  }
  return { nodes, values, perSample };
}

/** The clamp of samples offset … offset + count − 1. */
export function clampSlice(clamp: CheckedClamp, offset: number, count: number): { nodes: number[]; values: number[] } {
  if (!clamp.perSample) return { nodes: clamp.nodes, values: clamp.values };
  const k = clamp.nodes.length;
  return { nodes: clamp.nodes, values: clamp.values.slice(offset * k, (offset + count) * k) };
}

/** Labels: one class for all or one per sample, each below `classes`. */
export function checkLabels(labels: number | number[], classes: number, n: number): number | number[] {
  if (classes === 0) throw refuse('this model has no labels: it samples unconditionally');
  const list = typeof labels === 'number' ? [labels] : labels;
  if (typeof labels !== 'number' && labels.length !== n)
    throw refuse(`labels must be one class or n = ${n} classes, got ${labels.length}`);
  const bad = list.find((l) => l >= classes);
  if (bad !== undefined)
    throw refuse(`label ${bad} is out of range: this model has ${classes} classes (0…${classes - 1})`);
  return labels;
}

export function labelSlice(
  labels: number | number[] | undefined,
  offset: number,
  count: number,
): number | number[] | undefined {
  return Array.isArray(labels) ? labels.slice(offset, offset + count) : labels;
}

const BYTES: Record<SampleDtype, number> = { i1: 1, u1: 1, f4: 4 };

/** Bytes of n samples of `width` values plus the observed figures. */
export function resultBytes(
  n: number,
  width: number,
  dtype: SampleDtype,
  observe: readonly ServedObservable[],
): number {
  let bytes = n * width * BYTES[dtype];
  for (const o of observe) bytes += o === 'probabilities' ? 4 * n * width : 8 * n;
  return bytes;
}

/** The largest square picture a row of `pixels` values makes, else one row. */
export function squareImage(pixels: number, rows?: unknown, cols?: unknown): { rows: number; cols: number } {
  if (Number.isInteger(rows) && Number.isInteger(cols) && (rows as number) * (cols as number) === pixels)
    return { rows: rows as number, cols: cols as number };
  const side = Math.round(Math.sqrt(pixels));
  return side * side === pixels ? { rows: side, cols: side } : { rows: 1, cols: pixels };
}
