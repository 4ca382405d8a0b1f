/**
 * Errors a client can cause, as HTTP answers: a status and a stable code in a JSON body. Library errors
 * (HeatbathError) map onto statuses by their code; anything else is a 500 whose details stay in the log.
 */
import { HeatbathError } from '../errors';

export class ServeError extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra response headers (Retry-After). */
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ServeError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

const STATUS_OF: Record<string, number> = {
  ERR_INVALID_ARGUMENT: 422,
  ERR_INVALID_GRAPH: 422,
  ERR_INVALID_BLOCKS: 422,
  ERR_NOT_FINITE: 422,
  ERR_TOO_LARGE: 413,
  ERR_BAD_FILE: 409,
  ERR_IO: 409,
  ERR_ABORTED: 503,
};

export interface ErrorBody {
  error: { code: string; message: string };
}

/** The status, body and headers a failed request answers with. */
export function errorAnswer(err: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
  if (err instanceof ServeError)
    return { status: err.status, body: { error: { code: err.code, message: err.message } }, headers: err.headers };
  if (err instanceof HeatbathError && STATUS_OF[err.code] !== undefined) {
    return { status: STATUS_OF[err.code], body: { error: { code: err.code, message: err.message } }, headers: {} };
  }
  return {
    status: 500,
    body: { error: { code: 'ERR_INTERNAL', message: 'internal error (details are in the server log)' } },
    headers: {},
  };
}
