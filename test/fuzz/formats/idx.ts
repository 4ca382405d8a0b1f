/**
 * Mutations of IDX files (MNIST's format), plain and gzipped: the type byte, the dimension count and the
 * dimensions (u32, up to 2^32 − 1 each), truncation and extension; for .gz also corrupt streams and
 * decompression bombs (a few MB that inflate to hundreds of MB or GB).
 */
import * as zlib from 'zlib';
import { havoc } from '../mutate-bytes';
import { CaseRandom } from '../random';

const DIMENSIONS = [0, 1, 2, 28, 60000, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

export function mutateIdx(rng: CaseRandom, seed: Buffer, donor: Buffer): Buffer {
  const out = Buffer.from(seed);
  switch (rng.int(5)) {
    case 0:
      out[2] = rng.pick([0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x00, 0x0a, 0xff]);
      return out;
    case 1:
      out[3] = rng.pick([0, 1, 2, 3, 4, 64, 255]);
      return out;
    case 2: {
      // One or all dimensions set to an edge value, the data left as it was.
      const dims = out[3];
      for (let d = 0; d < dims && 8 + 4 * d <= out.length; d++) {
        if (d === 0 || rng.chance(0.5)) out.writeUInt32BE(rng.pick(DIMENSIONS), 4 + 4 * d);
      }
      return out;
    }
    default:
      return havoc(rng, seed, donor);
  }
}

/**
 * Gzip members concatenated (gunzip reads them as one stream): an IDX header claiming `count` images of
 * 28×28, then zeros. Each member inflates 16 MB from ~16 KB, so even a 2 GB bomb takes little time to make.
 */
let bombMember: Buffer | undefined;

function gzipBomb(rng: CaseRandom): Buffer {
  const megabytes = rng.pick([64, 512, 2048]);
  const member = (bombMember ??= zlib.gzipSync(Buffer.alloc(16 << 20), { level: 9 }));
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x00000803, 0);
  header.writeUInt32BE(Math.floor((megabytes * 2 ** 20) / 784), 4);
  header.writeUInt32BE(28, 8);
  header.writeUInt32BE(28, 12);
  return Buffer.concat([zlib.gzipSync(header), ...Array.from({ length: megabytes / 16 }, () => member)]);
}

export function mutateIdxGz(rng: CaseRandom, seed: Buffer, donor: Buffer): Buffer {
  switch (rng.int(6)) {
    case 0:
      return gzipBomb(rng);
    case 1:
      return havoc(rng, zlib.gzipSync(seed), zlib.gzipSync(donor));
    default:
      return zlib.gzipSync(mutateIdx(rng, seed, donor));
  }
}
