/**
 * Exact (damped) natural gradient descent: θ ← θ − η F⁻¹∇ℓ with F = Jᵀ H J + λI, by a direct solve.
 * Through the push-through identity (λI + Jᵀ H J)⁻¹ Jᵀ = Jᵀ (λI + H K)⁻¹ with K = J Jᵀ, the solve has
 * the size m = batch·classes of the logits, not N: F⁻¹∇ℓ = Jᵀ x with (λI + H K) x = e.
 */
import { HeatbathError } from '../errors';
import { luFactor, luSolve } from '../linalg/lu';
import { Linearization } from '../nn/classifier';
import { checkFinite, invalid } from '../util/validate';
import { curvatureStep } from './curvature-step';
import { Optimizer } from '../nn/optimizers';

export interface NaturalGradientOptions {
  /** λ added to the curvature (default 0.01). */
  damping?: number;
}

/** Largest m = batch·classes for the direct solve (m³/3 multiply-adds in float64, m² numbers). */
export const MAX_SOLVE_UNITS = 4096;

/** F⁻¹∇ℓ of a linearisation, F = Jᵀ H J + damping·I. */
export function naturalGradient(lin: Linearization, damping: number): Float32Array {
  const { batch, classes, probs } = lin;
  const m = batch * classes;
  if (m > MAX_SOLVE_UNITS) {
    throw new HeatbathError(
      'ERR_TOO_LARGE',
      `batch × classes = ${m}: the direct solve is limited to ${MAX_SOLVE_UNITS} (use tngd for larger batches)`,
    );
  }
  const gram = new Float32Array(m * m);
  lin.gram(gram);
  // (λI + H K), H block diagonal with blocks (diag p − p pᵀ)/b applied to the columns of K.
  const system = new Float64Array(m * m);
  for (let s = 0; s < batch; s++) {
    for (let col = 0; col < m; col++) {
      let pk = 0;
      for (let c = 0; c < classes; c++) pk += probs[s * classes + c] * gram[(s * classes + c) * m + col];
      for (let c = 0; c < classes; c++) {
        const row = s * classes + c;
        system[row * m + col] = (probs[row] * (gram[row * m + col] - pk)) / batch;
      }
    }
  }
  for (let i = 0; i < m; i++) system[i * m + i] += damping;
  const x = luSolve(luFactor(system, m, 'λI + H K'), Float64Array.from(lin.logitGradient));
  const out = new Float32Array(lin.parameters);
  lin.vjp(Float32Array.from(x), out);
  return out;
}

export function ngd(options: NaturalGradientOptions = {}): Optimizer {
  const damping = checkFinite('damping', options.damping ?? 0.01);
  if (!(damping > 0)) throw invalid(`damping must be > 0 (F = JᵀHJ is singular without it), got ${damping}`);
  let pending: Linearization | undefined;
  return {
    name: 'ngd',
    setCurvature(lin) {
      pending = lin;
    },
    step(groups, lr) {
      checkFinite('lr', lr);
      const { param, lin } = curvatureStep('ngd', groups, pending);
      pending = undefined;
      const direction = naturalGradient(lin, damping);
      for (let i = 0; i < param.length; i++) param[i] -= lr * direction[i];
    },
    state: () => ({}),
    loadState() {},
  };
}
