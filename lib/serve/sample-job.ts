/**
 * One sampling request, start to finish, with no HTTP in it: the in-process server and a queue worker run the
 * same function, so a request gives the same samples wherever it runs. The samples come in batches, in order;
 * each batch is one engine call, which a scheduler may interleave with other requests' batches (`gate`).
 */
import { HeatbathError } from '../errors';
import { BatchResult, SamplePlan, servedKind } from './kinds';
import { SampleRequest } from './request-schema';

export interface SampleBatch extends BatchResult {
  index: number;
  /** Index of the batch's first sample. */
  offset: number;
  count: number;
}

export interface SampleJobSummary {
  kind: string;
  n: number;
  seed: number;
  batches: number;
  /** Unit updates made (flips, or unit-steps for Langevin). */
  work: number;
  /** Seconds the engine computed, queue time excluded. */
  engineSeconds: number;
}

/** Runs `work` (one engine call of `cost` unit updates) when the scheduler gives this job its turn. */
export type Gate = <T>(cost: number, work: () => Promise<T>) => Promise<T>;

export interface SampleJobOptions {
  signal?: AbortSignal;
  /** Receives each batch as it is computed; the next batch waits for a returned promise (backpressure). */
  onBatch?: (batch: SampleBatch) => void | Promise<void>;
  gate?: Gate;
  /** Native threads per engine call (default: all cores). Results do not depend on it. */
  threads?: number;
}

const direct: Gate = (_cost, work) => work();

/** Checks a request against a model and plans its batches, before anything runs (coded errors, 422). */
export function planSampleJob(model: unknown, request: SampleRequest): SamplePlan {
  const kind = servedKind(model);
  if (kind === undefined) throw new HeatbathError('ERR_INVALID_ARGUMENT', 'this model cannot be sampled by the server');
  return kind.plan(model, request);
}

/** Computes a planned request batch by batch. Aborting the signal stops the running engine call within milliseconds. */
export async function runSampleJob(plan: SamplePlan, options: SampleJobOptions = {}): Promise<SampleJobSummary> {
  const { signal, onBatch, threads } = options;
  const gate = options.gate ?? direct;
  let offset = 0;
  let work = 0;
  let engineSeconds = 0;
  for (const [index, count] of plan.batches.entries()) {
    if (signal?.aborted) throw new HeatbathError('ERR_ABORTED', 'the sampling request was cancelled');
    const result = await gate((plan.work / plan.n) * count, () =>
      plan.runBatch(index, offset, count, { signal, threads }),
    );
    work += result.work;
    engineSeconds += result.seconds;
    await onBatch?.({ ...result, index, offset, count });
    offset += count;
  }
  return { kind: plan.kind, n: plan.n, seed: plan.seed, batches: plan.batches.length, work, engineSeconds };
}
