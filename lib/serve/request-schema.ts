/**
 * The sampling request's JSON schema (fastify validates every body with it); its type is the client's
 * (client/types.ts), which the server and the client share. Which fields a model kind accepts, and the ranges that depend on the model
 * (labels, clamped nodes), are checked by the kind's planner (kinds/).
 */

/** Largest seed: seeds travel as JSON numbers, exact up to 2^53 − 1. */
const MAX_SEED = Number.MAX_SAFE_INTEGER;
const MAX_ITEMS = 1 << 20;
const MAX_LENGTH = 1e9;

export { OBSERVABLES } from '../client/types';
export type { SampleRequest, ServedObservable } from '../client/types';
import { OBSERVABLES } from '../client/types';

const count = (min: number, max: number) => ({ type: 'integer', minimum: min, maximum: max }) as const;
const integers = {
  type: 'array',
  maxItems: MAX_ITEMS,
  items: { type: 'integer', minimum: 0, maximum: 2 ** 31 - 2 },
} as const;
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
      properties: {
        from: { type: 'number', minimum: 0, maximum: 1e6 },
        to: { type: 'number', minimum: 0, maximum: 1e6 },
      },
    },
    labels: { anyOf: [count(0, 2 ** 31 - 2), { type: 'array', maxItems: MAX_ITEMS, items: count(0, 2 ** 31 - 2) }] },
    clamp: {
      type: 'object',
      additionalProperties: false,
      required: ['nodes', 'values'],
      properties: { nodes: integers, values: numbers },
    },
    inpaint: {
      type: 'object',
      additionalProperties: false,
      required: ['pixels', 'values'],
      properties: { pixels: integers, values: numbers },
    },
    observe: {
      type: 'array',
      maxItems: OBSERVABLES.length,
      uniqueItems: true,
      items: { type: 'string', enum: [...OBSERVABLES] },
    },
    batch: count(1, MAX_ITEMS),
    threads: count(1, 1024),
  },
} as const;
