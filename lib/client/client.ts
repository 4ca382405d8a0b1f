/**
 * A typed client of `heatbath serve`: the models, samples as typed arrays, batches streamed as the server
 * computes them, cancellation by AbortSignal, and retries with backoff when the server is full or starting.
 * It speaks HTTP through Node's fetch and needs no native addon.
 */
import { ErrorCode, HeatbathError } from '../errors';
import { ndjsonLines } from './ndjson';
import { SampleDtype, SampleRequest } from './types';

export interface HeatbathClientOptions {
  /** Bearer token, when the server was started with --token-file. */
  token?: string;
  /** Retries of a request answered 503 (queue full, draining, loading) or refused at connection (default 3). */
  retries?: number;
  /** First wait between attempts in ms, doubled each time unless the server's Retry-After asks for more (default 100). */
  retryDelayMs?: number;
  /** Longest wait between attempts in ms (default 5,000). */
  maxRetryDelayMs?: number;
}

export type SampleValues = Int8Array | Uint8Array | Float32Array;

/** The samples of one request (or one streamed batch), row-major: `count` rows of `width` values. */
export interface SampleBatch {
  /** Index of the batch's first sample within the request. */
  offset: number;
  count: number;
  width: number;
  samples: SampleValues;
  /** Per-sample energies, when asked with `observe`. */
  energy?: Float64Array;
  magnetization?: Float64Array;
  /** count × width probabilities, when asked with `observe`. */
  probabilities?: Float32Array;
}

/** What the server measured of a request: engine time (queue time excluded), waiting time and rates. */
export interface SampleStats {
  engineSeconds: number;
  queueSeconds: number;
  workPerNs: number;
  samplesPerSecond: number;
}

export interface Samples extends SampleBatch {
  model: string;
  kind: string;
  n: number;
  seed: number;
  dtype: SampleDtype;
  stats: SampleStats;
}

/** An error answer from the server: its HTTP status and coded message. */
export class HeatbathServerError extends HeatbathError {
  readonly status: number;

  constructor(status: number, code: ErrorCode, message: string) {
    super(code, message);
    this.name = 'HeatbathServerError';
    this.status = status;
  }
}

const VALUES: Record<SampleDtype, { from(values: number[]): SampleValues }> = {
  i1: Int8Array,
  u1: Uint8Array,
  f4: Float32Array,
};

function checkDtype(dtype: unknown): SampleDtype {
  if (dtype === 'i1' || dtype === 'u1' || dtype === 'f4') return dtype;
  throw new HeatbathError('ERR_BAD_RESPONSE', `the server answered samples of dtype ${String(dtype)}`);
}

/** Rows of numbers as one flat typed array. */
function flat<T>(rows: number[][], make: { from(values: number[]): T }): T {
  return make.from(rows.flat());
}

function batchOf(fields: Record<string, unknown>, offset: number, dtype: SampleDtype): SampleBatch {
  const rows = fields.samples as number[][];
  const batch: SampleBatch = {
    offset,
    count: rows.length,
    width: rows.length === 0 ? 0 : rows[0].length,
    samples: flat(rows, VALUES[dtype]),
  };
  if (Array.isArray(fields.energy)) batch.energy = Float64Array.from(fields.energy as number[]);
  if (Array.isArray(fields.magnetization)) batch.magnetization = Float64Array.from(fields.magnetization as number[]);
  if (Array.isArray(fields.probabilities)) batch.probabilities = flat(fields.probabilities as number[][], Float32Array);
  return batch;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    signal?.addEventListener('abort', stop, { once: true });
  });

const aborted = () => new HeatbathError('ERR_ABORTED', 'the request was cancelled');

export class HeatbathClient {
  private readonly base: URL;
  private readonly token?: string;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;

  /** `url`: the server's address, e.g. http://127.0.0.1:8080 */
  constructor(url: string | URL, options: HeatbathClientOptions = {}) {
    try {
      this.base = new URL(url);
    } catch {
      throw new HeatbathError('ERR_INVALID_ARGUMENT', `${String(url)} is not a URL`);
    }
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:')
      throw new HeatbathError('ERR_INVALID_ARGUMENT', 'the server URL must be http: or https:');
    const count = (name: string, value: number | undefined, fallback: number) => {
      const v = value ?? fallback;
      if (!Number.isInteger(v) || v < 0)
        throw new HeatbathError('ERR_INVALID_ARGUMENT', `${name} must be a non-negative integer`);
      return v;
    };
    this.token = options.token;
    this.retries = count('retries', options.retries, 3);
    this.retryDelayMs = count('retryDelayMs', options.retryDelayMs, 100);
    this.maxRetryDelayMs = count('maxRetryDelayMs', options.maxRetryDelayMs, 5000);
  }

  /** The models the server holds: name, kind, and the load error of those that failed. */
  async models(options: { signal?: AbortSignal } = {}): Promise<{ name: string; ok: boolean; kind?: string }[]> {
    const answer = (await (
      await this.request('GET', '/v1/models', undefined, 'application/json', options.signal)
    ).json()) as { models: { name: string; ok: boolean; kind?: string }[] };
    return answer.models;
  }

  /** One model's description: kind, sizes, hyper-parameters, what can be clamped or conditioned. */
  async model(name: string, options: { signal?: AbortSignal } = {}): Promise<Record<string, unknown>> {
    return (await (
      await this.request('GET', `/v1/models/${encodeURIComponent(name)}`, undefined, 'application/json', options.signal)
    ).json()) as Record<string, unknown>;
  }

  /** Draws samples; resolves when all are computed. */
  async sample(name: string, request: SampleRequest = {}, options: { signal?: AbortSignal } = {}): Promise<Samples> {
    const response = await this.request('POST', this.samplesPath(name), request, 'application/json', options.signal);
    const answer = (await response.json()) as Record<string, unknown>;
    const dtype = checkDtype(answer.dtype);
    return {
      ...batchOf(answer, 0, dtype),
      model: String(answer.model),
      kind: String(answer.kind),
      n: Number(answer.n),
      seed: Number(answer.seed),
      dtype,
      stats: answer.stats as SampleStats,
    };
  }

  /**
   * Draws samples and yields them batch by batch as the server computes them (NDJSON). Breaking out of the
   * loop, or aborting the signal, closes the connection, and the server cancels the job.
   */
  async *batches(
    name: string,
    request: SampleRequest = {},
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<SampleBatch & { dtype: SampleDtype }> {
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    const response = await this.request('POST', this.samplesPath(name), request, 'application/x-ndjson', signal);
    try {
      for await (const line of ndjsonLines(response.body as unknown as AsyncIterable<Uint8Array>)) {
        const fields = line as Record<string, unknown>;
        if (fields.error !== undefined) throw serverError(response.status, fields.error);
        if (fields.done === true) return;
        const dtype = checkDtype(fields.dtype);
        yield { ...batchOf(fields, Number(fields.offset), dtype), dtype };
      }
      throw new HeatbathError('ERR_BAD_RESPONSE', 'the server closed the stream before its last line');
    } catch (err) {
      if (options.signal?.aborted) throw aborted();
      throw err;
    } finally {
      controller.abort(); // ends the request if the caller stopped early
    }
  }

  private samplesPath(name: string): string {
    return `/v1/models/${encodeURIComponent(name)}/samples`;
  }

  /** One request, retried with backoff on 503 and refused connections; an error answer becomes a HeatbathServerError. */
  private async request(
    method: string,
    path: string,
    body: unknown,
    accept: string,
    signal?: AbortSignal,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(new URL(path, this.base), {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal,
        });
      } catch (err) {
        if (signal?.aborted) throw aborted();
        if (attempt >= this.retries)
          throw new HeatbathError('ERR_IO', `cannot reach ${this.base.origin}: ${(err as Error).message}`, {
            cause: err,
          });
        await sleep(this.backoff(attempt, undefined), signal);
        continue;
      }
      if (response.ok) return response;
      const answer = await response.json().catch(() => ({}));
      if (response.status === 503 && attempt < this.retries) {
        await sleep(this.backoff(attempt, response.headers.get('retry-after')), signal);
        continue;
      }
      throw serverError(response.status, (answer as { error?: unknown }).error);
    }
  }

  private backoff(attempt: number, retryAfter: string | null | undefined): number {
    const asked = retryAfter == null ? 0 : Number(retryAfter) * 1000;
    return Math.min(
      this.maxRetryDelayMs,
      Math.max(Number.isFinite(asked) ? asked : 0, this.retryDelayMs * 2 ** attempt),
    );
  }
}

function serverError(status: number, error: unknown): HeatbathServerError {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const known = typeof code === 'string' && /^ERR_[A-Z_]+$/.test(code);
  return new HeatbathServerError(
    status,
    (known ? code : 'ERR_BAD_RESPONSE') as ErrorCode,
    typeof message === 'string' ? message : `the server answered ${status}`,
  );
}
