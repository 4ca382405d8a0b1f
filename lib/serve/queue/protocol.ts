/**
 * The entries of a job's result stream. A worker's attempt appends
 *   chunk  { i: index, h: digest, d: bytes }   for each chunk, indices 0, 1, 2, … in order,
 *   end    { n: count }                        when its handler has returned,
 *   error  { e: code, m: message }             when its handler has thrown.
 * Attempts of one job (a retry after a worker died, a resubmission after Redis lost the job) append to the
 * same stream and start again at index 0. Handlers are deterministic in their input, so chunk i is the same
 * bytes in every attempt: the reader keeps the first copy of each index and checks the others' digests.
 */
import { createHash } from 'crypto';
import { ErrorCode, HeatbathError } from '../../errors';

export type ResultEntry =
  | { kind: 'chunk'; index: number; digest: string; data: Buffer }
  | { kind: 'end'; count: number }
  | { kind: 'error'; code: ErrorCode; message: string };

/** The longest error message a worker writes (a handler's message could be anything). */
const MAX_MESSAGE = 2000;

/** A chunk's digest: 96 bits of SHA-1, enough to tell two attempts' bytes apart. */
export function chunkDigest(data: Uint8Array): string {
  return createHash('sha1').update(data).digest('base64').slice(0, 16);
}

/** The XADD field list of a chunk. */
export function chunkFields(index: number, data: Buffer): (string | Buffer)[] {
  return ['i', String(index), 'h', chunkDigest(data), 'd', data];
}

export function endFields(count: number): string[] {
  return ['n', String(count)];
}

/** The error entry of a handler's failure: its own code if it has one (so a 4xx stays a 4xx), else ERR_JOB_FAILED. */
export function errorFields(err: unknown): string[] {
  const { code, message } = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: unknown;
    message?: unknown;
  };
  const coded = typeof code === 'string' && /^ERR_[A-Z_]{1,40}$/.test(code) ? code : 'ERR_JOB_FAILED';
  const text = typeof message === 'string' ? message : String(err);
  return ['e', coded, 'm', text.slice(0, MAX_MESSAGE)];
}

/** Reads one stream entry's flat field list (as XREAD returns it, in buffers). */
export function parseEntry(fields: Buffer[]): ResultEntry {
  const map = new Map<string, Buffer>();
  for (let k = 0; k + 1 < fields.length; k += 2) map.set(fields[k].toString('latin1'), fields[k + 1]);
  const int = (key: string) => {
    const value = Number(map.get(key)?.toString('latin1'));
    if (!Number.isSafeInteger(value) || value < 0) throw malformed();
    return value;
  };
  const data = map.get('d');
  if (data !== undefined)
    return { kind: 'chunk', index: int('i'), digest: map.get('h')?.toString('latin1') ?? '', data };
  if (map.has('n')) return { kind: 'end', count: int('n') };
  const code = map.get('e')?.toString('latin1');
  if (code !== undefined)
    return { kind: 'error', code: code as ErrorCode, message: map.get('m')?.toString('utf8') ?? '' };
  throw malformed();
}

function malformed(): HeatbathError {
  return new HeatbathError('ERR_QUEUE', 'a job result stream holds an entry that is not a chunk, an end or an error');
}
