/**
 * One exact Ornstein–Uhlenbeck step of fixed length for many chains at once:
 *   x' = F x + g + L ξ,   F = e^{−Ah},   g = ∫₀ʰ e^{−As} c ds,   L Lᵀ = Σ(h),   ξ ~ N(0, I),
 * for dx = (−A x + c) dt + √D dW. L is a pivoted Cholesky factor, so a singular Σ(h) (D of low rank)
 * costs only its rank.
 */
import { pivotedCholesky } from '../linalg/cholesky';
import { ouIntegrals } from '../linalg/van-loan';
import { fillNormals } from '../util/normals';
import type { SeededRandom } from '../util/random';

/** Eigen-directions of Σ(h) below this fraction of its largest diagonal carry no noise (rounding level). */
const RANK_TOLERANCE = 1e-14;

export class OUTransition {
  readonly n: number;
  /** Step length h. */
  readonly time: number;
  /** F = e^{−Ah} (n × n row-major). */
  readonly transition: Float64Array;
  /** Σ(h), the covariance added by one step (n × n row-major). */
  readonly covariance: Float64Array;
  /** g, the deterministic shift of one step. */
  readonly offset: Float64Array;
  private readonly factor: Float64Array;
  private readonly perm: Int32Array;
  private readonly rank: number;
  private readonly next: Float64Array;
  private readonly noise: Float64Array;

  /** A, D n × n row-major (D symmetric positive semidefinite), c of length n; h > 0. Inputs are trusted. */
  constructor(a: Float64Array, d: Float64Array, force: Float64Array, n: number, time: number) {
    const integrals = ouIntegrals(a, d, force, n, time);
    this.n = n;
    this.time = time;
    this.transition = integrals.transition;
    this.covariance = integrals.covariance;
    this.offset = integrals.offset;
    const { factor, perm, rank } = pivotedCholesky(integrals.covariance, n, RANK_TOLERANCE);
    this.factor = factor;
    this.perm = perm;
    this.rank = rank;
    this.next = new Float64Array(n);
    this.noise = new Float64Array(rank);
  }

  /** Advances every chain of `states` (chains × n, row per chain) by one step, in place. */
  advance(states: Float64Array, chains: number, rng: SeededRandom): void {
    const { n, transition: f, offset, factor, perm, rank, next, noise } = this;
    for (let c = 0; c < chains; c++) {
      const base = c * n;
      for (let i = 0; i < n; i++) {
        let sum = offset[i];
        const row = i * n;
        for (let j = 0; j < n; j++) sum += f[row + j] * states[base + j];
        next[i] = sum;
      }
      if (rank > 0) {
        fillNormals(rng, noise, rank);
        for (let i = 0; i < n; i++) {
          const row = i * n;
          const width = i < rank ? i + 1 : rank;
          let sum = 0;
          for (let k = 0; k < width; k++) sum += factor[row + k] * noise[k];
          next[perm[i]] += sum;
        }
      }
      states.set(next, base);
    }
  }
}
