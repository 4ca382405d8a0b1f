/** x = A⁻¹b as the time average of the device's state: its stationary mean is A⁻¹b. */
import { MatrixInput, toVector } from '../linalg/input';
import { combineChains, TlaOptions, TlaResult } from './options';
import { runDevice, runFigures, toSpdMatrix } from './device';

/** Solves A x = b for symmetric positive definite A by simulating the thermodynamic device. */
export function solve(a: MatrixInput, b: ArrayLike<number>, options: TlaOptions = {}): TlaResult {
  const matrix = toSpdMatrix('A', a);
  const { n } = matrix;
  const force = toVector('b', b, n);
  let sums = new Float64Array(0);
  const run = runDevice(matrix, force, options, (chains) => {
    sums = new Float64Array(chains * n);
    return (chain, x) => {
      const base = chain * n;
      for (let i = 0; i < n; i++) sums[base + i] += x[i];
    };
  });
  const { chains, perChain } = run;
  for (let k = 0; k < chains * n; k++) sums[k] /= perChain;
  return { ...combineChains(sums, chains, n), ...runFigures(run, n) };
}
