/**
 * The integrals behind exact Ornstein–Uhlenbeck transitions for dx = (−A x + c) dt + √D dW:
 *
 *   F(t) = e^{−At},   Σ(t) = ∫₀ᵗ e^{−As} D e^{−Aᵀs} ds,   g(t) = ∫₀ᵗ e^{−As} c ds,
 *
 * so that x(t) = F x(0) + g + N(0, Σ). A short step t₀ <= 1/‖A‖₁ comes from one block exponential of
 * order 2n + 1 (Van Loan, IEEE TAC 23, 395 (1978)):
 *
 *   exp(t₀ [[−A, D, c], [0, Aᵀ, 0], [0, 0, 0]]) = [[F, G, g], [0, e^{Aᵀt₀}, 0], [0, 0, 1]],   Σ = G Fᵀ,
 *
 * and longer times by doubling, Σ(2t) = Σ(t) + F Σ(t) Fᵀ, g(2t) = g(t) + F g(t), F(2t) = F(t)². Doubling
 * avoids the e^{+Aᵀt} block, which overflows or loses all digits when t‖A‖ is large; for positive
 * semidefinite D each doubling adds a positive semidefinite term, so nothing cancels.
 */
import { expm } from './expm';
import { matVec, multiply, multiplyTransposed, norm1 } from './matrix';

export interface OUIntegrals {
  n: number;
  /** Time t these integrals are for. */
  time: number;
  /** e^{−At} (n × n). */
  transition: Float64Array;
  /** Σ(t), symmetric (n × n). */
  covariance: Float64Array;
  /** g(t) = ∫₀ᵗ e^{−As} c ds (n). */
  offset: Float64Array;
}

/** F, Σ and g at time t > 0 (A, D n × n row-major; D symmetric; c of length n). */
export function ouIntegrals(a: Float64Array, d: Float64Array, c: Float64Array, n: number, time: number): OUIntegrals {
  const aNorm = norm1(a, n);
  const doublings = aNorm * time > 1 ? Math.ceil(Math.log2(aNorm * time)) : 0;
  const integrals = shortStep(a, d, c, n, time / 2 ** doublings);
  for (let k = 0; k < doublings; k++) double(integrals);
  integrals.time = time; // exact: the short step times 2^doublings, without its rounding
  return integrals;
}

/** Van Loan's block exponential for one step with ‖A‖₁·t <= 1. */
export function shortStep(a: Float64Array, d: Float64Array, c: Float64Array, n: number, time: number): OUIntegrals {
  // D and c enter linearly: scale their blocks to A's size so the block matrix stays well balanced.
  const aNorm = norm1(a, n);
  const dNorm = norm1(d, n);
  const cNorm = c.reduce((sum, v) => sum + Math.abs(v), 0);
  const unit = aNorm > 0 ? aNorm : 1;
  const dScale = dNorm > 0 ? unit / dNorm : 0;
  const cScale = cNorm > 0 ? unit / cNorm : 0;
  const m = 2 * n + 1;
  const block = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      block[i * m + j] = -a[i * n + j] * time;
      block[i * m + n + j] = d[i * n + j] * dScale * time;
      block[(n + i) * m + n + j] = a[j * n + i] * time;
    }
    block[i * m + 2 * n] = c[i] * cScale * time;
  }
  const e = expm(block, m);
  const transition = new Float64Array(n * n);
  const g = new Float64Array(n * n);
  const offset = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      transition[i * n + j] = e[i * m + j];
      g[i * n + j] = dScale > 0 ? e[i * m + n + j] / dScale : 0;
    }
    offset[i] = cScale > 0 ? e[i * m + 2 * n] / cScale : 0;
  }
  const covariance = symmetrise(multiplyTransposed(g, transition, n), n);
  return { n, time, transition, covariance, offset };
}

/** Advances t → 2t in place. */
export function double(integrals: OUIntegrals): void {
  const { n, transition: f, covariance, offset } = integrals;
  const fs = multiply(f, covariance, n);
  const fsf = multiplyTransposed(fs, f, n);
  for (let i = 0; i < n * n; i++) covariance[i] += fsf[i];
  symmetrise(covariance, n);
  const fg = matVec(f, offset, n);
  for (let i = 0; i < n; i++) offset[i] += fg[i];
  integrals.transition = multiply(f, f, n);
  integrals.time *= 2;
}

function symmetrise(s: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = (s[i * n + j] + s[j * n + i]) / 2;
      s[i * n + j] = v;
      s[j * n + i] = v;
    }
  }
  return s;
}
