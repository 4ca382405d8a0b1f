/**
 * The integrals behind exact Ornstein–Uhlenbeck transitions for dx = (−A x + c) dt + √D dW:
 *
 *   F(t) = e^{−At},   Σ(t) = ∫₀ᵗ e^{−As} D e^{−Aᵀs} ds,   Φ(t) = ∫₀ᵗ e^{−As} ds,
 *
 * so that x(t) = F x(0) + Φ c + N(0, Σ). A short step t₀ <= 1/‖A‖₁ comes from one block exponential
 * (Van Loan, IEEE TAC 23, 395 (1978)):
 *
 *   exp(t₀ [[−A, D, I], [0, Aᵀ, 0], [0, 0, 0]]) = [[F, G, Φ], [0, e^{Aᵀt₀}, 0], [0, 0, I]],   Σ = G Fᵀ,
 *
 * and longer times by doubling, Σ(2t) = Σ(t) + F Σ(t) Fᵀ, Φ(2t) = Φ(t) + F Φ(t), F(2t) = F(t)². Doubling
 * avoids the e^{+Aᵀt} block, which overflows or loses all digits when t‖A‖ is large; for positive
 * semidefinite D each doubling adds a positive semidefinite term, so nothing cancels.
 */
import { expm } from './expm';
import { multiply, multiplyTransposed, norm1 } from './matrix';

export interface OUIntegrals {
  n: number;
  /** Time t these integrals are for. */
  time: number;
  /** e^{−At} (n × n). */
  transition: Float64Array;
  /** Σ(t), symmetric (n × n). */
  covariance: Float64Array;
  /** Φ(t) = ∫₀ᵗ e^{−As} ds (n × n). */
  forcing: Float64Array;
}

/** F, Σ and Φ at time t > 0 (A, D n × n row-major; D symmetric). */
export function ouIntegrals(a: Float64Array, d: Float64Array, n: number, time: number): OUIntegrals {
  const aNorm = norm1(a, n);
  const doublings = aNorm * time > 1 ? Math.ceil(Math.log2(aNorm * time)) : 0;
  const integrals = shortStep(a, d, n, time / 2 ** doublings);
  for (let k = 0; k < doublings; k++) double(integrals);
  integrals.time = time; // exact: the short step times 2^doublings, without its rounding
  return integrals;
}

/** Van Loan's block exponential for one step with ‖A‖₁·t <= 1. */
export function shortStep(a: Float64Array, d: Float64Array, n: number, time: number): OUIntegrals {
  // D and I enter linearly: scale their blocks to A's size so the block matrix stays well balanced.
  const aNorm = norm1(a, n);
  const dNorm = norm1(d, n);
  const unit = aNorm > 0 ? aNorm : 1;
  const dScale = dNorm > 0 ? unit / dNorm : 0;
  const m = 3 * n;
  const block = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      block[i * m + j] = -a[i * n + j] * time;
      block[i * m + n + j] = d[i * n + j] * dScale * time;
      block[(n + i) * m + n + j] = a[j * n + i] * time;
    }
    block[i * m + 2 * n + i] = unit * time;
  }
  const e = expm(block, m);
  const transition = new Float64Array(n * n);
  const g = new Float64Array(n * n);
  const forcing = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      transition[i * n + j] = e[i * m + j];
      g[i * n + j] = dScale > 0 ? e[i * m + n + j] / dScale : 0;
      forcing[i * n + j] = e[i * m + 2 * n + j] / unit;
    }
  }
  const covariance = symmetrise(multiplyTransposed(g, transition, n), n);
  return { n, time, transition, covariance, forcing };
}

/** Advances t → 2t in place. */
export function double(integrals: OUIntegrals): void {
  const { n, transition: f, covariance, forcing } = integrals;
  const fs = multiply(f, covariance, n);
  const fsf = multiplyTransposed(fs, f, n);
  for (let i = 0; i < n * n; i++) covariance[i] += fsf[i];
  symmetrise(covariance, n);
  const fPhi = multiply(f, forcing, n);
  for (let i = 0; i < n * n; i++) forcing[i] += fPhi[i];
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
