/**
 * Redis connections for the queue. bullmq and ioredis are loaded here, on first use, so that loading
 * heatbath (or this module) never loads them.
 */
import type * as BullMQ from 'bullmq';
import type { Redis } from 'ioredis';
import { HeatbathError } from '../../errors';
import { Connection } from './options';

export function loadBullmq(): typeof BullMQ {
  return require('bullmq');
}

/** A URL fit for an error message: its password replaced. */
export function safeUrl(url: string): string {
  return url.replace(/\/\/([^@/]*):[^@/]*@/, '//$1:***@');
}

/** A client connection plus the last connection error it saw (for messages: a refused port, a bad password). */
export interface Client {
  redis: Redis;
  lastError(): string | undefined;
}

/**
 * Opens a connection. Commands wait while it reconnects (BullMQ's workers need that); callers bound every wait
 * with `withDeadline` and the connection's `unavailableMs`.
 */
export function connect(connection: Connection): Client {
  const { Redis } = require('ioredis') as typeof import('ioredis');
  const redis = new Redis(connection.url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => Math.min(50 * times, 1000),
    disconnectTimeout: 200, // a socket that does not close when ended is destroyed this soon (ioredis: 2 s)
  });
  let last: string | undefined;
  // Without a listener ioredis prints every failed reconnection; the callers turn them into coded errors.
  redis.on('error', (err: Error) => (last = err.message));
  return { redis, lastError: () => last };
}

/** Closes a connection politely (QUIT) if Redis answers soon enough, else at once. */
export async function hangUp(redis: Redis, ms: number): Promise<void> {
  try {
    await withDeadline(redis.quit(), ms);
  } catch {
    redis.disconnect();
  }
}

/** Waits until the connection answers, or fails with ERR_QUEUE after `connection.unavailableMs`. */
export async function whenReachable(client: Client, connection: Connection): Promise<void> {
  try {
    await withDeadline(client.redis.ping(), connection.unavailableMs);
  } catch (err) {
    throw unreachable(client, connection, err);
  }
}

export function unreachable(client: Client, connection: Connection, cause: unknown): HeatbathError {
  const why = client.lastError() ?? (cause instanceof Error ? cause.message : String(cause));
  return new HeatbathError(
    'ERR_QUEUE',
    `Redis at ${safeUrl(connection.url)} did not answer within ${connection.unavailableMs} ms (${why})`,
    { cause },
  );
}

/** Thrown by withDeadline when the time is up. */
export class DeadlineError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/** The promise's outcome, or a DeadlineError after `ms`, or the signal's abort (its reason), whichever comes first. */
export function withDeadline<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => finish(() => reject(signal!.reason));
    const timer = setTimeout(() => finish(() => reject(new DeadlineError(ms))), ms);
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    // Handlers go on the promise first: one rejected after the deadline or the abort is still handled.
    promise.then(
      (value) => finish(() => resolve(value)),
      (err) => finish(() => reject(err)),
    );
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
