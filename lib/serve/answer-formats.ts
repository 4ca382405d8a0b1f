/**
 * The answer formats a client picks with Accept: JSON (default), .npy bytes, a PNG grid of the samples, or
 * NDJSON lines streamed as batches are computed. JSON text is made batch by batch as the batches arrive, so
 * no single step of encoding holds the event loop for a whole large answer.
 */
import { encodeNpy } from '../io/npy';
import { encodeGrid, Image } from '../io/png';
import { ServeError } from './errors';
import { SampleArray, SamplePlan } from './kinds';
import { SampleBatch, SampleJobSummary } from './sample-job';

export type AnswerFormat = 'json' | 'npy' | 'png' | 'ndjson';

const TYPES: Record<string, AnswerFormat> = {
  'application/json': 'json',
  'application/x-npy': 'npy',
  'image/png': 'png',
  'application/x-ndjson': 'ndjson',
};

export const CONTENT_TYPE: Record<AnswerFormat, string> = {
  json: 'application/json; charset=utf-8',
  npy: 'application/x-npy',
  png: 'image/png',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** The format the Accept header prefers among those offered (highest q, then order); JSON for none or any. */
export function negotiate(accept: string | undefined): AnswerFormat {
  if (accept === undefined || accept.trim() === '') return 'json';
  const offers = accept
    .split(',')
    .slice(0, 32)
    .map((part, order) => {
      const [type, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { type: type.trim(), weight: Number.isFinite(weight) ? weight : 0, order };
    })
    .filter((o) => o.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.order - b.order);
  for (const { type } of offers) {
    if (TYPES[type] !== undefined) return TYPES[type];
    if (type === '*/*' || type === 'application/*') return 'json';
    if (type === 'image/*') return 'png';
  }
  throw new ServeError(
    406,
    'ERR_NOT_ACCEPTABLE',
    `samples come as ${Object.keys(TYPES).join(', ')}; Accept asked for none of them`,
  );
}

/** Refuses a format the plan cannot give (PNG of samples that are not pictures). */
export function checkFormat(format: AnswerFormat, plan: SamplePlan): void {
  if (format === 'png' && plan.image === undefined)
    throw new ServeError(
      406,
      'ERR_NOT_ACCEPTABLE',
      `${plan.kind} samples of this model are not pictures: ask for JSON, .npy or NDJSON`,
    );
}

/** Rows of a batch as JSON arrays, `[[…],[…]]` without the outer brackets. */
function rowsText(values: SampleArray | Float64Array, count: number, width: number): string {
  const rows: string[] = [];
  for (let c = 0; c < count; c++)
    rows.push(`[${Array.prototype.join.call(values.subarray(c * width, (c + 1) * width), ',')}]`);
  return rows.join(',');
}

function extrasText(batch: SampleBatch, plan: SamplePlan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of plan.observe) {
    const values = batch.extras[name];
    if (values === undefined) continue;
    out[name] =
      name === 'probabilities' ? rowsText(values, batch.count, plan.width) : Array.prototype.join.call(values, ',');
  }
  return out;
}

/** One NDJSON line per batch. */
export function ndjsonBatch(batch: SampleBatch, plan: SamplePlan): string {
  const extras = Object.entries(extrasText(batch, plan)).map(([k, v]) => `,"${k}":[${v}]`);
  return `{"batch":${batch.index},"offset":${batch.offset},"count":${batch.count},"dtype":"${plan.dtype}","samples":[${rowsText(batch.samples, batch.count, plan.width)}]${extras.join('')}}\n`;
}

export function summaryFields(summary: SampleJobSummary, waitSeconds: number): Record<string, number> {
  return {
    engineSeconds: summary.engineSeconds,
    queueSeconds: waitSeconds,
    workPerNs: summary.engineSeconds > 0 ? summary.work / (summary.engineSeconds * 1e9) : 0,
    samplesPerSecond: summary.engineSeconds > 0 ? summary.n / summary.engineSeconds : 0,
  };
}

/** Collects batches and gives the whole answer in the chosen (non-streamed) format. */
export class AnswerBuilder {
  private readonly rows: string[] = [];
  private readonly extras: Record<string, string[]> = {};
  private readonly parts: SampleArray[] = [];

  constructor(
    private readonly format: Exclude<AnswerFormat, 'ndjson'>,
    private readonly plan: SamplePlan,
    private readonly header: Record<string, unknown>,
  ) {}

  add(batch: SampleBatch): void {
    if (this.format !== 'json') {
      this.parts.push(batch.samples);
      return;
    }
    this.rows.push(rowsText(batch.samples, batch.count, this.plan.width));
    for (const [name, text] of Object.entries(extrasText(batch, this.plan))) (this.extras[name] ??= []).push(text);
  }

  finish(summary: SampleJobSummary, waitSeconds: number): Buffer | string {
    const { plan } = this;
    if (this.format === 'json') {
      const head = JSON.stringify({
        ...this.header,
        kind: plan.kind,
        n: plan.n,
        seed: plan.seed,
        dtype: plan.dtype,
        shape: [plan.n, plan.width],
        stats: summaryFields(summary, waitSeconds),
      });
      const extras = Object.entries(this.extras).map(([k, parts]) => `,"${k}":[${parts.join(',')}]`);
      return `${head.slice(0, -1)},"samples":[${this.rows.join(',')}]${extras.join('')}}`;
    }
    const all = concat(this.parts, plan);
    if (this.format === 'npy') return encodeNpy({ dtype: plan.dtype, shape: [plan.n, plan.width], data: all });
    const images: Image[] = [];
    for (let c = 0; c < plan.n; c++) images.push(all.subarray(c * plan.width, (c + 1) * plan.width));
    return encodeGrid(images, {
      width: plan.image!.cols,
      height: plan.image!.rows,
      scale: plan.image!.cols < 64 ? 2 : 1,
    });
  }
}

function concat(parts: SampleArray[], plan: SamplePlan): SampleArray {
  const Type = plan.dtype === 'i1' ? Int8Array : plan.dtype === 'u1' ? Uint8Array : Float32Array;
  const out = new Type(plan.n * plan.width);
  let at = 0;
  for (const p of parts) {
    out.set(p as never, at);
    at += p.length;
  }
  return out;
}
