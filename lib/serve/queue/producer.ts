/**
 * The producer: adds jobs to the queue (a BullMQ Queue) and reads each job's result stream back as the worker
 * writes it, through ResultAssembler (result-assembler.ts), which makes retries invisible.
 *
 * Nothing waits forever. Every Redis call has a deadline (Redis unreachable for `unavailableMs` → ERR_QUEUE);
 * every `pollMs` without progress the job is looked up: failed → its error; gone without an end (Redis lost
 * it, e.g. restarted without persistence) → added again, up to `maxResubmits` times, and the new attempt's
 * chunks continue where the consumer is; and a job has `timeoutMs` in all (ERR_TIMEOUT).
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomUUID } from 'crypto';
import { HeatbathError } from '../../errors';
import { checkInteger, checkSignal, invalid } from '../../util/validate';
import { queueKeys, QueueKeys } from './keys';
import { checkConnection, checkJobId, checkMs, Connection, ConnectionOptions } from './options';
import { parseEntry } from './protocol';
import { ResultAssembler } from './result-assembler';
import { Client, connect, DeadlineError, hangUp, loadBullmq, unreachable, whenReachable, withDeadline } from './redis';

export interface JobQueueOptions extends ConnectionOptions {
  /** A job's time limit, from submission to its last chunk (ERR_TIMEOUT after it); default 10 min. */
  timeoutMs?: number;
  /** How long the consumer waits for news before it looks the job up; default 1 s. */
  pollMs?: number;
  /** How many times a job Redis lost is added again; default 2. */
  maxResubmits?: number;
  /** Failed jobs kept in Redis for inspection (the oldest are removed); default 100. */
  keepFailed?: number;
}

export interface SubmitOptions {
  /** Cancels the job: removed if still waiting, its handler's signal aborted if running. */
  signal?: AbortSignal;
  /**
   * The job's id; default a random UUID. It must be unique: BullMQ ignores a job whose id it still holds (a
   * waiting, running or kept failed job), and this call would then follow that job.
   */
  jobId?: string;
  /** This job's time limit instead of the queue's `timeoutMs`. */
  timeoutMs?: number;
}

export interface JobQueue {
  /**
   * Runs a job on some worker: `data` (any JSON value) goes to the worker's handler, and the chunks the handler
   * emits come back in order, exactly once each, even when a worker died and another one redid the job. The job
   * is added when iteration starts; leaving the loop early (break, throw) cancels it. A handler's coded error is
   * thrown with its code, any other as ERR_JOB_FAILED.
   */
  submit(data: unknown, options?: SubmitOptions): AsyncGenerator<Buffer, void, undefined>;
  /** Cancels the jobs in progress (their iterations throw ERR_QUEUE) and closes the connections. */
  close(): Promise<void>;
}

/** Entries read per XREAD: a few chunks per round trip without one huge reply. */
const READ_COUNT = 16;
/** Blocking connections kept for the next jobs (more are opened when more jobs run at once). */
const MAX_IDLE_READERS = 16;
/** How long a cancel flag stays for a worker that missed the cancel message (it is deleted once seen). */
const CANCEL_TTL_MS = 3_600_000;

/** Sets the cancel flag and tells the workers, only while the job exists; drops the result stream. */
const CANCEL_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
end
return redis.call('DEL', KEYS[3])`;

type StreamReply = [Buffer, [Buffer, Buffer[]][]][] | null;

export async function createJobQueue(options: JobQueueOptions): Promise<JobQueue> {
  const connection = checkConnection(options);
  const settings = {
    timeoutMs: checkMs('timeoutMs', options.timeoutMs, 600_000),
    pollMs: checkMs('pollMs', options.pollMs, 1000, 10),
    maxResubmits: options.maxResubmits === undefined ? 2 : checkInteger('maxResubmits', options.maxResubmits, 0, 100),
    keepFailed: options.keepFailed === undefined ? 100 : checkInteger('keepFailed', options.keepFailed, 0, 1_000_000),
  };
  const client = connect(connection);
  try {
    await whenReachable(client, connection);
  } catch (err) {
    client.redis.disconnect();
    throw err;
  }
  const { Queue } = loadBullmq();
  const queue = new Queue(connection.name, {
    connection: client.redis,
    prefix: connection.prefix,
    streams: { events: { maxLen: 1000 } }, // BullMQ's event log, which nothing here reads: kept short
  });
  return new Producer(connection, settings, client, queue);
}

interface Settings {
  timeoutMs: number;
  pollMs: number;
  maxResubmits: number;
  keepFailed: number;
}

/** Where one job's reading stands. */
interface Progress {
  jobId: string;
  assembler: ResultAssembler;
  /** The id of the last stream entry read. */
  lastId: string;
  stop: AbortSignal;
  /** Whether the queue has failed the job (nothing to cancel then). */
  failed: boolean;
}

class Producer implements JobQueue {
  private readonly keys: QueueKeys;
  private readonly idleReaders: Redis[] = [];
  private readonly inProgress = new Set<AbortController>();
  /** The cancellations and deletions of jobs that ended (close() waits for them). */
  private readonly cleanups = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly connection: Connection,
    private readonly settings: Settings,
    private readonly client: Client,
    private readonly queue: Queue,
  ) {
    this.keys = queueKeys(connection.prefix, connection.name);
  }

  async *submit(data: unknown, options: SubmitOptions = {}): AsyncGenerator<Buffer, void, undefined> {
    if (typeof options !== 'object' || options === null) throw invalid('submit options must be an object');
    const signal = checkSignal(options.signal);
    const jobId = options.jobId === undefined ? randomUUID() : checkJobId(options.jobId);
    const timeoutMs = checkMs('timeoutMs', options.timeoutMs, this.settings.timeoutMs);
    checkJson(data);
    if (this.closed) throw new HeatbathError('ERR_QUEUE', 'the job queue is closed');
    if (signal?.aborted) throw aborted(jobId);

    // One controller stops every wait of this job: the caller's signal, the time limit, close().
    const stopper = new AbortController();
    const onAbort = () => stopper.abort(aborted(jobId));
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => stopper.abort(new HeatbathError('ERR_TIMEOUT', `job ${jobId} did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
    this.inProgress.add(stopper);
    const progress: Progress = {
      jobId,
      assembler: new ResultAssembler(jobId),
      lastId: '0-0',
      stop: stopper.signal,
      failed: false,
    };
    try {
      await this.add(progress, data);
      let resubmits = 0;
      let lookedAt = Date.now();
      while (!progress.assembler.finished) {
        const before = progress.assembler.delivered;
        yield* this.take(progress, await this.readBlocking(progress));
        if (progress.assembler.finished) break;
        this.trim(progress);
        if (progress.assembler.delivered > before) lookedAt = Date.now();
        if (Date.now() - lookedAt < this.settings.pollMs) continue;
        lookedAt = Date.now();
        // No news for a while: is the job still there?
        const state = await this.lookUp(progress);
        if (state.kind === 'present') continue;
        // An end or an error written before the job left the queue is in the stream: read it first.
        yield* this.take(
          progress,
          await this.call(this.client.redis.xreadBuffer('STREAMS', this.keys.result(jobId), progress.lastId), progress),
        );
        if (progress.assembler.finished) break;
        if (state.kind === 'failed') {
          progress.failed = true;
          throw new HeatbathError('ERR_JOB_FAILED', `job ${jobId} failed: ${state.reason}`);
        }
        if (resubmits === this.settings.maxResubmits) {
          const again = resubmits === 0 ? 'resubmitting is off' : `after ${resubmits} resubmissions`;
          throw new HeatbathError('ERR_QUEUE', `Redis lost job ${jobId} before its result was complete (${again})`);
        }
        resubmits++;
        progress.lastId = '0-0'; // the new attempt's chunks come from 0; those seen already are skipped
        await this.add(progress, data);
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      this.inProgress.delete(stopper);
      this.finish(progress);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stopper of this.inProgress) stopper.abort(new HeatbathError('ERR_QUEUE', 'the job queue was closed'));
    await new Promise(setImmediate); // the aborted reads reject, and their jobs' cleanups start
    await Promise.all(this.cleanups);
    await Promise.allSettled([withDeadline(this.queue.close(), this.connection.unavailableMs)]);
    for (const reader of this.idleReaders.splice(0)) reader.disconnect();
    await hangUp(this.client.redis, this.connection.unavailableMs);
  }

  private async add(progress: Progress, data: unknown): Promise<void> {
    const job = {
      jobId: progress.jobId,
      attempts: 1,
      removeOnComplete: true,
      removeOnFail: { count: this.settings.keepFailed },
    };
    await this.call(this.queue.add('job', data, job), progress);
  }

  /** Waits up to `pollMs` for new entries, on a blocking connection of its own. */
  private async readBlocking(progress: Progress): Promise<StreamReply> {
    progress.stop.throwIfAborted();
    const reader = this.idleReaders.pop() ?? this.newReader();
    const read = reader.xreadBuffer(
      'COUNT',
      READ_COUNT,
      'BLOCK',
      this.settings.pollMs,
      'STREAMS',
      this.keys.result(progress.jobId),
      progress.lastId,
    );
    try {
      const reply = await this.call(read, progress, this.settings.pollMs);
      if (this.idleReaders.length < MAX_IDLE_READERS && !this.closed) this.idleReaders.push(reader);
      else reader.disconnect();
      return reply as StreamReply;
    } catch (err) {
      reader.disconnect(); // its read may still be pending
      throw err;
    }
  }

  private newReader(): Redis {
    const reader = this.client.redis.duplicate();
    reader.on('error', () => undefined); // reported through the calls' deadlines, as for the main connection
    return reader;
  }

  /** Hands the chunks of a read to the caller, in order, through the assembler. */
  private *take(progress: Progress, reply: StreamReply): Generator<Buffer, void, undefined> {
    for (const [, entries] of reply ?? []) {
      for (const [id, fields] of entries) {
        progress.lastId = id.toString('latin1');
        const chunk = progress.assembler.accept(parseEntry(fields));
        if (chunk) yield chunk;
        if (progress.assembler.finished) return;
      }
    }
  }

  /** Drops the entries read (the worker waits while too many are unread); a failure only delays that. */
  private trim(progress: Progress): void {
    if (progress.lastId === '0-0') return;
    const [ms, seq] = progress.lastId.split('-');
    this.client.redis
      .xtrim(this.keys.result(progress.jobId), 'MINID', `${ms}-${BigInt(seq) + 1n}`)
      .catch(() => undefined);
  }

  private async lookUp(
    progress: Progress,
  ): Promise<{ kind: 'present' | 'missing' } | { kind: 'failed'; reason: string }> {
    const replies = await this.call(
      this.client.redis
        .pipeline()
        .exists(this.keys.job(progress.jobId))
        .zscore(this.keys.failed, progress.jobId)
        .hget(this.keys.job(progress.jobId), 'failedReason')
        .exec(),
      progress,
    );
    const [exists, failedAt, reason] = (replies ?? []).map(([err, value]) => {
      if (err) throw new HeatbathError('ERR_QUEUE', `looking up job ${progress.jobId}: ${err.message}`, { cause: err });
      return value;
    });
    if (exists !== 1) return { kind: 'missing' };
    return failedAt === null ? { kind: 'present' } : { kind: 'failed', reason: String(reason ?? 'no reason given') };
  }

  /**
   * After the last chunk, or on the way out early: drops the result stream, and cancels an unfinished job. Not
   * awaited (the caller has its result or its error, and Redis may be out of reach); close() waits for it.
   */
  private finish(progress: Progress): void {
    const { jobId, assembler } = progress;
    const stream = this.keys.result(jobId);
    const deadline = this.connection.unavailableMs;
    const settled = assembler.finished || assembler.failed || progress.failed;
    const cleanup = (async () => {
      if (settled) return void (await this.client.redis.del(stream));
      // A waiting job is removed; a running one is told to stop (the worker then drops what it wrote).
      const removed = await withDeadline(this.queue.remove(jobId), deadline);
      if (removed === 1) await this.client.redis.del(stream);
      else {
        const keys = [this.keys.job(jobId), this.keys.cancel(jobId), stream];
        await this.client.redis.eval(CANCEL_SCRIPT, 3, ...keys, CANCEL_TTL_MS, this.keys.cancelChannel, jobId);
      }
    })();
    // Redis out of reach: the stream and the cancel flag expire by themselves.
    const done: Promise<void> = withDeadline(cleanup, deadline)
      .catch(() => undefined)
      .then(() => void this.cleanups.delete(done));
    this.cleanups.add(done);
  }

  /** A Redis call bounded by the connection's patience (plus `extraMs` for a blocking read) and the job's stop. */
  private async call<T>(promise: Promise<T>, progress: Progress, extraMs = 0): Promise<T> {
    try {
      return await withDeadline(promise, this.connection.unavailableMs + extraMs, progress.stop);
    } catch (err) {
      if (err instanceof HeatbathError) throw err; // the job's stop: aborted, timed out, closed
      if (err instanceof DeadlineError) throw unreachable(this.client, this.connection, err);
      throw new HeatbathError(
        'ERR_QUEUE',
        `Redis refused a command for job ${progress.jobId}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}

function aborted(jobId: string): HeatbathError {
  return new HeatbathError('ERR_ABORTED', `job ${jobId} was aborted`);
}

/** Job data goes to Redis as JSON: refuse what has no JSON form (undefined, functions, BigInt, cycles). */
function checkJson(data: unknown): void {
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (err) {
    throw invalid(`job data must be JSON: ${(err as Error).message}`);
  }
  if (text === undefined) throw invalid('job data must be JSON, got ' + typeof data);
}
