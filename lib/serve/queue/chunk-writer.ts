/**
 * A worker's side of one attempt's result stream (protocol.ts): it appends the handler's chunks, its end or its
 * error, keeps the stream short (waiting while the consumer has more than `maxBufferedChunks` unread) and
 * notices when the consumer has cancelled the job (its flag, checked with every chunk at no extra round trip).
 */
import type { Redis } from 'ioredis';
import { HeatbathError } from '../../errors';
import { invalid } from '../../util/validate';
import { QueueKeys } from './keys';
import { chunkFields, endFields, errorFields } from './protocol';

/** The largest chunk (Redis refuses values over 512 MiB; a chunk this big should be split anyway). */
export const MAX_CHUNK_BYTES = 256 * 1024 * 1024;

export interface WriterLimits {
  /** How long an unread result may stay in Redis (refreshed with each entry). */
  resultTtlMs: number;
  /** Unread chunks past which the writer waits for the consumer. */
  maxBufferedChunks: number;
  /** How long the writer waits for a consumer that reads nothing before it gives up with ERR_TIMEOUT. */
  consumerTimeoutMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ChunkWriter {
  private index = 0;
  private readonly stream: string;
  private readonly cancelFlag: string;

  /**
   * @param signal aborted when the attempt must stop (its consumer cancelled it, or its worker lost the job)
   * @param onCancelled called when the writer finds the consumer's cancel flag
   */
  constructor(
    private readonly redis: Redis,
    keys: QueueKeys,
    private readonly jobId: string,
    private readonly limits: WriterLimits,
    private readonly signal: AbortSignal,
    private readonly onCancelled: () => void,
  ) {
    this.stream = keys.result(jobId);
    this.cancelFlag = keys.cancel(jobId);
  }

  async emit(chunk: Uint8Array): Promise<void> {
    this.signal.throwIfAborted();
    if (!(chunk instanceof Uint8Array)) throw invalid('emit() takes a Buffer or a Uint8Array');
    if (chunk.byteLength > MAX_CHUNK_BYTES) {
      throw new HeatbathError(
        'ERR_TOO_LARGE',
        `a result chunk may hold at most ${MAX_CHUNK_BYTES} bytes, got ${chunk.byteLength}`,
      );
    }
    const data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const replies = await this.redis
      .pipeline()
      .xadd(this.stream, '*', ...chunkFields(this.index++, data))
      .pexpire(this.stream, this.limits.resultTtlMs)
      .exists(this.cancelFlag)
      .xlen(this.stream)
      .exec();
    const [cancelled, unread] = results(replies).slice(2) as number[];
    this.checkCancelled(cancelled);
    if (unread > this.limits.maxBufferedChunks) await this.whenRead(unread);
  }

  /** Appends the end entry: the handler returned after `count` chunks. */
  async end(): Promise<void> {
    results(
      await this.redis
        .pipeline()
        .xadd(this.stream, '*', ...endFields(this.index))
        .pexpire(this.stream, this.limits.resultTtlMs)
        .exec(),
    );
  }

  /** Appends the handler's error, for the consumer to throw. */
  async fail(err: unknown): Promise<void> {
    results(
      await this.redis
        .pipeline()
        .xadd(this.stream, '*', ...errorFields(err))
        .pexpire(this.stream, this.limits.resultTtlMs)
        .exec(),
    );
  }

  /** Drops what a cancelled attempt wrote (its consumer is gone), and the cancel flag with it. */
  async discard(): Promise<void> {
    await this.redis.del(this.stream, this.cancelFlag);
  }

  /** Waits until the consumer has read down to half the buffer; polls with a growing pause (1 ms … 50 ms). */
  private async whenRead(unread: number): Promise<void> {
    let pause = 1;
    let least = unread;
    let progressAt = Date.now();
    while (unread > this.limits.maxBufferedChunks / 2) {
      await sleep(pause);
      this.signal.throwIfAborted();
      pause = Math.min(2 * pause, 50);
      const replies = await this.redis.pipeline().exists(this.cancelFlag).xlen(this.stream).exec();
      const [cancelled, length] = results(replies) as number[];
      this.checkCancelled(cancelled);
      unread = length;
      if (unread < least) {
        least = unread;
        progressAt = Date.now();
      } else if (Date.now() - progressAt > this.limits.consumerTimeoutMs) {
        throw new HeatbathError(
          'ERR_TIMEOUT',
          `nobody read job ${this.jobId}'s result for ${this.limits.consumerTimeoutMs} ms`,
        );
      }
    }
  }

  private checkCancelled(flag: number): void {
    if (flag === 1) this.onCancelled();
    this.signal.throwIfAborted();
  }
}

/** A pipeline's replies, throwing the first error among them. */
function results(replies: [Error | null, unknown][] | null): unknown[] {
  if (replies === null) throw new HeatbathError('ERR_QUEUE', 'a Redis pipeline was discarded');
  return replies.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
