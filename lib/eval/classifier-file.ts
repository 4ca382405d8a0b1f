/**
 * The digit classifier's weights on disk, so a CLI can skip retraining when the user names a cache
 * directory. Layout: the 8 bytes "HBDIGCLS", a u32 LE header length, a JSON header
 * { training, inputs, hidden, classes }, then w1, b1, w2, b2 as little-endian float32.
 */
import { HeatbathError } from '../errors';
import { DeclaredLength, readDeclaredFileSync } from '../io/read-file';
import { Mlp, MlpShape } from './mlp';

const MAGIC = 'HBDIGCLS';

export interface ClassifierFile {
  /** Identifies how the weights were trained; a file trained differently is stale, not wrong. */
  training: string;
  mlp: Mlp;
}

export function encodeClassifier({ training, mlp }: ClassifierFile): Uint8Array {
  const header = Buffer.from(JSON.stringify({ training, ...mlp.shape }), 'utf8');
  const { w1, b1, w2, b2 } = mlp.params;
  const values = w1.length + b1.length + w2.length + b2.length;
  const out = Buffer.alloc(MAGIC.length + 4 + header.length + 4 * values);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, MAGIC.length);
  header.copy(out, MAGIC.length + 4);
  let at = MAGIC.length + 4 + header.length;
  for (const array of [w1, b1, w2, b2]) for (const v of array) at = out.writeFloatLE(v, at);
  return out;
}

/** Real headers are under a hundred bytes. */
const MAX_HEADER_BYTES = 1 << 16;
const PREFIX = MAGIC.length + 4;

function badFile(file: string, problem: string): HeatbathError {
  return new HeatbathError('ERR_BAD_FILE', `${file} is not a digit classifier file: ${problem}`);
}

/** The header from a file's first bytes, or how many first bytes it takes. */
function readHeader(bytes: Uint8Array, file: string): { need: number } | { training: string; shape: MlpShape; lengths: number[]; start: number } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.toString('latin1', 0, Math.min(MAGIC.length, buffer.length)) !== MAGIC.slice(0, buffer.length)) throw badFile(file, 'wrong magic bytes');
  if (buffer.length < PREFIX) return { need: PREFIX };
  const headerLength = buffer.readUInt32LE(MAGIC.length);
  if (headerLength > MAX_HEADER_BYTES) throw badFile(file, `header length ${headerLength} is absurd (limit ${MAX_HEADER_BYTES} bytes)`);
  const start = PREFIX + headerLength;
  if (start > buffer.length) return { need: start };
  let header: { training?: unknown } & Partial<MlpShape>;
  try {
    header = JSON.parse(buffer.toString('utf8', PREFIX, start));
  } catch {
    throw badFile(file, 'header is not JSON');
  }
  const { training, inputs, hidden, classes } = header ?? {};
  const sizes = [inputs, hidden, classes];
  if (typeof training !== 'string' || !sizes.every((n) => Number.isInteger(n) && n! >= 1 && n! <= 1 << 16)) {
    throw badFile(file, 'header lacks the training tag or layer sizes');
  }
  const shape = { inputs: inputs!, hidden: hidden!, classes: classes! };
  const lengths = [shape.inputs * shape.hidden, shape.hidden, shape.hidden * shape.classes, shape.classes];
  return { training, shape, lengths, start };
}

function declaredLength(file: string): DeclaredLength {
  return (head) => {
    const header = readHeader(head, file);
    return 'need' in header ? header : { length: header.start + 4 * header.lengths.reduce((a, b) => a + b, 0) };
  };
}

export function decodeClassifier(bytes: Uint8Array, file: string): ClassifierFile {
  const header = readHeader(bytes, file);
  if ('need' in header) throw badFile(file, 'truncated header');
  const { training, shape, lengths, start } = header;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const expected = start + 4 * lengths.reduce((a, b) => a + b, 0);
  if (buffer.length !== expected) throw badFile(file, `expected ${expected} bytes, found ${buffer.length}`);
  let at = start;
  const [w1, b1, w2, b2] = lengths.map((n) => {
    const array = new Float32Array(n);
    for (let k = 0; k < n; k++, at += 4) {
      array[k] = buffer.readFloatLE(at);
      if (!Number.isFinite(array[k])) throw badFile(file, `a weight is ${array[k]}`);
    }
    return array;
  });
  return { training, mlp: new Mlp(shape, { w1, b1, w2, b2 }) };
}

/** The file's content (read header first), or undefined when there is no such file. */
export function readClassifierFile(file: string): ClassifierFile | undefined {
  try {
    return readDeclaredFileSync(file, declaredLength(file), (bytes) => decodeClassifier(bytes, file));
  } catch (err) {
    if (err instanceof HeatbathError && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return undefined;
    throw err;
  }
}
