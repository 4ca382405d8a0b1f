import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { digitClassifier } from '../lib/eval/default-classifier';
import { DigitClassifier, digitSplit } from '../lib/eval/digit-classifier';
import { trainDigitClassifier } from '../lib/eval/digit-training';
import { classify, evaluateDigits } from '../lib/eval/digit-eval';
import { decodeModel, encodeModel, loadModel } from '../lib/io/model-file';
import { decodeSafetensors, encodeSafetensors } from '../lib/io/safetensors';

// Trained once for the file (a few seconds); every test below shares it.
let classifier: DigitClassifier;
let trainSeconds: number;
beforeAll(() => {
  digitSplit();
  const start = performance.now();
  classifier = digitClassifier();
  trainSeconds = (performance.now() - start) / 1000;
});

/** `n` held-out digits of all classes: every k-th one. */
function heldOutMixed(n: number): Float32Array {
  const { test } = digitSplit();
  const out = new Float32Array(n * 784);
  const step = Math.floor(test.count / n);
  for (let s = 0; s < n; s++) out.set(test.images.subarray(s * step * 784, (s * step + 1) * 784), s * 784);
  return out;
}

const sameBits = (a: Float32Array, b: Float32Array) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** The held-out digits with a given label, first `n` of them. */
function heldOutOf(label: number, n: number): Float32Array {
  const { test } = digitSplit();
  const out = new Float32Array(n * 784);
  let s = 0;
  for (let i = 0; i < test.count && s < n; i++) {
    if (test.labels[i] === label) out.set(test.images.subarray(i * 784, (i + 1) * 784), 784 * s++);
  }
  return out;
}

test('the classifier reaches its accuracy on 2,000 held-out digits, grey and binarized, in seconds', () => {
  expect(classifier.heldOutAccuracy.grey).toBeGreaterThanOrEqual(0.94);
  expect(classifier.heldOutAccuracy.binary).toBeGreaterThanOrEqual(0.93);
  expect(trainSeconds).toBeLessThan(30); // ~3 s alone on 2 cores; a loose bound for a busy machine
  expect(digitClassifier()).toBe(classifier);

  const { test } = digitSplit();
  const { labels, confidence } = classify(test.images);
  const correct = labels.reduce((n, label, k) => n + (label === test.labels[k] ? 1 : 0), 0);
  expect(correct / test.count).toBe(classifier.heldOutAccuracy.grey);
  expect(confidence.every((c) => c >= 0.1 && c <= 1)).toBe(true);
});

test('training is deterministic for a seed', () => {
  const a = trainDigitClassifier({ hidden: 8, epochs: 1, seed: 3 });
  const b = trainDigitClassifier({ hidden: 8, epochs: 1, seed: 3 });
  const c = trainDigitClassifier({ hidden: 8, epochs: 1, seed: 4 });
  expect(sameBits(b.network.params, a.network.params)).toBe(true);
  expect(sameBits(c.network.views.w1, a.network.views.w1)).toBe(false);
});

test('held-out digits score far better than noise in confidence, coverage and Fréchet distance', () => {
  const samples = heldOutMixed(1000);
  const result = evaluateDigits(samples, { seed: 2 });
  const { heldOut, noise } = result.reference;
  expect(result.binary).toBe(false);
  expect(result.classifierAccuracy).toBe(classifier.heldOutAccuracy.grey);
  expect([result.count, heldOut.count, noise.count]).toEqual([1000, 1000, 1000]);
  for (const real of [result, heldOut]) {
    expect(real.meanConfidence).toBeGreaterThan(0.85);
    expect(real.classesPresent).toBe(10);
    expect(real.classCounts.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(real.frechet).toBeLessThan(noise.frechet / 20);
  }
  expect(noise.meanConfidence).toBeLessThan(0.2);
  expect(noise.classesPresent).toBeLessThanOrEqual(2);
  // Two sets of real digits sit about as far from the training features as each other.
  expect(result.frechet).toBeLessThan(3 * heldOut.frechet);
  expect(evaluateDigits(samples, { seed: 2 })).toEqual(result);
});

test('a generator stuck on one digit: full confidence, one class, a large Fréchet distance', () => {
  const ones = heldOutOf(1, 150);
  const result = evaluateDigits(ones);
  expect(result.meanConfidence).toBeGreaterThan(0.85);
  expect(result.classesPresent).toBe(1);
  expect(result.classCounts[1]).toBeGreaterThan(140);
  expect(result.frechet).toBeGreaterThan(5 * result.reference.heldOut.frechet);
});

test('binary samples are compared with binarized digits and coin-flip noise', () => {
  const binary = heldOutMixed(400).map((v) => (v >= 0.5 ? 1 : 0));
  const result = evaluateDigits(binary, { seed: 5 });
  expect(result.binary).toBe(true);
  expect(result.classifierAccuracy).toBe(classifier.heldOutAccuracy.binary);
  expect(result.meanConfidence).toBeGreaterThan(0.85);
  expect(result.classesPresent).toBe(10);
  expect(result.frechet).toBeLessThan(result.reference.noise.frechet / 20);
  expect(result.reference.noise.meanConfidence).toBeLessThan(0.2);
});

test('bad samples are refused with ERR_INVALID_ARGUMENT', () => {
  const code = { code: 'ERR_INVALID_ARGUMENT' };
  expect(() => evaluateDigits(new Float32Array(784))).toThrow(expect.objectContaining(code)); // 1 sample
  expect(() => evaluateDigits(new Float32Array(785 * 2))).toThrow(expect.objectContaining(code));
  expect(() => evaluateDigits(new Float32Array(784 * 2).fill(2))).toThrow(/\[0, 1\]/);
  expect(() => evaluateDigits(new Float32Array(784 * 2).fill(NaN))).toThrow(expect.objectContaining(code));
  expect(() => evaluateDigits([0, 1] as never)).toThrow(expect.objectContaining(code));
  expect(() => classify(new Float64Array(784) as never)).toThrow(expect.objectContaining(code));
  expect(() => evaluateDigits(new Float32Array(784 * 2), { seed: -1 })).toThrow(expect.objectContaining(code));
});

describe('the weights file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-classifier-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cacheFile = (cacheDir: string) => path.join(cacheDir, 'digit-classifier.safetensors');
  const sameWeights = (model: unknown) =>
    model instanceof DigitClassifier && sameBits(model.network.params, classifier.network.params);

  test('written only under a given cache directory as a digit-classifier model file, and read back bit for bit', async () => {
    const cacheDir = path.join(dir, 'cache');
    expect(digitClassifier({ cacheDir })).toBe(classifier);
    const stored = await loadModel(cacheFile(cacheDir));
    expect(sameWeights(stored)).toBe(true);
    expect((stored as DigitClassifier).training).toEqual(classifier.training);
    expect(decodeSafetensors(fs.readFileSync(cacheFile(cacheDir))).metadata.kind).toBe('digit-classifier');
    expect(digitClassifier({ cacheDir })).toBe(classifier);
  });

  test('damaged files are ERR_BAD_FILE', () => {
    const bytes = encodeModel(classifier);
    expect(sameWeights(decodeModel(bytes))).toBe(true);
    const bad = { code: 'ERR_BAD_FILE' };
    expect(() => decodeModel(bytes.subarray(0, bytes.length - 4))).toThrow(expect.objectContaining(bad));
    expect(() => decodeModel(Buffer.from('not a classifier'))).toThrow(expect.objectContaining(bad));
    const nan = Uint8Array.from(bytes);
    nan.set([0, 0, 0xc0, 0x7f], nan.length - 4); // the last weight becomes NaN
    expect(() => decodeModel(nan)).toThrow(/NaN/);
    const { tensors, metadata } = decodeSafetensors(bytes);
    const hyper = (change: object) =>
      encodeSafetensors(tensors, { ...metadata, hyper: JSON.stringify({ ...JSON.parse(metadata.hyper), ...change }) });
    expect(() => decodeModel(hyper({ hidden: 64 }))).toThrow(
      expect.objectContaining({ ...bad, message: expect.stringMatching(/shape/) }),
    );
    expect(() => decodeModel(hyper({ recipe: 7 }))).toThrow(
      expect.objectContaining({ ...bad, message: expect.stringMatching(/recipe/) }),
    );
  });

  test('a damaged or stale cache is trained again and replaced', async () => {
    const stale = encodeModel(
      new DigitClassifier(classifier.network, { ...classifier.training, recipe: 'an older recipe' }),
    );
    for (const [name, content] of [
      ['truncated', encodeModel(classifier).subarray(0, 100)],
      ['stale', stale],
    ] as const) {
      const cacheDir = path.join(dir, name);
      fs.mkdirSync(cacheDir);
      fs.writeFileSync(cacheFile(cacheDir), content);
      expect(digitClassifier({ cacheDir })).toBe(classifier);
      expect(sameWeights(await loadModel(cacheFile(cacheDir)))).toBe(true);
      expect(fs.readdirSync(cacheDir)).toEqual(['digit-classifier.safetensors']);
    }
  });
});
