/**
 * IDX files, the format of MNIST and Fashion-MNIST: two zero bytes, a type byte, a dimension count,
 * then big-endian u32 dimensions and the big-endian values, row-major. Files may be gzipped.
 *   type 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64
 */
import * as fs from 'fs';
import { pipeline } from 'stream/promises';
import * as zlib from 'zlib';
import { HeatbathError } from '../errors';
import { checkLoadable } from '../native/load-limit';
import { DigitDataset } from './dataset';
import { DeclaredLength, readDeclared, withRegularFile } from './read-file';

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

function badFile(file: string, problem: string, cause?: unknown): HeatbathError {
  return new HeatbathError('ERR_BAD_FILE', `${file} is not a valid IDX file: ${problem}`, { cause });
}

type IdxType = (typeof TYPES)[keyof typeof TYPES];

/** The header from the first bytes of an IDX file, or how many first bytes it takes. */
function readHeader(
  bytes: Uint8Array,
  file: string,
): { need: number } | { type: IdxType; shape: number[]; headerBytes: number; dataBytes: number } {
  const type = TYPES[bytes[2] as keyof typeof TYPES];
  if (
    (bytes.length > 0 && bytes[0] !== 0) ||
    (bytes.length > 1 && bytes[1] !== 0) ||
    (bytes.length > 2 && type === undefined) ||
    bytes[3] === 0
  ) {
    const magic = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw badFile(file, `wrong magic number ${magic}`);
  }
  if (bytes.length < 4) return { need: 4 };
  const headerBytes = 4 + 4 * bytes[3];
  if (bytes.length < headerBytes) return { need: headerBytes };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < bytes[3]; d++) shape.push(view.getUint32(4 + 4 * d, false));
  return { type, shape, headerBytes, dataBytes: shape.reduce((a, b) => a * b, 1) * type.bytes };
}

/** The length of an (uncompressed) IDX file as its first bytes declare it. */
function idxLength(file: string): DeclaredLength {
  return (head) => {
    const header = readHeader(head, file);
    return 'need' in header ? header : { length: header.headerBytes + header.dataBytes };
  };
}

/** Decodes the bytes of an (uncompressed) IDX file; `file` names it in errors. */
export function parseIdx(bytes: Uint8Array, file = 'input'): IdxArray {
  const header = readHeader(bytes, file);
  if ('need' in header) throw badFile(file, `truncated header (${bytes.length} of ${header.need} bytes)`);
  const { type, shape, headerBytes, dataBytes } = header;
  const count = dataBytes / type.bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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

/**
 * Inflates a gzipped IDX file, streaming, refusing output past the length its (inflated) header declares:
 * a small file cannot inflate to more than its dimensions allow.
 */
async function gunzipIdx(handle: fs.promises.FileHandle, file: string): Promise<Uint8Array> {
  let head: Uint8Array = new Uint8Array(0);
  let out: Uint8Array | undefined;
  let filled = 0;
  const collect = async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      if (out === undefined) {
        head = Buffer.concat([head, chunk]);
        const header = readHeader(head, file);
        if ('need' in header) continue;
        const length = header.headerBytes + header.dataBytes;
        checkLoadable(`the inflated file (shape [${header.shape}])`, length);
        if (head.length > length) throw badFile(file, `inflates past the ${length} bytes its dimensions declare`);
        out = new Uint8Array(length);
        out.set(head);
        filled = head.length;
      } else {
        if (filled + chunk.length > out.length)
          throw badFile(file, `inflates past the ${out.length} bytes its dimensions declare`);
        out.set(chunk, filled);
        filled += chunk.length;
      }
    }
  };
  let refusal: HeatbathError | undefined; // pipeline reports an abort, not the refusal that stopped it
  const sink = async (chunks: AsyncIterable<Buffer>) => {
    try {
      await collect(chunks);
    } catch (err) {
      if (err instanceof HeatbathError) refusal = err;
      throw err;
    }
  };
  try {
    await pipeline(handle.createReadStream({ start: 0, autoClose: false }), zlib.createGunzip(), sink);
  } catch (err) {
    if (refusal !== undefined) throw refusal;
    // Gunzip stops at the end of the gzip data, ignoring what follows as gzip(1) does; the pipeline then aborts.
    const complete = out !== undefined && filled === out.length && (err as NodeJS.ErrnoException).code === 'ABORT_ERR';
    if (!complete) throw badFile(file, `bad gzip data (${(err as Error).message})`, err);
  }
  if (out === undefined) throw badFile(file, `truncated header (${head.length} bytes after inflating)`);
  if (filled < out.length)
    throw badFile(file, `truncated: inflates to ${filled} of the ${out.length} bytes its dimensions declare`);
  return out;
}

/** Reads an IDX file, gzipped or not (detected from the gzip magic bytes 1f 8b), header first either way. */
export async function readIdx(file: string): Promise<IdxArray> {
  const bytes = await withRegularFile(file, async (opened) => {
    const magic = await opened.head(Math.min(2, opened.size));
    return magic[0] === 0x1f && magic[1] === 0x8b
      ? gunzipIdx(opened.handle, file)
      : readDeclared(opened, idxLength(file));
  });
  return parseIdx(bytes, file);
}

/**
 * Reads MNIST-style images (u8, shape [count, rows, cols], scaled to [0, 1] by /255) and optionally their
 * labels (u8, shape [count]). Without a labels file the dataset's labels are empty.
 */
export async function readIdxDataset(imagesPath: string, labelsPath?: string): Promise<DigitDataset> {
  const [images, labels] = await Promise.all([
    readIdx(imagesPath),
    labelsPath === undefined ? undefined : readIdx(labelsPath),
  ]);
  if (images.dtype !== 'u8' || images.shape.length !== 3) {
    throw badFile(imagesPath, `images must be u8 with 3 dimensions, found ${images.dtype} [${images.shape}]`);
  }
  const [count, rows, cols] = images.shape;
  if (labels !== undefined) {
    if (labels.dtype !== 'u8' || labels.shape.length !== 1) {
      throw badFile(labelsPath!, `labels must be u8 with 1 dimension, found ${labels.dtype} [${labels.shape}]`);
    }
    if (labels.shape[0] !== count) {
      throw new HeatbathError(
        'ERR_BAD_FILE',
        `${imagesPath} holds ${count} images but ${labelsPath} holds ${labels.shape[0]} labels`,
      );
    }
  }
  const pixels = new Float32Array(images.data.length);
  for (let k = 0; k < pixels.length; k++) pixels[k] = images.data[k] / 255;
  return { count, rows, cols, images: pixels, labels: labels ? (labels.data as Uint8Array) : new Uint8Array(0) };
}
