/**
 * IDX files, the format of MNIST and Fashion-MNIST: two zero bytes, a type byte, a dimension count,
 * then big-endian u32 dimensions and the big-endian values, row-major. Files may be gzipped.
 *   type 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64
 */
import * as fs from 'fs';
import { promisify } from 'util';
import * as zlib from 'zlib';
import { HeatbathError } from '../errors';
import { DigitDataset } from './dataset';

export type IdxArray =
  | { dtype: 'u8'; shape: number[]; data: Uint8Array }
  | { dtype: 'i8'; shape: number[]; data: Int8Array }
  | { dtype: 'i16'; shape: number[]; data: Int16Array }
  | { dtype: 'i32'; shape: number[]; data: Int32Array }
  | { dtype: 'f32'; shape: number[]; data: Float32Array }
  | { dtype: 'f64'; shape: number[]; data: Float64Array };

const TYPES = {
  0x08: { dtype: 'u8', bytes: 1 },
  0x09: { dtype: 'i8', bytes: 1 },
  0x0b: { dtype: 'i16', bytes: 2 },
  0x0c: { dtype: 'i32', bytes: 4 },
  0x0d: { dtype: 'f32', bytes: 4 },
  0x0e: { dtype: 'f64', bytes: 8 },
} as const;

const gunzip = promisify(zlib.gunzip);

function badFile(file: string, problem: string, cause?: unknown): HeatbathError {
  return new HeatbathError('ERR_BAD_FILE', `${file} is not a valid IDX file: ${problem}`, { cause });
}

/** Decodes the bytes of an (uncompressed) IDX file; `file` names it in errors. */
export function parseIdx(bytes: Uint8Array, file = 'input'): IdxArray {
  if (bytes.length < 4) throw badFile(file, `truncated header (${bytes.length} bytes)`);
  const type = TYPES[bytes[2] as keyof typeof TYPES];
  const ndims = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined || ndims === 0) {
    const magic = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw badFile(file, `wrong magic number ${magic}`);
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) throw badFile(file, `truncated header (${bytes.length} of ${headerBytes} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < ndims; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const dataBytes = count * type.bytes;
  if (bytes.length - headerBytes !== dataBytes) {
    const what = bytes.length - headerBytes < dataBytes ? 'truncated' : 'trailing bytes';
    throw badFile(file, `${what}: shape [${shape}] needs ${dataBytes} data bytes, found ${bytes.length - headerBytes}`);
  }

  const at = headerBytes;
  switch (type.dtype) {
    case 'u8':
      return { dtype: 'u8', shape, data: new Uint8Array(bytes.subarray(at, at + count)) };
    case 'i8':
      return { dtype: 'i8', shape, data: new Int8Array(new Uint8Array(bytes.subarray(at, at + count)).buffer) };
    case 'i16': {
      const data = new Int16Array(count);
      for (let k = 0; k < count; k++) data[k] = view.getInt16(at + 2 * k, false);
      return { dtype: 'i16', shape, data };
    }
    case 'i32': {
      const data = new Int32Array(count);
      for (let k = 0; k < count; k++) data[k] = view.getInt32(at + 4 * k, false);
      return { dtype: 'i32', shape, data };
    }
    case 'f32': {
      const data = new Float32Array(count);
      for (let k = 0; k < count; k++) data[k] = view.getFloat32(at + 4 * k, false);
      return { dtype: 'f32', shape, data };
    }
    case 'f64': {
      const data = new Float64Array(count);
      for (let k = 0; k < count; k++) data[k] = view.getFloat64(at + 8 * k, false);
      return { dtype: 'f64', shape, data };
    }
  }
}

async function readMaybeGzipped(file: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (err) {
    throw new HeatbathError('ERR_IO', `could not read ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return await gunzip(bytes);
  } catch (err) {
    throw badFile(file, `bad gzip data (${(err as Error).message})`, err);
  }
}

/** Reads an IDX file, gzipped or not (detected from the gzip magic bytes 1f 8b). */
export async function readIdx(file: string): Promise<IdxArray> {
  return parseIdx(await readMaybeGzipped(file), file);
}

/**
 * Reads MNIST-style images (u8, shape [count, rows, cols], scaled to [0, 1] by /255) and optionally their
 * labels (u8, shape [count]). Without a labels file the dataset's labels are empty.
 */
export async function readIdxDataset(imagesPath: string, labelsPath?: string): Promise<DigitDataset> {
  const [images, labels] = await Promise.all([readIdx(imagesPath), labelsPath === undefined ? undefined : readIdx(labelsPath)]);
  if (images.dtype !== 'u8' || images.shape.length !== 3) {
    throw badFile(imagesPath, `images must be u8 with 3 dimensions, found ${images.dtype} [${images.shape}]`);
  }
  const [count, rows, cols] = images.shape;
  if (labels !== undefined) {
    if (labels.dtype !== 'u8' || labels.shape.length !== 1) {
      throw badFile(labelsPath!, `labels must be u8 with 1 dimension, found ${labels.dtype} [${labels.shape}]`);
    }
    if (labels.shape[0] !== count) {
      throw new HeatbathError('ERR_BAD_FILE', `${imagesPath} holds ${count} images but ${labelsPath} holds ${labels.shape[0]} labels`);
    }
  }
  const pixels = new Float32Array(images.data.length);
  for (let k = 0; k < pixels.length; k++) pixels[k] = images.data[k] / 255;
  return { count, rows, cols, images: pixels, labels: labels ? (labels.data as Uint8Array) : new Uint8Array(0) };
}
