/** The options the producer and the worker share, their defaults and their checks (written once here). */
import { invalid, checkInteger } from '../../util/validate';

/** The queue's name when none is given: producers and workers meet on it. */
export const DEFAULT_QUEUE_NAME = 'heatbath';

/** The longest time any of the queue's waits may be set to (a day). */
const MAX_MS = 86_400_000;

export interface ConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). */
  url: string;
  /** The queue's name (letters, digits, `-`, `_`, `.`); default `heatbath`. */
  name?: string;
  /** The prefix of every Redis key; default `bull` (BullMQ's). */
  prefix?: string;
  /** How long Redis may stay unreachable before a call gives up with ERR_QUEUE; default 10 s. */
  unavailableMs?: number;
}

export interface Connection {
  url: string;
  name: string;
  prefix: string;
  unavailableMs: number;
}

const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export function checkMs(what: string, value: unknown, fallback: number, min = 1): number {
  return value === undefined ? fallback : checkInteger(what, value, min, MAX_MS);
}

export function checkConnection(options: ConnectionOptions): Connection {
  if (typeof options !== 'object' || options === null) throw invalid('the queue options must be an object');
  const { url, name = DEFAULT_QUEUE_NAME, prefix = 'bull' } = options;
  if (typeof url !== 'string' || !/^rediss?:\/\/[^\s]+$/.test(url)) {
    throw invalid('url must be a redis:// or rediss:// URL');
  }
  if (typeof name !== 'string' || !NAME.test(name))
    throw invalid('name must be 1-100 letters, digits, "-", "_" or "."');
  if (typeof prefix !== 'string' || !NAME.test(prefix)) {
    throw invalid('prefix must be 1-100 letters, digits, "-", "_" or "."');
  }
  return { url, name, prefix, unavailableMs: checkMs('unavailableMs', options.unavailableMs, 10_000) };
}

/** A job id: what BullMQ accepts as a custom id (no ":", not an integer), kept short and printable. */
export function checkJobId(jobId: unknown): string {
  if (typeof jobId !== 'string' || !NAME.test(jobId) || /^\d+$/.test(jobId)) {
    throw invalid('jobId must be 1-100 letters, digits, "-", "_" or ".", and not only digits');
  }
  return jobId;
}
