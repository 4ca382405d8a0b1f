/** Exact one-dimensional Boltzmann averages by quadrature, for Langevin sampler tests. */
import { chainEstimate, Estimate } from './stats';

/** ⟨f(x)⟩ under exp(−U(x)/kT) by the midpoint rule on [−L, L] (the weight is negligible beyond). */
export function boltzmannAverage(
  U: (x: number) => number,
  kT: number,
  f: (x: number) => number,
  L = 6,
  cells = 200000,
): number {
  let z = 0;
  let m = 0;
  const h = (2 * L) / cells;
  for (let k = 0; k < cells; k++) {
    const x = -L + (k + 0.5) * h;
    const w = Math.exp(-U(x) / kT);
    z += w;
    m += w * f(x);
  }
  return m / z;
}

/** Per-chain average over units of a chains × units array, as an estimate across chains. */
export function unitAveraged(values: ArrayLike<number>, chains: number, units: number): Estimate {
  const perChain = Float64Array.from({ length: chains }, (_, c) => {
    let s = 0;
    for (let i = 0; i < units; i++) s += values[c * units + i];
    return s / units;
  });
  return chainEstimate(perChain);
}
