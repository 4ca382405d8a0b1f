/**
 * The worker: takes jobs from the queue (a BullMQ Worker), runs the handler on each and streams its chunks to
 * the job's consumer (chunk-writer.ts). A worker that dies mid-job loses nothing: BullMQ's stalled-job check,
 * run by the other workers, puts the job back once its lock expires, and the retry's chunks replace the dead
 * attempt's (protocol.ts). A handler's error is final (handlers are deterministic: a retry would fail the same way).
 */
import type { Job, Worker } from 'bullmq';
import { HeatbathError } from '../../errors';
import { checkInteger, invalid } from '../../util/validate';
import { ChunkWriter } from './chunk-writer';
import { queueKeys } from './keys';
import { checkConnection, checkMs, ConnectionOptions } from './options';
import { connect, DeadlineError, hangUp, loadBullmq, unreachable, whenReachable, withDeadline } from './redis';

export interface JobContext {
  /** The job's id (the same in every attempt). */
  jobId: string;
  /** Aborted when the job's consumer cancels it, or when this worker has lost the job to another one. */
  signal: AbortSignal;
  /** Sends one chunk of the result to the consumer; await it (it waits while the consumer is behind). */
  emit(chunk: Uint8Array): Promise<void>;
}

/** Runs one job. It must be deterministic in `data`: a retried job must emit the same chunks. */
export type JobHandler = (data: unknown, context: JobContext) => Promise<void>;

export interface QueueWorkerOptions extends ConnectionOptions {
  handler: JobHandler;
  /** Jobs this worker runs at once; default 1. */
  concurrency?: number;
  /** How long a job's lock lasts unrenewed: a dead worker's job is retried this long after it died; default 10 s. */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died; default 5 s. */
  stalledIntervalMs?: number;
  /** How many times a job is retried after its worker died, before it fails; default 2. */
  maxStalledCount?: number;
  /** How long an unread result may stay in Redis; default 10 min. */
  resultTtlMs?: number;
  /** Unread chunks a job may leave in Redis before its handler waits for the consumer; default 16. */
  maxBufferedChunks?: number;
  /** How long a handler waits for a consumer that reads nothing before the job fails; default 60 s. */
  consumerTimeoutMs?: number;
  /** Told about trouble that fails no job of its own (a lost connection, a lost lock). */
  onError?: (err: Error) => void;
}

export interface QueueWorker {
  /**
   * Stops taking jobs and waits for the running ones to finish (a graceful stop, for SIGTERM), then closes the
   * connections. With `{ force: true }` the running jobs are abandoned; another worker retries them.
   */
  close(options?: { force?: boolean }): Promise<void>;
}

interface Attempt {
  controller: AbortController;
  /** Whether the consumer cancelled it (else an abort means this worker lost the job, or was closed by force). */
  byConsumer: boolean;
}

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const connection = checkConnection(options);
  if (typeof options.handler !== 'function') throw invalid('handler must be a function');
  const { handler, onError = () => undefined } = options;
  const concurrency = options.concurrency === undefined ? 1 : checkInteger('concurrency', options.concurrency, 1, 1024);
  const lockDuration = checkMs('lockDurationMs', options.lockDurationMs, 10_000, 100);
  const stalledInterval = checkMs('stalledIntervalMs', options.stalledIntervalMs, 5_000, 50);
  const maxStalledCount =
    options.maxStalledCount === undefined ? 2 : checkInteger('maxStalledCount', options.maxStalledCount, 0, 100);
  const limits = {
    resultTtlMs: checkMs('resultTtlMs', options.resultTtlMs, 600_000, 1000),
    maxBufferedChunks:
      options.maxBufferedChunks === undefined
        ? 16
        : checkInteger('maxBufferedChunks', options.maxBufferedChunks, 2, 1_000_000),
    consumerTimeoutMs: checkMs('consumerTimeoutMs', options.consumerTimeoutMs, 60_000),
  };
  const keys = queueKeys(connection.prefix, connection.name);

  const client = connect(connection);
  const subscriber = connect(connection);
  // The running attempts by job id (a job may run twice here when a retry lands on the worker that lost it).
  const running = new Map<string, Set<Attempt>>();
  const cancel = (jobId: string) =>
    running.get(jobId)?.forEach((attempt) => {
      attempt.byConsumer = true;
      attempt.controller.abort(new HeatbathError('ERR_ABORTED', `job ${jobId} was cancelled by its consumer`));
    });
  const abandon = (jobId: string, reason: HeatbathError) =>
    running.get(jobId)?.forEach((a) => a.controller.abort(reason));

  async function runJob(job: Job): Promise<void> {
    const jobId = job.id!;
    const attempt: Attempt = { controller: new AbortController(), byConsumer: false };
    const attempts = running.get(jobId) ?? new Set();
    running.set(jobId, attempts.add(attempt));
    const { signal } = attempt.controller;
    const writer = new ChunkWriter(client.redis, keys, jobId, limits, signal, () => cancel(jobId));
    try {
      await handler(job.data, { jobId, signal, emit: (chunk) => writer.emit(chunk) });
      if (attempt.byConsumer) await writer.discard();
      else await writer.end();
    } catch (err) {
      if (attempt.byConsumer) {
        await writer.discard(); // the job completes (and is removed): nobody waits for it any more
        return;
      }
      // An attempt whose worker lost the job leaves the stream to the attempt that owns it now.
      if (!signal.aborted) await writer.fail(err);
      throw err;
    } finally {
      attempts.delete(attempt);
      if (attempts.size === 0) running.delete(jobId);
    }
  }

  let worker: Worker<unknown, void> | undefined;
  try {
    await whenReachable(client, connection);
    await whenReachable(subscriber, connection);
    // Consumers announce cancelled jobs here; the flag the writer checks with each chunk covers a missed message.
    subscriber.redis.on('message', (_channel: string, jobId: string) => cancel(jobId));
    await withDeadline(subscriber.redis.subscribe(keys.cancelChannel), connection.unavailableMs);
    const w = new (loadBullmq().Worker)<unknown, void>(connection.name, runJob, {
      connection: client.redis,
      prefix: connection.prefix,
      concurrency,
      lockDuration,
      stalledInterval,
      maxStalledCount,
    });
    worker = w;
    w.on('error', onError);
    w.on('lockRenewalFailed', (jobIds: string[]) => {
      for (const jobId of jobIds) {
        const lost = `this worker lost job ${jobId}'s lock; another worker takes it over`;
        abandon(jobId, new HeatbathError('ERR_QUEUE', lost));
      }
    });
    await withDeadline(w.waitUntilReady(), connection.unavailableMs);
  } catch (err) {
    void worker?.close(true).catch(() => undefined);
    client.redis.disconnect();
    subscriber.redis.disconnect();
    throw err instanceof DeadlineError ? unreachable(client, connection, err) : err;
  }
  const started = worker;
  let closing: Promise<void> | undefined;
  return {
    close({ force = false } = {}) {
      closing ??= (async () => {
        if (force)
          for (const jobId of running.keys()) abandon(jobId, new HeatbathError('ERR_ABORTED', 'the worker was closed'));
        await started.close(force);
        await Promise.all([
          hangUp(client.redis, connection.unavailableMs),
          hangUp(subscriber.redis, connection.unavailableMs),
        ]);
      })();
      return closing;
    },
  };
}
