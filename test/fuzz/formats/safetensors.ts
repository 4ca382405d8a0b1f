/**
 * Mutations of safetensors files (model files of every kind are safetensors too): header fields and the
 * metadata's JSON, tensor shapes with or without matching data, dropped and swapped tensors, non-finite
 * parameters, the header length, and raw bytes.
 */
import { Json, mutateJson, hostileJsonValue, HOSTILE_NUMBERS, PROTOTYPE_KEYS } from '../mutate-json';
import { havoc } from '../mutate-bytes';
import { CaseRandom } from '../random';

interface Entry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}
type Header = Record<string, Entry | Record<string, string>>;

interface Parsed {
  header: Header;
  metadata: Record<string, string>;
  /** Each tensor's bytes, by name, in file order. */
  blobs: Map<string, Buffer>;
}

const ELEMENT_BYTES: Record<string, number> = { F64: 8, F32: 4, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

function parse(file: Buffer): Parsed {
  const length = Number(file.readBigUInt64LE(0));
  const header = JSON.parse(file.toString('utf8', 8, 8 + length)) as Header;
  const data = file.subarray(8 + length);
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const entries = Object.entries(header).filter(([name]) => name !== '__metadata__') as [string, Entry][];
  entries.sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  const blobs = new Map(entries.map(([name, e]) => [name, data.subarray(e.data_offsets[0], e.data_offsets[1])]));
  return { header, metadata, blobs };
}

/** A file from header text and data, the header padded with spaces to a multiple of 8 as writers do. */
function safetensorsBytes(headerText: string, data: Buffer): Buffer {
  const json = Buffer.from(headerText, 'utf8');
  const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, 0x20);
  json.copy(padded);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(padded.length));
  return Buffer.concat([length, padded, data]);
}

/** Lays the blobs out back to back with offsets to match; `shapes` overrides tensors' shapes. */
function build(parsed: Parsed, shapes: Record<string, number[]> = {}): Buffer {
  const header: Record<string, unknown> = { __metadata__: parsed.metadata };
  let offset = 0;
  for (const [name, blob] of parsed.blobs) {
    const entry = parsed.header[name] as Entry;
    header[name] = {
      dtype: entry.dtype,
      shape: shapes[name] ?? entry.shape,
      data_offsets: [offset, offset + blob.length],
    };
    offset += blob.length;
  }
  return safetensorsBytes(JSON.stringify(header), Buffer.concat([...parsed.blobs.values()]));
}

function pickTensor(rng: CaseRandom, parsed: Parsed): string | undefined {
  const names = [...parsed.blobs.keys()];
  return names.length === 0 ? undefined : rng.pick(names);
}

/** A new shape for a tensor: the same element count rearranged, or another count with its data resized. */
function reshape(rng: CaseRandom, parsed: Parsed): Buffer {
  const name = pickTensor(rng, parsed);
  if (name === undefined) return build(parsed);
  const entry = parsed.header[name] as Entry;
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const size = ELEMENT_BYTES[entry.dtype] ?? 1;
  const shapes: Record<string, number[]> = {};
  if (rng.chance(0.4)) {
    shapes[name] = rng.pick(
      [[count], [1, count], [count, 1], [...entry.shape].reverse(), [...entry.shape, 1], []].filter(
        (s) => s.reduce((a, b) => a * b, 1) === count,
      ),
    );
  } else {
    const dims = entry.shape.length === 0 ? [1] : [...entry.shape];
    const d = rng.int(dims.length);
    dims[d] = rng.pick([0, 1, dims[d] + 1, Math.max(0, dims[d] - 1), dims[d] * 2, 1000]);
    const bytes = dims.reduce((a, b) => a * b, 1) * size;
    const old = parsed.blobs.get(name)!;
    parsed.blobs.set(
      name,
      bytes <= old.length ? old.subarray(0, bytes) : Buffer.concat([old, Buffer.alloc(bytes - old.length)]),
    );
    shapes[name] = dims;
  }
  return build(parsed, shapes);
}

/** Drops a tensor, swaps two tensors' data, or gives one tensor's data to another. */
function spliceTensors(rng: CaseRandom, parsed: Parsed): Buffer {
  const a = pickTensor(rng, parsed);
  const b = pickTensor(rng, parsed);
  if (a === undefined || b === undefined) return build(parsed);
  const op = rng.int(3);
  if (op === 0) {
    parsed.blobs.delete(a);
  } else {
    const [blobA, blobB] = [parsed.blobs.get(a)!, parsed.blobs.get(b)!];
    parsed.blobs.set(a, blobB);
    if (op === 1) parsed.blobs.set(b, blobA);
  }
  return build(parsed);
}

/** NaN, ±Infinity or a huge value in a float tensor. */
function nonFinite(rng: CaseRandom, parsed: Parsed): Buffer {
  const floats = [...parsed.blobs.keys()].filter((n) => ['F32', 'F64'].includes((parsed.header[n] as Entry).dtype));
  if (floats.length === 0) return build(parsed);
  const name = rng.pick(floats);
  const blob = Buffer.from(parsed.blobs.get(name)!);
  const f64 = (parsed.header[name] as Entry).dtype === 'F64';
  const count = blob.length / (f64 ? 8 : 4);
  if (count > 0) {
    const value = rng.pick([NaN, Infinity, -Infinity, 3e38, -3e38, 1e-45]);
    const at = rng.int(count);
    if (f64) blob.writeDoubleLE(value, 8 * at);
    else blob.writeFloatLE(value, 4 * at);
  }
  parsed.blobs.set(name, blob);
  return build(parsed);
}

function metadataValue(rng: CaseRandom, key: string): string {
  if (key === 'kind') return rng.pick(['rbm', 'gtc', 'dtm', '', 'RBM', 'ising', ...PROTOTYPE_KEYS]);
  if (key === 'format_version')
    return rng.pick(['0', '1', '2', '-1', '01', '1.0', ' 1', '1e3', '99999999999999999999', '', 'NaN']);
  return rng.pick([...HOSTILE_NUMBERS, '', 'x'.repeat(100_000)]);
}

/** The metadata's hyper-parameters (JSON in a string) with one value replaced, deleted or a key added. */
function mutateHyper(rng: CaseRandom, parsed: Parsed): Buffer {
  const { hyper } = parsed.metadata;
  let doc: Json;
  try {
    doc = JSON.parse(hyper ?? '{}') as Json;
  } catch {
    doc = {};
  }
  parsed.metadata = { ...parsed.metadata, hyper: rng.chance(0.9) ? mutateJson(rng, doc) : hostileJsonValue(rng) };
  return build(parsed);
}

export function mutateSafetensors(rng: CaseRandom, seed: Buffer, donor: Buffer): Buffer {
  const parsed = parse(seed);
  switch (rng.int(9)) {
    case 0:
      return safetensorsBytes(
        mutateJson(rng, parsed.header as unknown as Json),
        seed.subarray(8 + Number(seed.readBigUInt64LE(0))),
      );
    case 1: {
      const key = rng.pick(['kind', 'format_version', 'heatbath_version', 'hyper']);
      parsed.metadata = { ...parsed.metadata, [key]: metadataValue(rng, key) };
      return build(parsed);
    }
    case 2:
    case 3:
      return mutateHyper(rng, parsed);
    case 4:
      return reshape(rng, parsed);
    case 5:
      return spliceTensors(rng, parsed);
    case 6:
      return nonFinite(rng, parsed);
    case 7: {
      const out = Buffer.from(seed);
      out.writeBigUInt64LE(BigInt(rng.pick([0, 1, 7, out.length - 8, out.length, 100_000_000, 2 ** 32, 2 ** 53])));
      return out;
    }
    default:
      return havoc(rng, seed, donor);
  }
}
