/**
 * What one request may ask for and how much the server holds at once. The budget counts work units:
 * samples × sweeps (or steps) × units updated per sweep, the engine's cost; the result size is the bytes the
 * answer holds before encoding.
 */
import { checkInteger } from '../util/validate';
import { ServeError } from './errors';

export interface ServeLimits {
  /** Work units one request may cost (n × sweeps × units). */
  maxWork: number;
  /** Samples one request may ask for. */
  maxSamples: number;
  /** Bytes of samples one answer may hold (before JSON or PNG encoding). */
  maxResultBytes: number;
  /** Requests running at once (they share the cores batch by batch). */
  maxRunning: number;
  /** Requests waiting beyond the running ones; more are refused with 503. */
  maxQueued: number;
  /** Milliseconds a request may take, queue included; then it is cancelled (503). */
  timeoutMs: number;
  /** Largest request body, bytes. */
  bodyLimit: number;
  /** Requests per minute per client address (0: no limit). */
  ratePerMinute: number;
  /** Native threads one request may use (default: all cores). */
  threads?: number;
}

export const DEFAULT_LIMITS: ServeLimits = {
  maxWork: 2 ** 34,
  maxSamples: 65536,
  // JSON spells an int8 value in about 3 characters and a float32 in up to 20: 64 MiB stays under V8's string limit.
  maxResultBytes: 64 * 2 ** 20,
  maxRunning: 8,
  maxQueued: 64,
  timeoutMs: 120_000,
  bodyLimit: 2 ** 20,
  ratePerMinute: 6000,
};

/** Fills and checks the limits a caller set. */
export function resolveLimits(given: Partial<ServeLimits> = {}): ServeLimits {
  const limits = { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };
  checkInteger('maxWork', limits.maxWork, 1);
  checkInteger('maxSamples', limits.maxSamples, 1);
  checkInteger('maxResultBytes', limits.maxResultBytes, 1);
  checkInteger('maxRunning', limits.maxRunning, 1, 4096);
  checkInteger('maxQueued', limits.maxQueued, 0, 1 << 20);
  checkInteger('timeoutMs', limits.timeoutMs, 1);
  checkInteger('bodyLimit', limits.bodyLimit, 1024, 2 ** 30);
  checkInteger('ratePerMinute', limits.ratePerMinute, 0);
  if (limits.threads !== undefined) checkInteger('threads', limits.threads, 1, 1024);
  return limits;
}

/** Refuses a request whose cost or answer exceeds the limits (413, before any work). */
export function checkBudget(limits: ServeLimits, job: { n: number; work: number; resultBytes: number }): void {
  if (job.n > limits.maxSamples)
    throw new ServeError(
      413,
      'ERR_OVER_BUDGET',
      `n = ${job.n} is more than the ${limits.maxSamples} samples one request may ask for`,
    );
  if (job.work > limits.maxWork) {
    throw new ServeError(
      413,
      'ERR_OVER_BUDGET',
      `the request costs ${job.work} unit updates (n × sweeps × units), more than the budget of ${limits.maxWork}`,
    );
  }
  if (job.resultBytes > limits.maxResultBytes) {
    throw new ServeError(
      413,
      'ERR_OVER_BUDGET',
      `the answer would hold ${job.resultBytes} bytes of samples, more than ${limits.maxResultBytes}`,
    );
  }
}
