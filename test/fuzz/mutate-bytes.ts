/** Format-blind mutations of a file's bytes: bit flips, boundary integers, truncation, extension, splices. */
import { CaseRandom } from './random';

/** Integers at the edges of the widths file formats use for lengths and counts. */
const EDGE_INTEGERS = [
  0,
  1,
  2,
  7,
  8,
  0x7f,
  0x80,
  0xff,
  0x7fff,
  0x8000,
  0xffff,
  0x7fffffff,
  0x80000000,
  0xffffffff,
  2 ** 53,
];

function writeInteger(rng: CaseRandom, bytes: Buffer, at: number): void {
  const width = rng.pick([1, 2, 4, 8]);
  if (at + width > bytes.length) return;
  const value = BigInt(rng.pick(EDGE_INTEGERS)) & ((1n << BigInt(8 * width)) - 1n);
  const bigEndian = rng.chance(0.5);
  for (let k = 0; k < width; k++) {
    const byte = Number((value >> BigInt(8 * k)) & 0xffn);
    bytes[bigEndian ? at + width - 1 - k : at + k] = byte;
  }
}

function randomBytes(rng: CaseRandom, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let k = 0; k < length; k++) out[k] = rng.byte();
  return out;
}

/** One format-blind mutation; `donor` (another valid file) supplies spliced-in chunks. */
export function mutateBytes(rng: CaseRandom, input: Buffer, donor: Buffer = input): Buffer {
  const bytes = Buffer.from(input);
  const at = rng.int(bytes.length + 1);
  switch (rng.int(7)) {
    case 0: {
      const flips = rng.between(1, 8);
      for (let k = 0; k < flips && bytes.length > 0; k++) bytes[rng.int(bytes.length)] ^= 1 << rng.int(8);
      return bytes;
    }
    case 1:
      writeInteger(rng, bytes, Math.min(at, Math.max(0, bytes.length - 1)));
      return bytes;
    case 2:
      return bytes.subarray(0, at);
    case 3: {
      const extra = rng.pick([1, 7, 8, 64, 4096]);
      return Buffer.concat([bytes, rng.chance(0.5) ? Buffer.alloc(extra) : randomBytes(rng, extra)]);
    }
    case 4: {
      // A chunk of the donor (or of itself) over or into this file.
      const from = rng.int(donor.length + 1);
      const chunk = donor.subarray(from, from + rng.between(1, 256));
      return rng.chance(0.5)
        ? Buffer.concat([bytes.subarray(0, at), chunk, bytes.subarray(at)])
        : Buffer.concat([bytes.subarray(0, at), chunk, bytes.subarray(at + chunk.length)]);
    }
    case 5: {
      const length = rng.between(1, 64);
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + length)]);
    }
    default: {
      const length = rng.between(1, 64);
      const chunk = bytes.subarray(at, at + length);
      return Buffer.concat([bytes.subarray(0, at), chunk, chunk, bytes.subarray(at)]);
    }
  }
}

/** One to four byte mutations in a row. */
export function havoc(rng: CaseRandom, input: Buffer, donor?: Buffer): Buffer {
  let bytes = input;
  const rounds = rng.between(1, 4);
  for (let k = 0; k < rounds; k++) bytes = mutateBytes(rng, bytes, donor);
  return bytes;
}
