/**
 * The sampling request, written once: its JSON schema (fastify validates every body with it, and a queue
 * producer can too) and its type. Which fields a model kind accepts, and the ranges that depend on the model
 * (labels, clamped nodes), are checked by the kind's planner (kinds/).
 */

/** Largest seed: seeds travel as JSON numbers, exact up to 2^53 − 1. */
const MAX_SEED = Number.MAX_SAFE_INTEGER;
const MAX_ITEMS = 1 << 20;
const MAX_LENGTH = 1e9;

export const OBSERVABLES = ['energy', 'magnetization', 'probabilities'] as const;
export type ServedObservable = (typeof OBSERVABLES)[number];

export interface SampleRequest {
  /** Samples (independent chains) to draw (default 1). */
  n?: number;
  /** Seed of the random streams (default 0): the same seed and parameters give the same samples. */
  seed?: number;
  /** Gibbs sweeps per sample (ising, rbm) or per denoising step (dtm). */
  sweeps?: number;
  /** Langevin steps (langevin). */
  steps?: number;
  /** Langevin time step (langevin; default the model's `info.dt`, else 0.01). */
  dt?: number;
  /** Inverse temperature (default the model's). */
  beta?: number;
  /** β annealed linearly over the sweeps (ising) or within each step (dtm). */
  anneal?: { from: number; to: number };
  /** Class of every sample, or of each (n values): dtm and gtc models with labels. */
  labels?: number | number[];
  /** Units held at values: one value per node for every sample, or n × nodes values. */
  clamp?: { nodes: number[]; values: number[] };
  /** dtm: pixels held at 0/1 values, one set for every sample or n sets. */
  inpaint?: { pixels: number[]; values: number[] };
  /** Per-sample figures to add to the answer. */
  observe?: ServedObservable[];
  /** Samples per batch (a streamed NDJSON line; default: chosen from the cost). Part of the parameters: it changes the samples. */
  batch?: number;
  /** Native threads (capped by the server's setting). Results do not depend on it. */
  threads?: number;
}

const count = (min: number, max: number) => ({ type: 'integer', minimum: min, maximum: max }) as const;
const integers = { type: 'array', maxItems: MAX_ITEMS, items: { type: 'integer', minimum: 0, maximum: 2 ** 31 - 2 } } as const;
const numbers = { type: 'array', maxItems: MAX_ITEMS, items: { type: 'number' } } as const;

export const sampleRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    n: count(1, MAX_ITEMS),
    seed: count(0, MAX_SEED),
    sweeps: count(1, MAX_LENGTH),
    steps: count(1, MAX_LENGTH),
    dt: { type: 'number', exclusiveMinimum: 0, maximum: 1e6 },
    beta: { type: 'number', minimum: 0, maximum: 1e6 },
    anneal: {
      type: 'object',
      additionalProperties: false,
      required: ['from', 'to'],
      properties: { from: { type: 'number', minimum: 0, maximum: 1e6 }, to: { type: 'number', minimum: 0, maximum: 1e6 } },
    },
    labels: { anyOf: [count(0, 2 ** 31 - 2), { type: 'array', maxItems: MAX_ITEMS, items: count(0, 2 ** 31 - 2) }] },
    clamp: { type: 'object', additionalProperties: false, required: ['nodes', 'values'], properties: { nodes: integers, values: numbers } },
    inpaint: { type: 'object', additionalProperties: false, required: ['pixels', 'values'], properties: { pixels: integers, values: numbers } },
    observe: { type: 'array', maxItems: OBSERVABLES.length, uniqueItems: true, items: { type: 'string', enum: [...OBSERVABLES] } },
    batch: count(1, MAX_ITEMS),
    threads: count(1, 1024),
  },
} as const;
