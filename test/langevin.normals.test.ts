/** The engine's Gaussian generator: moments, tails, reproducibility, scalar vs SIMD. */
import { randomNormals } from '../lib/engines/langevin';
import { native } from '../lib/native';
import { Z_FAMILY } from './helpers/stats';

const COUNT = 1 << 22;

/** P(|Z| > t) for a standard normal: erfc(t/√2) by its continued fraction (accurate to ~1e-12 for t >= 1). */
function twoSidedTail(t: number): number {
  const x = t / Math.SQRT2;
  let f = 0;
  for (let k = 60; k >= 1; k--) f = k / 2 / (x + f);
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + f);
}

describe('randomNormals', () => {
  const z = randomNormals(COUNT, 12, 3);

  test('moments 0, 1, 0, 3 within their standard errors', () => {
    let [m1, m2, m3, m4] = [0, 0, 0, 0];
    for (const x of z) {
      m1 += x;
      m2 += x * x;
      m3 += x ** 3;
      m4 += x ** 4;
    }
    // Standard errors of the sample moments of N(0,1): √(var(X^k)/n) with var = 1, 2, 15, 96.
    const n = COUNT;
    expect(Math.abs(m1 / n)).toBeLessThan(Z_FAMILY * Math.sqrt(1 / n));
    expect(Math.abs(m2 / n - 1)).toBeLessThan(Z_FAMILY * Math.sqrt(2 / n));
    expect(Math.abs(m3 / n)).toBeLessThan(Z_FAMILY * Math.sqrt(15 / n));
    expect(Math.abs(m4 / n - 3)).toBeLessThan(Z_FAMILY * Math.sqrt(96 / n));
  });

  test('tail probabilities P(|Z| > t) for t = 1..4.5 match the normal law', () => {
    const thresholds = [1, 2, 3, 4, 4.5];
    const hits = thresholds.map(() => 0);
    let largest = 0;
    for (let k = 0; k < COUNT; k++) {
      const a = Math.abs(z[k]);
      largest = Math.max(largest, a);
      for (let t = 0; t < thresholds.length && a > thresholds[t]; t++) hits[t]++;
    }
    thresholds.forEach((t, k) => {
      const p = twoSidedTail(t);
      expect(Math.abs(hits[k] - COUNT * p)).toBeLessThan(Z_FAMILY * Math.sqrt(COUNT * p * (1 - p)) + 1);
    });
    // The largest |z| the generator can make is √(2·31·ln 2) = 6.56.
    expect(largest).toBeLessThan(6.57);
  });

  test('reproducible per (seed, stream); streams differ; scalar and SIMD agree', () => {
    expect(randomNormals(1000, 12, 3)).toEqual(z.subarray(0, 1000));
    expect(randomNormals(1000, 12, 4)).not.toEqual(z.subarray(0, 1000));
    const best = native().info().simd;
    try {
      native().setSimd('scalar');
      const scalar = randomNormals(1 << 16, 12, 3);
      let d = 0;
      for (let k = 0; k < scalar.length; k++) d = Math.max(d, Math.abs(scalar[k] - z[k]));
      expect(d).toBeLessThan(2e-5);
    } finally {
      native().setSimd(best);
    }
  });
});
