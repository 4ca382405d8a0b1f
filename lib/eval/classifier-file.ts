/**
 * The digit classifier's weights on disk, so a CLI can skip retraining when the user names a cache
 * directory. Layout: the 8 bytes "HBDIGCLS", a u32 LE header length, a JSON header
 * { training, inputs, hidden, classes }, then w1, b1, w2, b2 as little-endian float32.
 */
import * as fs from 'fs';
import { HeatbathError } from '../errors';
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

export function decodeClassifier(bytes: Uint8Array, file: string): ClassifierFile {
  const bad = (problem: string) => new HeatbathError('ERR_BAD_FILE', `${file} is not a digit classifier file: ${problem}`);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < MAGIC.length + 4 || buffer.toString('latin1', 0, MAGIC.length) !== MAGIC) throw bad('wrong magic bytes');
  const headerLength = buffer.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4 + headerLength;
  if (start > buffer.length) throw bad('truncated header');
  let header: { training?: unknown } & Partial<MlpShape>;
  try {
    header = JSON.parse(buffer.toString('utf8', MAGIC.length + 4, start));
  } catch {
    throw bad('header is not JSON');
  }
  const { training, inputs, hidden, classes } = header;
  const sizes = [inputs, hidden, classes];
  if (typeof training !== 'string' || !sizes.every((n) => Number.isInteger(n) && n! >= 1 && n! <= 1 << 16)) {
    throw bad('header lacks the training tag or layer sizes');
  }
  const shape = { inputs: inputs!, hidden: hidden!, classes: classes! };
  const lengths = [shape.inputs * shape.hidden, shape.hidden, shape.hidden * shape.classes, shape.classes];
  const expected = start + 4 * lengths.reduce((a, b) => a + b, 0);
  if (buffer.length !== expected) throw bad(`expected ${expected} bytes, found ${buffer.length}`);
  let at = start;
  const [w1, b1, w2, b2] = lengths.map((n) => {
    const array = new Float32Array(n);
    for (let k = 0; k < n; k++, at += 4) {
      array[k] = buffer.readFloatLE(at);
      if (!Number.isFinite(array[k])) throw bad(`a weight is ${array[k]}`);
    }
    return array;
  });
  return { training, mlp: new Mlp(shape, { w1, b1, w2, b2 }) };
}

/** The file's content, or undefined when there is no such file. */
export function readClassifierFile(file: string): ClassifierFile | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HeatbathError('ERR_IO', `could not read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return decodeClassifier(bytes, file);
}
