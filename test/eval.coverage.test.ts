import { meanPairwiseDistance, precisionRecall, unitRows, withinClassDiversity } from '../lib/eval/coverage';
import { digitSplit } from '../lib/eval/digit-classifier';
import { classify, evaluateDigits } from '../lib/eval/digit-eval';
import { formatEval } from '../lib/cli/eval';
import { SeededRandom } from '../lib/util/random';

/** `n` held-out digits drawn at random (all classes). */
function heldOut(n: number, seed: number): Float32Array {
  const { test } = digitSplit();
  const order = Int32Array.from({ length: test.count }, (_, k) => k);
  new SeededRandom(seed).shuffle(order);
  const out = new Float32Array(n * 784);
  for (let s = 0; s < n; s++) out.set(test.images.subarray(order[s] * 784, (order[s] + 1) * 784), s * 784);
  return out;
}

describe('the coverage measures on points whose answers are known', () => {
  test('mean pairwise distance and the diversity ratio', () => {
    // Three points on a line at 0, 3, 4: pairs 3, 4, 1.
    const rows = Float32Array.from([0, 3, 4]);
    expect(meanPairwiseDistance(rows, 1, [0, 1, 2])).toBeCloseTo(8 / 3, 12);
    expect(meanPairwiseDistance(rows, 1, [1])).toBeNaN();
    // Class 0 holds points 0 and 3 (spread 3, real spread 6: ratio 0.5); class 1 one point (no ratio).
    const diversity = withinClassDiversity(Float32Array.from([0, 3, 9]), 1, [0, 0, 1], [6, 1]);
    expect(diversity.perClass).toEqual([0.5, null]);
    expect(diversity.overall).toBe(0.5);
  });

  test('k-NN precision and recall (k = 1) on one-dimensional sets', () => {
    // Real points 0, 1, 2, 3: each ball has radius 1, the manifold is [-1, 4].
    const real = Float32Array.from([0, 1, 2, 3]);
    // Generated 0.5, 3.5, 10, 10.5: two inside the real manifold. Their balls (radii 3, 3, 0.5, 0.5)
    // cover [-2.5, 6.5] ∪ [9.5, 11]: every real point.
    const generated = Float32Array.from([0.5, 3.5, 10, 10.5]);
    expect(precisionRecall(real, generated, 1, 1)).toEqual({ precision: 0.5, recall: 1 });
    expect(precisionRecall(real, Float32Array.from([7, 7]), 1, 1)).toEqual({ precision: 0, recall: 0 });
    // Too few rows for k neighbours: no answer rather than a wrong one.
    expect(precisionRecall(real, Float32Array.from([1]), 1, 3)).toEqual({ precision: NaN, recall: NaN });
  });

  test('unit rows', () => {
    const rows = unitRows(Float32Array.from([3, 4, 0, 0]), 2);
    [0.6, 0.8, 0, 0].forEach((value, k) => expect(rows[k]).toBeCloseTo(value, 6));
  });
});

describe('the digit evaluation sees collapse', () => {
  const n = 400;
  test('held-out real digits: diversity near 1, high precision and recall', () => {
    const result = evaluateDigits(heldOut(n, 3), { seed: 2 });
    expect(Math.abs(result.diversity.overall - 1)).toBeLessThan(0.05);
    expect(result.precision).toBeGreaterThan(0.75);
    expect(result.recall).toBeGreaterThan(0.75);
    // The held-out reference row scores the same way.
    expect(Math.abs(result.reference.heldOut.diversity.overall - 1)).toBeLessThan(0.05);
    expect(result.expectedShare.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(result.expectedShare.every((share) => share > 0.08 && share < 0.12)).toBe(true);
  });

  test('one digit repeated: perfect-looking but no diversity and no recall', () => {
    const one = heldOut(1, 4);
    const repeated = new Float32Array(n * 784);
    for (let s = 0; s < n; s++) repeated.set(one, s * 784);
    const result = evaluateDigits(repeated, { seed: 2 });
    expect(result.diversity.overall).toBe(0);
    expect(result.recall).toBeLessThan(0.02);
    expect(result.classesPresent).toBe(1);
  });

  test('ten digits, one per class, repeated: all classes present, diversity and recall still near 0', () => {
    const { test: data } = digitSplit();
    const predicted = classify(data.images).labels;
    // The first held-out digit of each class that the classifier reads correctly.
    const firstOfClass = Array.from({ length: 10 }, (_, c) =>
      data.labels.findIndex((label, i) => label === c && predicted[i] === c),
    );
    const images = new Float32Array(n * 784);
    for (let s = 0; s < n; s++) {
      const i = firstOfClass[s % 10];
      images.set(data.images.subarray(i * 784, (i + 1) * 784), s * 784);
    }
    const result = evaluateDigits(images, { seed: 2 });
    expect(result.classesPresent).toBe(10);
    expect(result.diversity.overall).toBe(0);
    expect(result.recall).toBeLessThan(0.15);
  });

  test('digits with their pixels shuffled: precision near 0', () => {
    const images = heldOut(n, 5);
    const random = new SeededRandom(6);
    for (let s = 0; s < n; s++) {
      const image = images.subarray(s * 784, (s + 1) * 784);
      for (let k = 783; k > 0; k--) {
        const j = random.int(k + 1);
        [image[k], image[j]] = [image[j], image[k]];
      }
    }
    const result = evaluateDigits(images, { seed: 2 });
    expect(result.precision).toBeLessThan(0.02);
    expect(result.reference.noise.precision).toBeLessThan(0.02);
  });

  test('the report names each measure', () => {
    const text = formatEval(evaluateDigits(heldOut(50, 7), { seed: 2 }));
    for (const word of ['diversity', 'precision', 'recall', 'expected per class']) expect(text).toContain(word);
  });
});
