/**
 * Exact answers for small RBMs (V <= 16) by enumerating every visible state, with the hidden units
 * summed out analytically: p(v) ∝ exp(bᵀv) Π_j (1 + exp(c_j + (vW)_j)).
 */
import type { RBM } from '../../lib/models/rbm';

const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Visible state of index `s` (bit i = unit i). */
export function visibleState(s: number, V: number): Float64Array {
  return Float64Array.from({ length: V }, (_, i) => (s >> i) & 1);
}

/** Hidden pre-activations c + vW in float64. */
export function hiddenInputs(rbm: RBM, v: ArrayLike<number>): Float64Array {
  const { numVisible: V, numHidden: H } = rbm;
  const a = Float64Array.from(rbm.hiddenBias);
  for (let i = 0; i < V; i++) if (v[i]) for (let j = 0; j < H; j++) a[j] += rbm.weights[i * H + j];
  return a;
}

export function exactFreeEnergy(rbm: RBM, v: ArrayLike<number>): number {
  let f = 0;
  for (let i = 0; i < rbm.numVisible; i++) f -= rbm.visibleBias[i] * v[i];
  for (const a of hiddenInputs(rbm, v)) f -= softplus(a);
  return f;
}

export interface ExactRbm {
  logZ: number;
  /** p(v) for every visible state index. */
  probabilities: Float64Array;
  /** E_model[v_i σ(c + vW)_j], V×H, and the per-term variances Var(v_i σ_j). */
  vh: Float64Array;
  vhVariance: Float64Array;
  /** E_model[v_i] and E_model[σ(c + vW)_j]. */
  v: Float64Array;
  h: Float64Array;
}

export function exactRbm(rbm: RBM): ExactRbm {
  const { numVisible: V, numHidden: H } = rbm;
  if (V > 16) throw new Error('exact enumeration is for V <= 16');
  const states = 1 << V;
  const logp = Float64Array.from({ length: states }, (_, s) => -exactFreeEnergy(rbm, visibleState(s, V)));
  const max = Math.max(...logp);
  let z = 0;
  for (const l of logp) z += Math.exp(l - max);
  const logZ = max + Math.log(z);
  const probabilities = logp.map((l) => Math.exp(l - logZ));
  const vh = new Float64Array(V * H);
  const vh2 = new Float64Array(V * H);
  const v = new Float64Array(V);
  const h = new Float64Array(H);
  for (let s = 0; s < states; s++) {
    const p = probabilities[s];
    const state = visibleState(s, V);
    const sig = hiddenInputs(rbm, state).map(sigmoid);
    for (let j = 0; j < H; j++) h[j] += p * sig[j];
    for (let i = 0; i < V; i++) {
      if (!state[i]) continue;
      v[i] += p;
      for (let j = 0; j < H; j++) {
        vh[i * H + j] += p * sig[j];
        vh2[i * H + j] += p * sig[j] * sig[j];
      }
    }
  }
  const vhVariance = vh2.map((m2, k) => m2 - vh[k] ** 2);
  return { logZ, probabilities, vh, vhVariance, v, h };
}
