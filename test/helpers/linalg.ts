/** Independent references for linear-algebra tests. */
import { luFactor, luSolve } from '../../lib/linalg/lu';
import { SeededRandom } from '../../lib/util/random';

/** A Σ + Σ Aᵀ = D by the vectorised (n² × n²) Kronecker system (I ⊗ A + A ⊗ I) vec Σ = vec D: O(n⁶), small n only. */
export function kroneckerLyapunov(a: Float64Array, d: Float64Array, n: number): Float64Array {
  const m = n * n;
  const k = new Float64Array(m * m);
  // Row (i, j) of the system: Σ_l A_il Σ_lj + Σ_l Σ_il A_jl = D_ij, unknown (r, c) at index r·n + c.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const row = (i * n + j) * m;
      for (let l = 0; l < n; l++) {
        k[row + l * n + j] += a[i * n + l];
        k[row + i * n + l] += a[j * n + l];
      }
    }
  }
  return luSolve(luFactor(k, m), Float64Array.from(d));
}

/** A d × d Wishart matrix G Gᵀ / m with G d × m standard normal (as thermox's notebook, m = 2d), and a normal b. */
export function wishart(d: number, seed: number, m = 2 * d): { a: Float64Array; b: Float64Array } {
  const rng = new SeededRandom(seed);
  const g = Float64Array.from({ length: d * m }, () => rng.normal());
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let k = 0; k < m; k++) sum += g[i * m + k] * g[j * m + k];
      a[i * d + j] = sum / m;
    }
  }
  return { a, b: Float64Array.from({ length: d }, () => rng.normal()) };
}

export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let k = 0; k < expected.length; k++) {
    diff += (actual[k] - expected[k]) ** 2;
    norm += expected[k] ** 2;
  }
  return Math.sqrt(diff / norm);
}
