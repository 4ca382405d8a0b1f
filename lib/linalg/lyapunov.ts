/**
 * The continuous Lyapunov equation A Σ + Σ Aᵀ = D for stable A (every eigenvalue with Re > 0), whose
 * solution is the stationary covariance Σ∞ = ∫₀^∞ e^{−As} D e^{−Aᵀs} ds of dx = −A x dt + √D dW.
 *
 * Solved as the limit of Van Loan's Σ(t) by doubling (van-loan.ts): Σ(2t) = Σ(t) + F Σ(t) Fᵀ until
 * ‖F‖ is negligible. The tail left out is F Σ∞ Fᵀ, so stopping at ‖F‖₁‖F‖∞ < 1e-18 bounds the relative
 * truncation error below rounding. This works for non-symmetric and strongly non-normal A (no
 * eigenvectors are used) at O(n³ log(‖A‖ τ)) cost, τ the slowest relaxation time, and reuses the
 * exponential already needed for transitions; Bartels–Stewart would need a real Schur form, and the
 * vectorised (n² × n²) Kronecker system costs O(n⁶).
 */
import { HeatbathError } from '../errors';
import { norm1, normInf } from './matrix';
import { double, OUIntegrals, shortStep } from './van-loan';

/** Doublings past t₀ = 1/‖A‖₁ before giving up: relaxation times beyond 2^64/‖A‖ are not representable anyway. */
const MAX_DOUBLINGS = 64;
const TAIL = 1e-18;

/** Σ with A Σ + Σ Aᵀ = D (A, D n × n row-major, D symmetric). Throws ERR_NOT_STABLE for unstable A. */
export function solveLyapunov(a: Float64Array, d: Float64Array, n: number): Float64Array {
  return stationaryIntegrals(a, d, n).covariance;
}

/**
 * Van Loan's integrals (with c = 0) at a time t long enough that F(t) = e^{−At} is negligible:
 * Σ(t) = Σ∞ to double precision.
 */
export function stationaryIntegrals(a: Float64Array, d: Float64Array, n: number): OUIntegrals {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i];
  if (!(trace > 0)) throw notStable(`its trace is ${trace}, so some eigenvalue has real part <= 0`);
  const aNorm = norm1(a, n);
  const integrals = shortStep(a, d, new Float64Array(n), n, 1 / aNorm);
  for (let k = 0; k <= MAX_DOUBLINGS; k++) {
    const f = integrals.transition;
    const decay = norm1(f, n) * normInf(f, n);
    if (!Number.isFinite(decay)) throw notStable('e^{−At} grows without bound');
    if (decay < TAIL) return integrals;
    double(integrals);
  }
  throw notStable(`e^{−At} has not decayed by t = ${integrals.time.toExponential(2)} (2^${MAX_DOUBLINGS}/‖A‖₁)`);
}

function notStable(why: string): HeatbathError {
  return new HeatbathError(
    'ERR_NOT_STABLE',
    `the drift matrix A is not stable (every eigenvalue needs a real part > 0): ${why}`,
  );
}
