/**
 * Every error heatbath raises on purpose is a HeatbathError with a stable `code`,
 * so callers can branch on `err.code` instead of parsing messages.
 */
export type ErrorCode =
  | 'ERR_INVALID_ARGUMENT' // a value of the wrong type, range or length
  | 'ERR_INVALID_GRAPH' // self-loops, duplicate edges, out-of-range nodes
  | 'ERR_INVALID_BLOCKS' // a user colouring that puts two neighbours in one block
  | 'ERR_NOT_FINITE' // NaN or Infinity where a finite number is required
  | 'ERR_TOO_LARGE' // a request whose memory would not fit
  | 'ERR_NOT_POSITIVE_DEFINITE' // a matrix that must be symmetric positive (semi)definite is not
  | 'ERR_NOT_STABLE' // a drift matrix with an eigenvalue whose real part is <= 0 (no stationary state)
  | 'ERR_ABORTED' // cancelled by an AbortSignal
  | 'ERR_BUSY' // an object already running a job
  | 'ERR_DISPOSED' // an object used after its dispose()
  | 'ERR_NATIVE_MISSING' // the native addon could not be loaded
  | 'ERR_IO' // a file could not be read or written
  | 'ERR_BAD_FILE' // a file whose content is malformed
  | 'ERR_QUEUE' // the job queue's Redis is unreachable, or lost a job more often than it may be resubmitted
  | 'ERR_TIMEOUT' // a job gave no result within its time limit
  | 'ERR_JOB_FAILED' // a queued job failed on its worker with an error that carries no code of its own
  | 'ERR_BAD_RESPONSE' // a server answered something the client cannot read
  // Answers of `heatbath serve` (docs/serving.md lists their statuses), which the client passes on:
  | 'ERR_BAD_REQUEST' // a body that is not JSON or breaks the request schema
  | 'ERR_BODY_TOO_LARGE'
  | 'ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'ERR_NOT_FOUND' // no model of that name
  | 'ERR_NOT_SERVABLE' // a model file of a kind the server cannot sample
  | 'ERR_NOT_ACCEPTABLE' // an answer format the request's model cannot give
  | 'ERR_OVER_BUDGET' // a request costing more than the server's per-request limits
  | 'ERR_UNAUTHORIZED'
  | 'ERR_RATE_LIMITED'
  | 'ERR_QUEUE_FULL'
  | 'ERR_DRAINING' // the server is shutting down
  | 'ERR_INTERNAL'; // a bug: please report it

export class HeatbathError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HeatbathError';
    this.code = code;
  }
}

/** Errors thrown by the addon carry a string `code`; give them the HeatbathError type. */
export function asHeatbathError(err: unknown): unknown {
  // Duck-typed: errors from the addon may come from another realm (vm contexts, test runners).
  if (err instanceof HeatbathError || typeof err !== 'object' || err === null) return err;
  const { code, message } = err as { code?: unknown; message?: unknown };
  return typeof code === 'string' && code.startsWith('ERR_') && typeof message === 'string'
    ? new HeatbathError(code as ErrorCode, message, { cause: err })
    : err;
}

/** Runs a native call, converting its coded errors to HeatbathError. */
export function callNative<T>(body: () => T): T {
  try {
    return body();
  } catch (err) {
    throw asHeatbathError(err);
  }
}
