/**
 * Mean and variance of the squared error of the device's estimates, from A's eigenvalues. In A's
 * eigenbasis the coordinates are independent AR(1) series with ρ_i = e^{−λ_i h} and variance 1/(βλ_i); an
 * average over N such samples has variance (1/(βλ_i N))·(1 + ρ_i)/(1 − ρ_i) (edge terms O(1/N) dropped).
 * A squared error Σ_k w_k χ²₁ has mean Σ w_k and variance 2 Σ w_k².
 */
export interface SquaredError {
  mean: number;
  variance: number;
}

const gain = (rho: number) => (1 + rho) / (1 - rho);

/** ‖x̂ − A⁻¹b‖² of the time average. */
export function solveSquaredError(
  lambdas: ArrayLike<number>,
  beta: number,
  interval: number,
  samples: number,
): SquaredError {
  let mean = 0;
  let variance = 0;
  for (let i = 0; i < lambdas.length; i++) {
    const w = gain(Math.exp(-lambdas[i] * interval)) / (beta * lambdas[i] * samples);
    mean += w;
    variance += 2 * w * w;
  }
  return { mean, variance };
}

/**
 * ‖Ĉ − A⁻¹‖²_F of β × the second moment: entry (i, j) ≠ (j, i) pairs count twice; Var(Ĉ_ij) =
 * g(ρ_iρ_j)/(λ_iλ_j N) off the diagonal and 2 g(ρ_i²)/(λ_i² N) on it.
 */
export function inverseSquaredError(lambdas: ArrayLike<number>, interval: number, samples: number): SquaredError {
  const n = lambdas.length;
  const rho = Array.from({ length: n }, (_, i) => Math.exp(-lambdas[i] * interval));
  let mean = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    const d = (2 * gain(rho[i] ** 2)) / (lambdas[i] ** 2 * samples);
    mean += d;
    variance += 2 * d * d;
    for (let j = i + 1; j < n; j++) {
      const w = (2 * gain(rho[i] * rho[j])) / (lambdas[i] * lambdas[j] * samples);
      mean += w;
      variance += 2 * w * w; // the pair (i, j), (j, i) is one χ²₁ with weight 2·Var(Ĉ_ij) = w
    }
  }
  return { mean, variance };
}
