/**
 * Statistics for sampler tests. Chains are independent, so the spread of per-chain averages gives an
 * honest standard error whatever the autocorrelation inside each chain.
 */

export interface Estimate {
  mean: number;
  stderr: number;
}

/** Mean over chains of per-chain averages, and its standard error (between-chain spread / √chains). */
export function chainEstimate(perChain: ArrayLike<number>): Estimate {
  const c = perChain.length;
  let sum = 0;
  for (let k = 0; k < c; k++) sum += perChain[k];
  const mean = sum / c;
  let ss = 0;
  for (let k = 0; k < c; k++) ss += (perChain[k] - mean) ** 2;
  return { mean, stderr: Math.sqrt(ss / (c - 1) / c) };
}

/**
 * Per-chain averages of ⟨s_i⟩ for every node and ⟨s_a s_b⟩ for every pair, from states laid out
 * samples × chains × n (as SampleResult.states). Returns estimates for nodes then pairs.
 */
export function momentEstimates(
  states: Int8Array,
  samples: number,
  chains: number,
  n: number,
  pairs: Array<[number, number]>,
): { nodes: Estimate[]; pairs: Estimate[] } {
  const nodeSums = new Float64Array(chains * n);
  const pairSums = new Float64Array(chains * pairs.length);
  for (let s = 0; s < samples; s++) {
    for (let c = 0; c < chains; c++) {
      const o = (s * chains + c) * n;
      for (let i = 0; i < n; i++) nodeSums[c * n + i] += states[o + i];
      pairs.forEach(([a, b], p) => {
        pairSums[c * pairs.length + p] += states[o + a] * states[o + b];
      });
    }
  }
  const column = (sums: Float64Array, width: number, k: number) =>
    Float64Array.from({ length: chains }, (_, c) => sums[c * width + k] / samples);
  return {
    nodes: Array.from({ length: n }, (_, i) => chainEstimate(column(nodeSums, n, i))),
    pairs: pairs.map((_, p) => chainEstimate(column(pairSums, pairs.length, p))),
  };
}

/**
 * Largest |estimate − exact| / stderr over a family of statistics. Compared with Z_FAMILY: for up to
 * ~300 statistics the chance that any honest estimate exceeds 5.5 standard errors is < 2e-5.
 */
export function maxZ(estimates: Estimate[], exact: ArrayLike<number>): number {
  let worst = 0;
  estimates.forEach((e, k) => {
    const z = Math.abs(e.mean - exact[k]) / Math.max(e.stderr, 1e-12);
    worst = Math.max(worst, z);
  });
  return worst;
}

export const Z_FAMILY = 5.5;
