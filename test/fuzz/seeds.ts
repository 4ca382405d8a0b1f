/**
 * Valid files of every kind heatbath reads, written with the library's own writers: the starting points
 * of the mutations, and the fixtures the CLI cases name. All tiny, so a mutated case runs in well under a second.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { digitClassifier } from '../../lib/eval/default-classifier';
import { DigitClassifier } from '../../lib/eval/digit-classifier';
import { encodeModel } from '../../lib/io/model-file';
import '../../lib/models/model-kinds';
import { encodeNpy } from '../../lib/io/npy';
import { encodeSafetensors } from '../../lib/io/safetensors';
import { DenoisingModel } from '../../lib/models/dtm';
import { GenerativeComputer } from '../../lib/models/gtc';
import { RBM } from '../../lib/models/rbm';
import { MlpClassifier } from '../../lib/nn/mlp-classifier';
import { SeededRandom } from '../../lib/util/random';

export type Seeds = Record<string, Buffer[]>;

/** IDX bytes (big-endian dims and values) of a typed array: the format has no writer in the library. */
function idx(
  type: number,
  shape: number[],
  values: ArrayLike<number>,
  bytesPer: number,
  write: (b: Buffer, v: number, at: number) => void,
): Buffer {
  const out = Buffer.alloc(4 + 4 * shape.length + bytesPer * values.length);
  out[2] = type;
  out[3] = shape.length;
  shape.forEach((d, k) => out.writeUInt32BE(d, 4 + 4 * k));
  for (let k = 0; k < values.length; k++) write(out, values[k], 4 + 4 * shape.length + bytesPer * k);
  return out;
}

/** `count` 2×2 digit images of two classes, the class's pixels bright, and their labels. */
function idxImages(count: number): { images: Buffer; labels: Buffer } {
  const pixels = new Uint8Array(count * 4);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    labels[n] = n % 2;
    for (let p = 0; p < 4; p++) pixels[4 * n + p] = p % 2 === n % 2 ? 230 : 10;
  }
  const u8 = (b: Buffer, v: number, at: number) => b.writeUInt8(v, at);
  return { images: idx(0x08, [count, 2, 2], pixels, 1, u8), labels: idx(0x08, [count], labels, 1, u8) };
}

function models(): { rbm: Buffer; gtc: Buffer; dtm: Buffer } {
  const rbm = RBM.create({ visible: 4, hidden: 3, seed: 1 });
  rbm.info = { image_rows: 2, image_cols: 2 };
  const gtc = new GenerativeComputer({ visible: 4, hidden: 3, labels: 2, dt: 0.01, duration: 0.05 });
  const rng = new SeededRandom(2);
  for (const array of [gtc.visibleHidden, gtc.labelVisible])
    for (let k = 0; k < array.length; k++) array[k] = 0.1 * rng.normal();
  // Hidden–hidden couplings are symmetric with a zero diagonal.
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < i; j++) gtc.hiddenHidden[3 * i + j] = gtc.hiddenHidden[3 * j + i] = 0.1 * rng.normal();
  const dtm = new DenoisingModel({ size: 8, pixels: 4, classes: 2, labelCopies: 1, steps: 2, seed: 3 });
  return { rbm: encodeModel(rbm), gtc: encodeModel(gtc), dtm: encodeModel(dtm) };
}

/** A digit classifier file with 2 hidden units (untrained: the loader does not care how good it is). */
function classifier(): Buffer {
  const network = new MlpClassifier({ inputs: 784, hidden: 2, classes: 10 }, 4);
  return encodeModel(new DigitClassifier(network, { recipe: 'fuzz-seed', hidden: 2, epochs: 1, seed: 4 }));
}

/** Seed files per fuzz kind. */
export function makeSeeds(): Seeds {
  const { rbm, gtc, dtm } = models();
  const tensors = encodeSafetensors(
    {
      f64: { dtype: 'F64', shape: [2], data: new Float64Array([1.5, -2]) },
      f32: { dtype: 'F32', shape: [2, 3], data: new Float32Array(6).fill(0.25) },
      i64: { dtype: 'I64', shape: [1], data: new BigInt64Array([-7n]) },
      i32: { dtype: 'I32', shape: [2], data: new Int32Array([1, -1]) },
      i16: { dtype: 'I16', shape: [3], data: new Int16Array([1, 2, 3]) },
      i8: { dtype: 'I8', shape: [2, 1], data: new Int8Array([-1, 1]) },
      u8: { dtype: 'U8', shape: [4], data: new Uint8Array([0, 1, 254, 255]) },
      bool: { dtype: 'BOOL', shape: [2], data: new Uint8Array([0, 1]) },
      empty: { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) },
    },
    { note: 'fuzz seed', hyper: '{"a":1}' },
  );
  const npy = [
    encodeNpy({ dtype: 'f4', shape: [2, 4], data: new Float32Array([0, 0.5, 1, 0.25, 1, 1, 0, 0]) }),
    encodeNpy({ dtype: 'f8', shape: [3], data: new Float64Array([1, 2, 3]) }),
    encodeNpy({ dtype: 'u1', shape: [2, 2, 2], data: new Uint8Array([0, 255, 1, 2, 3, 4, 5, 6]) }),
    encodeNpy({ dtype: 'i1', shape: [0], data: new Int8Array(0) }),
    encodeNpy({ dtype: 'i4', shape: [1, 1], data: new Int32Array([-5]) }),
  ];
  const { images, labels } = idxImages(8);
  const idxFiles = [
    images,
    labels,
    idx(0x0b, [3], [1, -2, 3], 2, (b, v, at) => b.writeInt16BE(v, at)),
    idx(0x0d, [2, 2], [0.5, -1, 2, 0], 4, (b, v, at) => b.writeFloatBE(v, at)),
    idx(0x0e, [1], [Math.PI], 8, (b, v, at) => b.writeDoubleBE(v, at)),
  ];
  return {
    rbm: [rbm],
    gtc: [gtc],
    dtm: [dtm],
    safetensors: [tensors, rbm, dtm],
    npy,
    idx: idxFiles,
    'idx-gz': idxFiles,
    classifier: [classifier()],
  };
}

/** Files the CLI cases name, by key; written once per run under `dir`. */
export interface Fixtures {
  rbm: string;
  gtc: string;
  dtm: string;
  samples: string;
  images: string;
  labels: string;
  imagesGz: string;
  empty: string;
  /** A directory holding the trained digit classifier, so `eval` cases need not train it. */
  cacheDir: string;
}

export function writeFixtures(dir: string): Fixtures {
  fs.mkdirSync(dir, { recursive: true });
  const { rbm, gtc, dtm } = models();
  const { images, labels } = idxImages(40);
  const files: Record<Exclude<keyof Fixtures, 'cacheDir'>, Buffer> = {
    rbm,
    gtc,
    dtm,
    samples: encodeNpy({ dtype: 'f4', shape: [2, 784], data: new Float32Array(2 * 784).fill(0.5) }),
    images,
    labels,
    imagesGz: zlib.gzipSync(images),
    empty: Buffer.alloc(0),
  };
  const names: Record<keyof typeof files, string> = {
    rbm: 'rbm.safetensors',
    gtc: 'gtc.safetensors',
    dtm: 'dtm.safetensors',
    samples: 'samples.npy',
    images: 'images.idx',
    labels: 'labels.idx',
    imagesGz: 'images.idx.gz',
    empty: 'empty',
  };
  const out = { cacheDir: path.join(dir, 'classifier-cache') } as Fixtures;
  digitClassifier({ cacheDir: out.cacheDir });
  for (const key of Object.keys(files) as (keyof typeof files)[]) {
    out[key] = path.join(dir, names[key]);
    fs.writeFileSync(out[key], files[key]);
  }
  return out;
}
