/**
 * Mutations of the digit classifier's cache file ("HBDIGCLS", u32 header length, JSON header, float32
 * weights): the magic, the length field, the header's layer sizes and tag, non-finite weights, raw bytes.
 */
import { havoc } from '../mutate-bytes';
import { Json, mutateJson } from '../mutate-json';
import { CaseRandom } from '../random';

const MAGIC_BYTES = 8;

export function mutateClassifier(rng: CaseRandom, seed: Buffer, donor: Buffer): Buffer {
  const length = seed.readUInt32LE(MAGIC_BYTES);
  const start = MAGIC_BYTES + 4;
  const header = JSON.parse(seed.toString('utf8', start, start + length)) as Json;
  const weights = seed.subarray(start + length);
  switch (rng.int(5)) {
    case 0:
    case 1: {
      const text = Buffer.from(mutateJson(rng, header), 'utf8');
      const size = Buffer.alloc(4);
      size.writeUInt32LE(text.length);
      return Buffer.concat([seed.subarray(0, MAGIC_BYTES), size, text, weights]);
    }
    case 2: {
      const out = Buffer.from(seed);
      out.writeUInt32LE(rng.pick([0, 1, length - 1, length + 1, 0x7fffffff, 0xffffffff]), MAGIC_BYTES);
      return out;
    }
    case 3: {
      const out = Buffer.from(seed);
      const count = weights.length / 4;
      if (count > 0) out.writeFloatLE(rng.pick([NaN, Infinity, -Infinity]), start + length + 4 * rng.int(count));
      return out;
    }
    default:
      return havoc(rng, seed, donor);
  }
}
