/**
 * Sampling jobs across processes and machines on BullMQ + Redis: `createJobQueue` (the producer) submits jobs
 * and streams their results back; `startQueueWorker` runs them. Generic over the job: the handler receives the
 * job's JSON data and emits its result as byte chunks. How it works and how it behaves under faults:
 * docs/queue.md. bullmq and ioredis load when a queue or a worker is first created.
 */
export { createJobQueue } from './producer';
export type { JobQueue, JobQueueOptions, SubmitOptions } from './producer';
export { startQueueWorker } from './worker';
export type { JobContext, JobHandler, QueueWorker, QueueWorkerOptions } from './worker';
export { DEFAULT_QUEUE_NAME } from './options';
export type { ConnectionOptions } from './options';
export { MAX_CHUNK_BYTES } from './chunk-writer';
