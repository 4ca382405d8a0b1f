import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { DigitDataset, binarize, splitDataset, subset } from '../lib/io/dataset';
import { parseIdx, readIdx, readIdxDataset } from '../lib/io/idx';
import { bundledDigits } from '../lib/io/mnist';

/** Images whose first pixel holds their index / count, so parts of a split can be traced back. */
function traced(count: number, labels: number[] | null, side = 2): DigitDataset {
  const images = new Float32Array(count * side * side);
  for (let i = 0; i < count; i++) images[i * side * side] = i / count;
  return { count, rows: side, cols: side, images, labels: labels ? Uint8Array.from(labels) : new Uint8Array(0) };
}
const indexOf = (d: DigitDataset, k: number, count: number) => Math.round(d.images[k * d.rows * d.cols] * count);

describe('bundled digits', () => {
  const digits = bundledDigits();

  test('10,000 images of 28×28, sorted by label with the package class sizes', () => {
    expect(digits).toMatchObject({ count: 10000, rows: 28, cols: 28 });
    expect(digits.images.length).toBe(10000 * 784);
    const perClass = new Array(10).fill(0);
    for (const label of digits.labels) perClass[label]++;
    expect(perClass).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(digits.labels.every((label, i) => i === 0 || label >= digits.labels[i - 1])).toBe(true);
    expect(bundledDigits()).toBe(digits); // loaded once
  });

  test('pixels are grey levels k/255 in [0, 1], with MNIST-like ink coverage', () => {
    const { images } = digits;
    const { abs, round } = Math; // global lookups are slow inside jest's vm context
    let sum = 0;
    let levelError = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let k = 0; k < images.length; k++) {
      const v = images[k];
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
      const error = abs(v * 255 - round(v * 255));
      if (error > levelError) levelError = error;
    }
    expect([min, max]).toEqual([0, 1]);
    expect(levelError).toBeLessThan(1e-4);
    expect(sum / digits.images.length).toBeCloseTo(0.13, 1); // MNIST's mean intensity is 0.1307
  });

  test("the digits and labels are the mnist package's, in its order: each class file front to back", () => {
    const pkg = path.dirname(require.resolve('mnist/package.json'));
    let at = 0;
    let worst = 0;
    for (let digit = 0; digit < 10; digit++) {
      const theirs: number[] = JSON.parse(fs.readFileSync(path.join(pkg, `src/digits/${digit}.json`), 'utf8')).data;
      const images = theirs.length / 784;
      expect([...new Set(digits.labels.subarray(at, at + images))]).toEqual([digit]);
      const ours = digits.images.subarray(at * 784, (at + images) * 784);
      for (let k = 0; k < theirs.length; k++) worst = Math.max(worst, Math.abs(ours[k] - theirs[k]));
      at += images;
    }
    expect(at).toBe(digits.count);
    expect(worst).toBeLessThanOrEqual(0.0005 + 1e-7); // the package rounds k/255 to 3 decimals
  });
});

describe('IDX files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-idx-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, bytes: Uint8Array) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return file;
  };
  /** Header bytes: 0, 0, type, ndims, then big-endian u32 dimensions. */
  const header = (type: number, shape: number[]) => {
    const b = Buffer.alloc(4 + 4 * shape.length);
    b[2] = type;
    b[3] = shape.length;
    shape.forEach((n, d) => b.writeUInt32BE(n, 4 + 4 * d));
    return b;
  };
  // 3 images of 2 rows × 4 columns, and their labels.
  const pixels = Buffer.from(Array.from({ length: 24 }, (_, k) => (k * 11) % 256));
  const imagesBytes = Buffer.concat([header(0x08, [3, 2, 4]), pixels]);
  const labelsBytes = Buffer.concat([header(0x08, [3]), Buffer.from([7, 0, 9])]);

  test.each([false, true])('images and labels round trip (gzipped: %s)', async (gzipped) => {
    const pack = (b: Buffer) => (gzipped ? zlib.gzipSync(b) : b);
    const data = await readIdxDataset(write(`i${gzipped}`, pack(imagesBytes)), write(`l${gzipped}`, pack(labelsBytes)));
    expect(data).toMatchObject({ count: 3, rows: 2, cols: 4 });
    expect([...data.labels]).toEqual([7, 0, 9]);
    expect(data.images).toEqual(Float32Array.from(pixels, (v) => v / 255));
    const unlabelled = await readIdxDataset(write(`u${gzipped}`, pack(imagesBytes)));
    expect(unlabelled.labels.length).toBe(0);
  });

  test('every IDX type decodes big-endian values', async () => {
    const cases: Array<[number, string, number[], (b: Buffer, v: number, k: number) => void, number]> = [
      [0x09, 'i8', [-128, 5, 127], (b, v, k) => b.writeInt8(v, k), 1],
      [0x0b, 'i16', [-30000, 2, 300], (b, v, k) => b.writeInt16BE(v, 2 * k), 2],
      [0x0c, 'i32', [-2e9, 7, 65536], (b, v, k) => b.writeInt32BE(v, 4 * k), 4],
      [0x0d, 'f32', [-1.5, 0.25, 2 ** 100], (b, v, k) => b.writeFloatBE(v, 4 * k), 4],
      [0x0e, 'f64', [Math.PI, -1e-300, 2], (b, v, k) => b.writeDoubleBE(v, 8 * k), 8],
    ];
    for (const [type, dtype, values, put, size] of cases) {
      const body = Buffer.alloc(values.length * size);
      values.forEach((v, k) => put(body, v, k));
      const array = await readIdx(write(dtype, Buffer.concat([header(type, [1, 3]), body])));
      expect(array.dtype).toBe(dtype);
      expect(array.shape).toEqual([1, 3]);
      expect([...array.data]).toEqual(values);
    }
  });

  test('malformed files are ERR_BAD_FILE naming the problem; a missing file is ERR_IO', async () => {
    const bad = async (bytes: Uint8Array, message: RegExp) => {
      await expect(readIdx(write('bad', bytes))).rejects.toMatchObject({
        code: 'ERR_BAD_FILE',
        message: expect.stringMatching(message),
      });
    };
    await bad(Buffer.from([0, 0, 8]), /truncated header/);
    await bad(Buffer.concat([header(0x08, [3]), Buffer.from([1, 2, 3])]).fill(1, 0, 1), /wrong magic/);
    await bad(Buffer.concat([header(0x07, [3]), Buffer.from([1, 2, 3])]), /wrong magic/);
    await bad(header(0x08, [3, 2, 4]).subarray(0, 10), /truncated header/);
    await bad(imagesBytes.subarray(0, imagesBytes.length - 1), /truncated/);
    await bad(Buffer.concat([imagesBytes, Buffer.from([0])]), /trailing bytes/);
    await bad(Buffer.concat([zlib.gzipSync(imagesBytes).subarray(0, 20)]), /gzip/);
    await bad(Buffer.from([0x1f, 0x8b, 1, 2, 3, 4]), /gzip/);
    expect(() => parseIdx(Buffer.from([0, 0, 8, 0]))).toThrow(/wrong magic/);

    const images = write('images', imagesBytes);
    const twoLabels = write('two', Buffer.concat([header(0x08, [2]), Buffer.from([1, 2])]));
    await expect(readIdxDataset(images, twoLabels)).rejects.toMatchObject({
      code: 'ERR_BAD_FILE',
      message: expect.stringMatching(/3 images but .* 2 labels/),
    });
    await expect(readIdxDataset(images, images)).rejects.toMatchObject({
      code: 'ERR_BAD_FILE',
      message: expect.stringMatching(/labels must be u8 with 1 dimension/),
    });
    await expect(readIdxDataset(write('flat', labelsBytes))).rejects.toMatchObject({
      code: 'ERR_BAD_FILE',
      message: expect.stringMatching(/3 dimensions/),
    });
    await expect(readIdx(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'ERR_IO' });
  });
});

describe('dataset operations', () => {
  test('threshold binarization', () => {
    const data: DigitDataset = {
      count: 1,
      rows: 1,
      cols: 5,
      images: Float32Array.of(0, 0.2, 0.5, 0.7, 1),
      labels: Uint8Array.of(3),
    };
    expect([...binarize(data, { mode: 'threshold' }).images]).toEqual([0, 0, 1, 1, 1]);
    expect([...binarize(data, { mode: 'threshold', threshold: 0.1 }).images]).toEqual([0, 1, 1, 1, 1]);
    expect(binarize(data, { mode: 'threshold' }).labels).toEqual(data.labels);
    expect(() => binarize(data, { mode: 'bogus' } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  test('stochastic binarization: seeded, exact at 0 and 1, Bernoulli(v) in between', () => {
    const n = 100000;
    const images = new Float32Array(n);
    for (let k = 0; k < n; k++) images[k] = k % 4 === 0 ? 0 : k % 4 === 1 ? 1 : 0.3;
    const data: DigitDataset = { count: 1, rows: 1, cols: n, images, labels: new Uint8Array(0) };
    const a = binarize(data, { mode: 'stochastic', seed: 4 }).images;
    const same = (b: Float32Array) => Buffer.from(b.buffer).equals(Buffer.from(a.buffer));
    expect(same(binarize(data, { mode: 'stochastic', seed: 4 }).images)).toBe(true);
    expect(same(binarize(data, { mode: 'stochastic', seed: 5 }).images)).toBe(false);
    let ones = 0;
    let wrong = 0;
    for (let k = 0; k < n; k++) {
      if (k % 4 === 0) wrong += a[k];
      else if (k % 4 === 1) wrong += 1 - a[k];
      else ones += a[k];
    }
    expect(wrong).toBe(0);
    const trials = n / 2;
    expect(Math.abs(ones / trials - 0.3)).toBeLessThan(5 * Math.sqrt((0.3 * 0.7) / trials));
  });

  test('stratified split: exact total, each label its share, disjoint, ordered, seeded', () => {
    const labels = Array.from({ length: 103 }, (_, i) => (i < 50 ? 0 : i < 83 ? 1 : 2)); // 50, 33, 20
    const data = traced(103, labels);
    const { train, test } = splitDataset(data, { testFraction: 0.3, seed: 9 });
    expect(test.count).toBe(31); // round(103 · 0.3)
    expect(train.count).toBe(72);
    const perClass = [0, 0, 0];
    for (const label of test.labels) perClass[label]++;
    expect(perClass).toEqual([15, 10, 6]); // 15, 9.9, 6: the largest remainder gets the extra image
    const ids = (d: DigitDataset) => Array.from({ length: d.count }, (_, k) => indexOf(d, k, 103));
    const all = [...ids(train), ...ids(test)].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 103 }, (_, i) => i));
    expect(ids(test)).toEqual([...ids(test)].sort((x, y) => x - y));
    ids(test).forEach((id, k) => expect(test.labels[k]).toBe(labels[id]));
    expect(ids(splitDataset(data, { testFraction: 0.3, seed: 9 }).test)).toEqual(ids(test));
    expect(ids(splitDataset(data, { testFraction: 0.3, seed: 10 }).test)).not.toEqual(ids(test));
  });

  test('the bundled digits split 8,000 / 2,000 with every class at 20 %', () => {
    const { train, test } = splitDataset(bundledDigits(), { testFraction: 0.2, seed: 1 });
    expect([train.count, test.count]).toEqual([8000, 2000]);
    const perClass = new Array(10).fill(0);
    for (const label of test.labels) perClass[label]++;
    [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978].forEach((n, c) =>
      expect(Math.abs(perClass[c] - 0.2 * n)).toBeLessThan(1),
    );
  });

  test('unstratified and unlabelled splits', () => {
    const plain = splitDataset(traced(10, [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), {
      testFraction: 0.5,
      seed: 1,
      stratified: false,
    });
    expect(plain.test.count).toBe(5);
    const unlabelled = splitDataset(traced(10, null), { testFraction: 0.25, seed: 1 });
    expect([unlabelled.train.count, unlabelled.test.count, unlabelled.test.labels.length]).toEqual([7, 3, 0]);
    expect(splitDataset(traced(4, null), { testFraction: 0, seed: 1 }).test.count).toBe(0);
    expect(() => splitDataset(traced(4, null), { testFraction: 1.5, seed: 1 })).toThrow(/testFraction/);
  });

  test('subset picks images in the given order, repeats allowed, indices checked', () => {
    const data = traced(6, [0, 1, 2, 3, 4, 5]);
    const picked = subset(data, [4, 1, 4]);
    expect(Array.from({ length: 3 }, (_, k) => indexOf(picked, k, 6))).toEqual([4, 1, 4]);
    expect([...picked.labels]).toEqual([4, 1, 4]);
    expect(() => subset(data, [6])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => subset(data, [0.5])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => subset({ ...data, count: 7 }, [0])).toThrow(/images must be/);
  });
});
