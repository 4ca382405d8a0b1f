/**
 * The Redis keys of a queue. BullMQ owns `{prefix}:{name}:*` and keeps a job in `{prefix}:{name}:{jobId}`;
 * the result stream and the cancel flag sit beside it (job ids cannot hold ":", so they never collide).
 */
export interface QueueKeys {
  /** BullMQ's hash of the job. */
  job(jobId: string): string;
  /** BullMQ's sorted set of failed jobs (kept up to the producer's `keepFailed`). */
  failed: string;
  /** The stream of the job's result entries (chunks, then an end or an error). */
  result(jobId: string): string;
  /** Set (with a TTL) when the job's consumer has given up on it. */
  cancel(jobId: string): string;
  /** Where a consumer announces a cancelled job id to the workers at once. */
  cancelChannel: string;
}

export function queueKeys(prefix: string, name: string): QueueKeys {
  const base = `${prefix}:${name}:`;
  return {
    job: (jobId) => base + jobId,
    failed: `${base}failed`,
    result: (jobId) => `${base}result:${jobId}`,
    cancel: (jobId) => `${base}cancel:${jobId}`,
    cancelChannel: `${base}cancel`,
  };
}
