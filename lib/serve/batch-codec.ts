/**
 * One computed batch as bytes, for the queue: a little-endian u32 header length, the header (JSON: work,
 * seconds, and each observed figure's array type and length), then the samples' bytes and each figure's bytes
 * in header order. Typed arrays travel as their bytes, so a batch costs no number formatting or parsing.
 */
import { HeatbathError } from '../errors';
import { BatchResult, SamplePlan } from './kinds';
import { ServedObservable } from './request-schema';

interface Header {
  work: number;
  seconds: number;
  extras: [ServedObservable, 'f4' | 'f8', number][];
}

const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

export function encodeBatch(result: BatchResult): Buffer {
  const extras = Object.entries(result.extras) as [ServedObservable, Float64Array | Float32Array][];
  const header: Header = {
    work: result.work,
    seconds: result.seconds,
    extras: extras.map(([name, values]) => [name, values instanceof Float32Array ? 'f4' : 'f8', values.length]),
  };
  const head = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(head.length);
  return Buffer.concat([length, head, bytes(result.samples), ...extras.map(([, values]) => bytes(values))]);
}

const malformed = () => new HeatbathError('ERR_JOB_FAILED', 'a queued batch came back malformed');

/** The batch of `count` samples of `plan` that `encodeBatch` wrote (copied into aligned arrays). */
export function decodeBatch(chunk: Buffer, plan: SamplePlan, count: number): BatchResult {
  if (chunk.length < 4) throw malformed();
  const headLength = chunk.readUInt32LE(0);
  let header: Header;
  try {
    header = JSON.parse(chunk.subarray(4, 4 + headLength).toString());
  } catch {
    throw malformed();
  }
  let at = 4 + headLength;
  /** The next `size` bytes, copied into a fresh (so aligned) buffer. */
  const take = (size: number): ArrayBuffer => {
    if (at + size > chunk.length) throw malformed();
    const out = new Uint8Array(size);
    out.set(chunk.subarray(at, at + size));
    at += size;
    return out.buffer;
  };
  const values = count * plan.width;
  const samples =
    plan.dtype === 'i1'
      ? new Int8Array(take(values))
      : plan.dtype === 'u1'
        ? new Uint8Array(take(values))
        : new Float32Array(take(4 * values));
  const extras: BatchResult['extras'] = {};
  for (const [name, type, n] of header.extras)
    extras[name] = type === 'f4' ? new Float32Array(take(4 * n)) : new Float64Array(take(8 * n));
  if (at !== chunk.length) throw malformed();
  return { samples, extras, work: header.work, seconds: header.seconds };
}
