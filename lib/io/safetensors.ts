/**
 * safetensors model files (https://github.com/huggingface/safetensors):
 *   8 bytes   N, the header length (little-endian u64)
 *   N bytes   UTF-8 JSON: { "<name>": { "dtype", "shape", "data_offsets": [begin, end] }, "__metadata__": {str: str} },
 *             padded with spaces to a multiple of 8
 *   the rest  tensor bytes, row-major little-endian, contiguous with no holes; offsets relative to its start.
 * Like the reference writer, this one puts larger elements first (then orders by name), so every tensor starts at
 * a multiple of its element size. The reader checks every number in the header before using it, and reads a file
 * header first: its tensors only once the header's sizes match the file's. Tensors and metadata come back as
 * null-prototype objects, so any name (even "__proto__") is an ordinary key.
 */
import { invalid } from '../util/validate';
import { writeFileAtomic } from './atomic';
import { asBytes, assertLittleEndianHost, badFile, hasArrayType } from './bytes';
import { Declared, readDeclaredFile } from './read-file';
import { preview } from '../util/preview';

export type TensorData = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | BigInt64Array;
export type Dtype = 'F64' | 'F32' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';
export interface Tensor {
  dtype: Dtype;
  shape: number[];
  data: TensorData;
}

type ArrayType = { new (length: number): TensorData; readonly BYTES_PER_ELEMENT: number };
const ARRAY_OF: Record<Dtype, ArrayType> = {
  F64: Float64Array,
  F32: Float32Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
};
const METADATA_KEY = '__metadata__';
/** The reference reader's limit; real headers are a few MB at most. */
const MAX_HEADER_BYTES = 100_000_000;

function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ARRAY_OF, value);
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, d) => product * d, 1);
}

function checkTensor(name: string, tensor: Tensor): void {
  if (name === METADATA_KEY) throw invalid(`"${METADATA_KEY}" is reserved and cannot name a tensor`);
  if (tensor == null || typeof tensor !== 'object') throw invalid(`tensor "${name}" must be { dtype, shape, data }`);
  const { dtype, shape, data } = tensor;
  if (!isDtype(dtype)) throw invalid(`tensor "${name}" has unknown dtype ${String(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw invalid(`tensor "${name}" shape must be an array of non-negative integers`);
  }
  if (!hasArrayType(data, ARRAY_OF[dtype])) {
    throw invalid(`tensor "${name}" is ${dtype} and needs a ${ARRAY_OF[dtype].name}, got ${data?.constructor?.name}`);
  }
  if (data.length !== elementCount(shape)) {
    throw invalid(`tensor "${name}" has ${data.length} elements but shape [${shape}] needs ${elementCount(shape)}`);
  }
  if (dtype === 'BOOL' && (data as Uint8Array).some((v) => v > 1))
    throw invalid(`BOOL tensor "${name}" holds values other than 0/1`);
}

/** Order of the tensors in the byte buffer: descending element size, then name. */
function fileOrder(tensors: Record<string, Tensor>): string[] {
  const size = (name: string) => ARRAY_OF[tensors[name].dtype].BYTES_PER_ELEMENT;
  return Object.keys(tensors).sort((a, b) => size(b) - size(a) || (a < b ? -1 : a > b ? 1 : 0));
}

export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Buffer {
  assertLittleEndianHost();
  if (tensors == null || typeof tensors !== 'object') throw invalid('tensors must be an object of name → tensor');
  const header: Record<string, unknown> = Object.create(null); // keyed by tensor names: "__proto__" is one too
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object') throw invalid('metadata must be an object of strings');
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw invalid(`metadata "${key}" must be a string, got ${typeof value}`);
    }
    header[METADATA_KEY] = metadata;
  }
  for (const [name, tensor] of Object.entries(tensors)) checkTensor(name, tensor);
  const order = fileOrder(tensors);
  let offset = 0;
  for (const name of order) {
    const { dtype, shape, data } = tensors[name];
    header[name] = { dtype, shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = Buffer.alloc(8 + headerLength + offset, 0x20);
  out.writeBigUInt64LE(BigInt(headerLength), 0);
  json.copy(out, 8);
  let at = 8 + headerLength;
  for (const name of order) {
    const { data } = tensors[name];
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  return out;
}

interface Entry {
  name: string;
  dtype: Dtype;
  shape: number[];
  begin: number;
  end: number;
}

/** The header's byte length N from the first 8 bytes, checked against the cap. */
function headerLength(bytes: Uint8Array): number {
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES))
    throw badFile(`header length ${declared} is absurd (limit ${MAX_HEADER_BYTES} bytes)`);
  return Number(declared);
}

/** The JSON header's tensors and metadata, every number checked; keyed by file content, so null-prototype. */
function parseHeader(raw: Uint8Array): { entries: Entry[]; metadata: Record<string, string> } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw badFile('header is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw badFile(`header is not valid JSON: ${(err as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw badFile('header must be a JSON object');

  const metadata: Record<string, string> = Object.create(null);
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(json as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (info === null || typeof info !== 'object' || Array.isArray(info))
        throw badFile(`${METADATA_KEY} must be an object`);
      for (const [key, value] of Object.entries(info as Record<string, unknown>)) {
        if (typeof value !== 'string')
          throw badFile(`${METADATA_KEY} "${key}" must be a string, got ${preview(value)}`);
        metadata[key] = value;
      }
    } else {
      entries.push(parseEntry(name, info));
    }
  }
  return { entries, metadata };
}

function parseEntry(name: string, info: unknown): Entry {
  const { dtype, shape, data_offsets: offsets } = (info ?? {}) as Record<string, unknown>;
  if (info === null || typeof info !== 'object') throw badFile(`tensor "${name}" must be an object`);
  if (!isDtype(dtype)) throw badFile(`tensor "${name}" has unknown or unsupported dtype ${preview(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw badFile(`tensor "${name}" shape must be an array of non-negative integers, got ${preview(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw badFile(`tensor "${name}" data_offsets must be [begin, end] byte offsets, got ${preview(offsets)}`);
  }
  const [begin, end] = offsets as number[];
  if (end < begin) throw badFile(`tensor "${name}" data_offsets [${begin}, ${end}] end before they begin`);
  const bytes = elementCount(shape) * ARRAY_OF[dtype].BYTES_PER_ELEMENT;
  if (end - begin !== bytes) {
    throw badFile(
      `tensor "${name}": ${dtype} shape [${shape}] needs ${bytes} bytes but data_offsets span ${end - begin}`,
    );
  }
  return { name, dtype, shape, begin, end };
}

/** Sorts the entries by offset, checks they tile the byte buffer without holes or overlaps, returns its length. */
function tiledLength(entries: Entry[]): number {
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const entry of entries) {
    if (entry.begin < expected)
      throw badFile(`tensor "${entry.name}" overlaps the previous tensor (offset ${entry.begin} < ${expected})`);
    if (entry.begin > expected)
      throw badFile(`hole in the byte buffer: bytes ${expected}…${entry.begin} belong to no tensor`);
    expected = entry.end;
  }
  return expected;
}

/** The length of a safetensors file as its first bytes declare it (for reading a file header first). */
export function safetensorsLength(head: Uint8Array): Declared {
  if (head.length < 8) return { need: 8 };
  const n = headerLength(head);
  if (head.length < 8 + n) return { need: 8 + n };
  return { length: 8 + n + tiledLength(parseHeader(head.subarray(8, 8 + n)).entries) };
}

export function decodeSafetensors(file: Uint8Array): {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
} {
  assertLittleEndianHost();
  const bytes = asBytes('decodeSafetensors', file);
  if (bytes.length < 8) throw badFile(`truncated: ${bytes.length} bytes, too short for the 8-byte header length`);
  const n = headerLength(bytes);
  if (8 + n > bytes.length)
    throw badFile(`truncated: header length ${n} runs past the end of the ${bytes.length}-byte file`);
  const { entries, metadata } = parseHeader(bytes.subarray(8, 8 + n));
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const needed = tiledLength(entries);
  if (needed > dataLength) {
    const entry = entries.find((e) => e.end > dataLength)!;
    throw badFile(
      `truncated or out of range: tensor "${entry.name}" ends at byte ${entry.end} of a ${dataLength}-byte buffer`,
    );
  }
  if (needed !== dataLength) throw badFile(`${dataLength - needed} trailing bytes after the last tensor`);

  // Tensor names are file content: a null-prototype object keeps "__proto__" an ordinary name.
  const tensors: Record<string, Tensor> = Object.create(null);
  for (const { name, dtype, shape, begin, end } of entries) {
    // A copy: aligned for its element type whatever the input's byteOffset, and independent of the file buffer.
    const data = new ARRAY_OF[dtype]((end - begin) / ARRAY_OF[dtype].BYTES_PER_ELEMENT);
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart + begin, dataStart + end));
    if (dtype === 'BOOL' && (data as Uint8Array).some((v) => v > 1))
      throw badFile(`BOOL tensor "${name}" holds values other than 0/1`);
    tensors[name] = { dtype, shape, data };
  }
  return { tensors, metadata };
}

/** Encodes and writes atomically: a failure (bad tensor, full disk) leaves any previous file untouched. */
export async function writeSafetensors(
  path: string,
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export async function readSafetensors(
  path: string,
): Promise<{ tensors: Record<string, Tensor>; metadata: Record<string, string> }> {
  return readDeclaredFile(path, safetensorsLength, decodeSafetensors);
}
