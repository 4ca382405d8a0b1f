/**
 * NumPy .npy arrays (numpy.lib.format): the magic "\x93NUMPY", a version (major, minor), the header length
 * (u16 in 1.0, u32 in 2.0/3.0), then a Python dict literal such as
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 * padded with spaces and ended by '\n' so that the data starts at a multiple of 64; then the raw row-major data.
 * Written as 1.0; read as 1.0, 2.0 or 3.0 (3.0 has a UTF-8 header). Files are read header first: the data only
 * once the header's shape and dtype match the file's length.
 */
import { invalid } from '../util/validate';
import { writeFileAtomic } from './atomic';
import { asBytes, assertLittleEndianHost, badFile, hasArrayType } from './bytes';
import { Declared, readDeclaredFile } from './read-file';
import { parsePythonLiteral } from './python-literal';
import { preview } from '../util/preview';

export type NpyDtype = 'f4' | 'f8' | 'u1' | 'i1' | 'i4';
export interface NdArray {
  dtype: NpyDtype;
  shape: number[];
  data: Float32Array | Float64Array | Uint8Array | Int8Array | Int32Array;
}

type ArrayType = { new (length: number): NdArray['data']; readonly BYTES_PER_ELEMENT: number; readonly name: string };
const ARRAY_OF: Record<NpyDtype, ArrayType> = {
  f4: Float32Array,
  f8: Float64Array,
  u1: Uint8Array,
  i1: Int8Array,
  i4: Int32Array,
};
const DESCR_OF: Record<NpyDtype, string> = { f4: '<f4', f8: '<f8', u1: '|u1', i1: '|i1', i4: '<i4' };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;

function isNpyDtype(value: unknown): value is NpyDtype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ARRAY_OF, value);
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, d) => product * d, 1);
}

function headerText(array: NdArray): string {
  const { shape } = array;
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  return `{'descr': '${DESCR_OF[array.dtype]}', 'fortran_order': False, 'shape': ${tuple}, }`;
}

export function encodeNpy(array: NdArray): Buffer {
  assertLittleEndianHost();
  if (array == null || typeof array !== 'object') throw invalid('encodeNpy needs { dtype, shape, data }');
  const { dtype, shape, data } = array;
  if (!isNpyDtype(dtype))
    throw invalid(`dtype must be one of ${Object.keys(ARRAY_OF).join(', ')}, got ${String(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw invalid('shape must be an array of non-negative integers');
  }
  if (!hasArrayType(data, ARRAY_OF[dtype])) {
    throw invalid(`dtype ${dtype} needs a ${ARRAY_OF[dtype].name}, got ${(data as object)?.constructor?.name}`);
  }
  if (data.length !== elementCount(shape)) {
    throw invalid(`data has ${data.length} elements but shape (${shape}) needs ${elementCount(shape)}`);
  }
  const text = headerText(array);
  const prefix = MAGIC.length + 2 + 2; // magic, version, u16 length
  const headerLength = Math.ceil((prefix + text.length + 1) / ALIGN) * ALIGN - prefix;
  if (headerLength > 0xffff) throw invalid(`shape has too many dimensions for a .npy 1.0 header (${shape.length})`);
  const out = Buffer.alloc(prefix + headerLength + data.byteLength, 0x20);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(headerLength, 8);
  out.write(text, prefix, 'latin1');
  out[prefix + headerLength - 1] = 0x0a;
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), prefix + headerLength);
  return out;
}

/** Real headers are a few hundred bytes; numpy itself refuses more than 10,000 by default. */
const MAX_HEADER_BYTES = 1 << 20;

interface Header {
  descr: string;
  shape: number[];
}

/** The header of a .npy file from its first bytes, or how many first bytes it takes. */
function readHeader(bytes: Uint8Array): { need: number } | { header: Header; dataStart: number } {
  if (MAGIC.some((b, k) => k < bytes.length && bytes[k] !== b)) throw badFile('not a .npy file (no \\x93NUMPY magic)');
  if (bytes.length < 10) return { need: 10 };
  const major = bytes[6];
  if (major < 1 || major > 3) throw badFile(`unsupported .npy version ${major}.${bytes[7]}`);
  const prefix = major === 1 ? 10 : 12;
  if (bytes.length < prefix) return { need: prefix };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (length > MAX_HEADER_BYTES) throw badFile(`header length ${length} is absurd (limit ${MAX_HEADER_BYTES} bytes)`);
  if (prefix + length > bytes.length) return { need: prefix + length };
  const raw = bytes.subarray(prefix, prefix + length);
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString(major === 3 ? 'utf8' : 'latin1');
  let dict: unknown;
  try {
    dict = parsePythonLiteral(text);
  } catch (err) {
    throw badFile(`unreadable .npy header ${JSON.stringify(text.trim().slice(0, 200))}: ${(err as Error).message}`);
  }
  if (!(dict instanceof Map)) throw badFile('.npy header must be a dict');
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string')
    throw badFile(`.npy descr ${preview(descr)} is not a simple dtype (structured arrays are not supported)`);
  if (fortran === true)
    throw badFile(
      '.npy array is in Fortran (column-major) order; save it with fortran_order=False (np.ascontiguousarray)',
    );
  if (fortran !== false) throw badFile('.npy header lacks fortran_order');
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw badFile(`.npy shape must be a tuple of non-negative integers, got ${preview(shape)}`);
  }
  return { header: { descr, shape }, dataStart: prefix + length };
}

/** The length of a .npy file as its first bytes declare it (for reading a file header first). */
export function npyLength(head: Uint8Array): Declared {
  const read = readHeader(head);
  if ('need' in read) return read;
  const { header, dataStart } = read;
  return { length: dataStart + elementCount(header.shape) * readType(header.descr).fileBytes };
}

/** The element type a descr reads into; '<i8' narrows to int32 and '|b1' (bool) to uint8. */
function readType(descr: string): { dtype: NpyDtype; fileBytes: number } {
  const order = descr[0];
  const code = descr.slice(1);
  if (order === '>' && code !== 'u1' && code !== 'i1' && code !== 'b1') {
    throw badFile(`.npy dtype ${descr} is big-endian; convert it with arr.astype('<${code}')`);
  }
  if (order !== '<' && order !== '|' && order !== '>') throw badFile(`unknown .npy dtype ${descr}`);
  switch (code) {
    case 'f4':
    case 'f8':
    case 'u1':
    case 'i1':
    case 'i4':
      return { dtype: code, fileBytes: ARRAY_OF[code].BYTES_PER_ELEMENT };
    case 'b1':
      return { dtype: 'u1', fileBytes: 1 };
    case 'i8':
      return { dtype: 'i4', fileBytes: 8 };
    default:
      throw badFile(`unsupported .npy dtype ${descr} (supported: <f4 <f8 |u1 |i1 <i4 <i8 |b1)`);
  }
}

export function decodeNpy(file: Uint8Array): NdArray {
  assertLittleEndianHost();
  const bytes = asBytes('decodeNpy', file);
  const read = readHeader(bytes);
  if ('need' in read)
    throw badFile(
      `truncated: header length runs past the end of the ${bytes.length}-byte file (the header needs ${read.need} bytes)`,
    );
  const { header, dataStart } = read;
  const { dtype, fileBytes } = readType(header.descr);
  const count = elementCount(header.shape);
  const needed = count * fileBytes;
  const available = bytes.length - dataStart;
  if (available < needed)
    throw badFile(
      `truncated: shape (${header.shape}) of ${header.descr} needs ${needed} bytes, the file has ${available}`,
    );
  if (available > needed)
    throw badFile(`${available - needed} bytes after the data of shape (${header.shape}) ${header.descr}`);
  const body = bytes.subarray(dataStart);
  const data = new ARRAY_OF[dtype](count);
  if (fileBytes === data.BYTES_PER_ELEMENT) {
    new Uint8Array(data.buffer).set(body); // a copy, so the array is aligned whatever the header length
  } else {
    narrowInt64(body, data as Int32Array);
  }
  return { dtype, shape: header.shape, data };
}

function narrowInt64(body: Uint8Array, out: Int32Array): void {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let k = 0; k < out.length; k++) {
    const value = view.getBigInt64(8 * k, true);
    if (value < -0x80000000n || value > 0x7fffffffn)
      throw badFile(`int64 element ${k} = ${value} does not fit in int32`);
    out[k] = Number(value);
  }
}

/** Encodes and writes atomically: a failure leaves any previous file untouched. */
export async function writeNpy(path: string, array: NdArray): Promise<void> {
  await writeFileAtomic(path, encodeNpy(array));
}

export async function readNpy(path: string): Promise<NdArray> {
  return readDeclaredFile(path, npyLength, decodeNpy);
}
