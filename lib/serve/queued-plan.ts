/**
 * Sampling through the job queue: each batch of a request is one queued job, which a worker computes by
 * planning the same request on its own copy of the model and running the same batch (batch k is seeded by
 * (seed, k), so the bytes are those a local run gives). The server keeps the request's planning, formats,
 * admission and scheduling; only the engine calls move to the workers.
 */
import { HeatbathError } from '../errors';
import { decodeBatch, encodeBatch } from './batch-codec';
import { SamplePlan } from './kinds';
import { JobHandler, JobQueue } from './queue';
import { SampleRequest, sampleRequestSchema } from './request-schema';
import { planSampleJob } from './sample-job';
import { ModelStore } from './model-store';

/** What a queued job carries: the model's name in the workers' directory, the request, and the batch. */
export interface BatchJob {
  model: string;
  request: SampleRequest;
  batch: { index: number; offset: number; count: number };
}

/** `plan` with its batches computed by the queue's workers. */
export function queuedPlan(plan: SamplePlan, queue: JobQueue, model: string, request: SampleRequest): SamplePlan {
  return {
    ...plan,
    async runBatch(index, offset, count, run) {
      const job: BatchJob = { model, request, batch: { index, offset, count } };
      const chunks: Buffer[] = [];
      for await (const chunk of queue.submit(job, { signal: run.signal })) chunks.push(chunk);
      if (chunks.length !== 1)
        throw new HeatbathError('ERR_JOB_FAILED', `a queued batch came back as ${chunks.length} chunks`);
      return decodeBatch(chunks[0], plan, count);
    },
  };
}

const badJob = (why: string) => new HeatbathError('ERR_INVALID_ARGUMENT', `a queued job ${why}`);

/** The queue worker's handler: computes one batch of a request on the models of `store`. */
export function batchJobHandler(store: ModelStore, threads?: number): JobHandler {
  const requestFields = new Set(Object.keys(sampleRequestSchema.properties));
  return async (data, { signal, emit }) => {
    const job = data as Partial<BatchJob>;
    if (
      typeof job?.model !== 'string' ||
      typeof job.request !== 'object' ||
      job.request === null ||
      typeof job.batch !== 'object'
    )
      throw badJob('lacks its model, request or batch');
    if (Object.keys(job.request).some((key) => !requestFields.has(key))) throw badJob('has unknown request fields');
    const entry = store.get(job.model);
    if (entry === undefined) throw new HeatbathError('ERR_IO', `this worker has no model "${job.model}"`);
    if (!entry.ok) throw new HeatbathError(entry.error.code as never, entry.error.message);
    const plan = planSampleJob(entry.model, job.request);
    const { index, offset, count } = job.batch;
    const expectedOffset = plan.batches.slice(0, index).reduce((a, b) => a + b, 0);
    if (
      !Number.isInteger(index) ||
      index < 0 ||
      index >= plan.batches.length ||
      count !== plan.batches[index] ||
      offset !== expectedOffset
    ) {
      throw badJob(
        `asks for batch ${String(index)} (${String(count)} samples at ${String(offset)}), which the request does not have`,
      );
    }
    await emit(encodeBatch(await plan.runBatch(index, offset, count, { signal, threads })));
  };
}
