import { FrechetReference, fitGaussian, frechetDistance } from '../lib/eval/frechet';
import { SeededRandom } from '../lib/util/random';
import { symmetricEigen } from '../lib/util/symmetric-eigen';

/** A random orthogonal matrix (Gram–Schmidt on Gaussian columns), row-major, column k = q_k. */
function orthogonal(n: number, random: SeededRandom): Float64Array {
  const q = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const col = Array.from({ length: n }, () => random.normal());
    for (let j = 0; j < k; j++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += col[i] * q[i * n + j];
      for (let i = 0; i < n; i++) col[i] -= dot * q[i * n + j];
    }
    const norm = Math.hypot(...col);
    for (let i = 0; i < n; i++) q[i * n + k] = col[i] / norm;
  }
  return q;
}

/**
 * 2·dim points whose fitted Gaussian is exactly N(mean, Q diag(variances) Qᵀ): mean ± c_k q_k, with
 * c_k chosen so that the unbiased covariance has eigenvalue variances[k] along q_k.
 */
function pointsWith(mean: number[], variances: number[], q: Float64Array): Float64Array {
  const dim = mean.length;
  const count = 2 * dim;
  const points = new Float64Array(count * dim);
  variances.forEach((variance, k) => {
    const c = Math.sqrt((variance * (count - 1)) / 2);
    for (let i = 0; i < dim; i++) {
      points[2 * k * dim + i] = mean[i] + c * q[i * dim + k];
      points[(2 * k + 1) * dim + i] = mean[i] - c * q[i * dim + k];
    }
  });
  return points;
}

const identity = (n: number) => Float64Array.from({ length: n * n }, (_, k) => (k % (n + 1) === 0 ? 1 : 0));

describe('symmetric eigendecomposition', () => {
  test('a 2×2 case and a diagonal matrix', () => {
    expect([...symmetricEigen(Float64Array.of(2, 1, 1, 2), 2).values].sort()).toEqual([
      expect.closeTo(1, 14),
      expect.closeTo(3, 14),
    ]);
    expect([...symmetricEigen(Float64Array.of(5, 0, 0, 0, -1, 0, 0, 0, 2), 3).values]).toEqual([5, -1, 2]);
  });

  test('random 60×60: A v = λ v, V orthonormal, same values without vectors', () => {
    const n = 60;
    const random = new SeededRandom(2);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = random.normal();
    const { values, vectors } = symmetricEigen(a, n);
    const v = vectors!;
    let residual = 0;
    let orthogonality = 0;
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j] * v[j * n + k];
        residual = Math.max(residual, Math.abs(av - values[k] * v[i * n + k]));
      }
      for (let l = 0; l < n; l++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += v[i * n + k] * v[i * n + l];
        orthogonality = Math.max(orthogonality, Math.abs(dot - (k === l ? 1 : 0)));
      }
    }
    expect(residual).toBeLessThan(1e-11);
    expect(orthogonality).toBeLessThan(1e-12);
    const alone = symmetricEigen(a, n, false).values;
    alone.forEach((lambda, k) => expect(lambda).toBeCloseTo(values[k], 10));
  });
});

describe('Fréchet distance', () => {
  test('fitGaussian: mean and unbiased covariance', () => {
    const g = fitGaussian(Float32Array.of(0, 0, 2, 0, 1, 3), 2); // points (0,0), (2,0), (1,3)
    expect([...g.mean]).toEqual([1, 1]);
    expect([...g.covariance]).toEqual([1, 0, 0, 3]);
  });

  test('equal sets are at distance 0; a shift adds |Δμ|²', () => {
    const random = new SeededRandom(3);
    const dim = 16;
    const a = Float64Array.from({ length: 500 * dim }, () => random.normal() * 3 + 1);
    expect(frechetDistance(a, a, dim)).toBeLessThan(1e-9);
    expect(frechetDistance(a, Float32Array.from(a), dim)).toBeLessThan(1e-4); // float32 rounding of the copy
    const shifted = a.map((x, k) => x + (k % dim === 0 ? 2 : 0));
    expect(frechetDistance(a, shifted, dim)).toBeCloseTo(4, 9);
  });

  test('diagonal covariances: Σ(√a − √b)² + |Δμ|²', () => {
    const va = [1, 4, 9, 0.25];
    const vb = [4, 1, 9, 2];
    const a = pointsWith([0, 0, 0, 0], va, identity(4));
    const b = pointsWith([1, -1, 0, 3], vb, identity(4));
    const expected = va.reduce((s, x, k) => s + (Math.sqrt(x) - Math.sqrt(vb[k])) ** 2, 0) + 1 + 1 + 9;
    expect(frechetDistance(a, b, 4)).toBeCloseTo(expected, 10);
    expect(frechetDistance(b, a, 4)).toBeCloseTo(expected, 10);
  });

  test('128 dimensions, covariances sharing a random eigenbasis: the diagonal formula still holds', () => {
    const dim = 128;
    const random = new SeededRandom(4);
    const q = orthogonal(dim, random);
    const va = Array.from({ length: dim }, () => random.float() * 5);
    const vb = Array.from({ length: dim }, () => random.float() * 5);
    const ma = Array.from({ length: dim }, () => random.normal());
    const mb = Array.from({ length: dim }, () => random.normal());
    let expected = 0;
    for (let k = 0; k < dim; k++) expected += (Math.sqrt(va[k]) - Math.sqrt(vb[k])) ** 2 + (ma[k] - mb[k]) ** 2;
    expect(frechetDistance(pointsWith(ma, va, q), pointsWith(mb, vb, q), dim)).toBeCloseTo(expected, 8);
  });

  test('a rotated covariance: 2(a₁ + a₂) − 2√((a₁² + a₂²)cos²θ + 2a₁a₂ sin²θ + 2a₁a₂), embedded in 6 dimensions', () => {
    const [a1, a2] = [4, 0.5];
    for (const theta of [0.3, Math.PI / 4, 1.2]) {
      const [c, s] = [Math.cos(theta), Math.sin(theta)];
      const rotation = identity(6);
      rotation.set([c, -s], 2 * 6 + 2);
      rotation.set([s, c], 3 * 6 + 2);
      const variances = [1, 2, a1, a2, 3, 0.1];
      const a = pointsWith(new Array(6).fill(0), variances, identity(6));
      const b = pointsWith(new Array(6).fill(0), variances, rotation);
      const expected = 2 * (a1 + a2) - 2 * Math.sqrt((a1 * a1 + a2 * a2) * c * c + 2 * a1 * a2 * s * s + 2 * a1 * a2);
      expect(frechetDistance(a, b, 6)).toBeCloseTo(expected, 10);
    }
  });

  test('a reference measures many sets; bad input is refused', () => {
    const random = new SeededRandom(5);
    const sets = [0, 1, 2].map(() => Float64Array.from({ length: 200 * 8 }, () => random.normal()));
    const reference = new FrechetReference(fitGaussian(sets[0], 8));
    for (const set of sets.slice(1))
      expect(reference.distanceTo(fitGaussian(set, 8))).toBeCloseTo(frechetDistance(sets[0], set, 8), 10);
    expect(() => frechetDistance(sets[0], sets[1].subarray(0, 8), 8)).toThrow(/at least 2 samples/);
    expect(() => frechetDistance(sets[0], sets[1], 7)).toThrow(/multiple of dim/);
    expect(() => reference.distanceTo(fitGaussian(sets[1], 4))).toThrow(/dimensions differ/);
    expect(() => fitGaussian(Float64Array.of(1, NaN, 2, 3), 2)).toThrow(
      expect.objectContaining({ code: 'ERR_NOT_FINITE' }),
    );
    expect(() => fitGaussian([1, 2, 3, 4] as never, 2)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});
