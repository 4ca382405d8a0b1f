/**
 * e^A from the device's lag-1 autocovariance (thermox's construction). With M = αI − A and diffusion
 * D = M + Mᵀ, the process dx = −M x dt + √D dW has stationary covariance exactly I (M·I + I·Mᵀ = D), so
 * ⟨x(t + 1) x(t)ᵀ⟩ = e^{−M} and e^A = e^α e^{−M}. α = λ_max((A + Aᵀ)/2) + shift makes D positive
 * definite (λ_min(D) = 2·shift) and M stable; A need not be symmetric. Chains start in N(0, I), the
 * known stationary law, so no burn-in is needed.
 *
 * The shift trades noise for speed: e^α multiplies every error, while a mode of (M + Mᵀ)/2 with rate r
 * has lag-1 correlation e^{−r} and costs a factor coth(r/2) in effective samples. The default minimises
 * Σ_i e^{2·shift}·coth(r_i/2) over the rates r_i = shift + λ_max − λ_i (exact for normal A): ≈ 0.48 when
 * all λ_i are equal, much smaller when they spread (≈ 0.05 for a 50 × 50 Wishart matrix).
 */
import { MatrixInput, toSquareMatrix } from '../linalg/input';
import { symmetricPart } from '../linalg/matrix';
import { OUTransition } from '../engines/ou-transition';
import { fillNormals } from '../util/normals';
import { SeededRandom } from '../util/random';
import { symmetricEigen } from '../util/symmetric-eigen';
import { checkPositive, checkRunShape, combineChains, TlaResult } from './options';

export interface TlaExpmOptions {
  /** Total lag-1 pairs over all chains (default 10,000). */
  samples?: number;
  /** Independent device runs (default 20, at least 2). */
  chains?: number;
  seed?: number;
  /** α − λ_max((A + Aᵀ)/2) > 0: larger relaxes faster but multiplies the noise by e^shift (default: see above). */
  shift?: number;
}

/** e^A for a real square A by simulating the thermodynamic device. */
export function expm(a: MatrixInput, options: TlaExpmOptions = {}): TlaResult {
  const { n, data } = toSquareMatrix('A', a);
  const { chains, perChain, seed } = checkRunShape(options);
  const { values } = symmetricEigen(symmetricPart(data, n), n, false);
  const lambdaMax = Math.max(...values);
  const shift = options.shift === undefined ? defaultShift(values, lambdaMax) : checkPositive('shift', options.shift);
  const alpha = lambdaMax + shift;
  const nn = n * n;
  const m = new Float64Array(nn);
  const d = new Float64Array(nn);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      m[i * n + j] = (i === j ? alpha : 0) - data[i * n + j];
      d[i * n + j] = (i === j ? 2 * alpha : 0) - data[i * n + j] - data[j * n + i];
    }
  }
  const step = new OUTransition(m, d, new Float64Array(n), n, 1);
  const rng = new SeededRandom(seed);
  const previous = fillNormals(rng, new Float64Array(chains * n));
  const current = Float64Array.from(previous);
  const lagged = new Float64Array(chains * nn);
  for (let s = 0; s < perChain; s++) {
    step.advance(current, chains, rng);
    for (let c = 0; c < chains; c++) {
      const base = c * nn;
      for (let i = 0; i < n; i++) {
        const xi = current[c * n + i];
        const row = base + i * n;
        for (let j = 0; j < n; j++) lagged[row + j] += xi * previous[c * n + j];
      }
    }
    previous.set(current);
  }
  const scale = Math.exp(alpha) / perChain;
  for (let k = 0; k < chains * nn; k++) lagged[k] *= scale;
  return {
    ...combineChains(lagged, chains, nn),
    n,
    samples: chains * perChain,
    chains,
    interval: 1,
    burnIn: 0,
    deviceTime: perChain,
  };
}

/** The shift minimising Σ_i e^{2s}·coth((s + λ_max − λ_i)/2), on a log grid from 1e-3 to 8. */
function defaultShift(values: Float64Array, lambdaMax: number): number {
  let best = 1;
  let bestCost = Infinity;
  for (let k = 0; k <= 120; k++) {
    const s = 1e-3 * 8000 ** (k / 120);
    let cost = 0;
    for (const lambda of values) cost += 1 / Math.tanh((s + lambdaMax - lambda) / 2);
    cost *= Math.exp(2 * s);
    if (cost < bestCost) {
      bestCost = cost;
      best = s;
    }
  }
  return best;
}
