/** A⁻¹ as β times the device's second moment: with b = 0 its stationary law is N(0, β⁻¹A⁻¹). */
import { MatrixInput } from '../linalg/input';
import { combineChains, TlaOptions, TlaResult } from './options';
import { runDevice, runFigures, toSpdMatrix } from './device';

/** Inverts a symmetric positive definite A by simulating the thermodynamic device. */
export function inverse(a: MatrixInput, options: TlaOptions = {}): TlaResult {
  const matrix = toSpdMatrix('A', a);
  const { n } = matrix;
  const nn = n * n;
  let moments = new Float64Array(0);
  const run = runDevice(matrix, new Float64Array(n), options, (chains) => {
    moments = new Float64Array(chains * nn);
    return (chain, x) => {
      const base = chain * nn;
      for (let i = 0; i < n; i++) {
        const xi = x[i];
        const row = base + i * n;
        for (let j = i; j < n; j++) moments[row + j] += xi * x[j];
      }
    };
  });
  const { chains, perChain, beta } = run;
  for (let c = 0; c < chains; c++) {
    const base = c * nn;
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        const v = (beta * moments[base + i * n + j]) / perChain;
        moments[base + i * n + j] = v;
        moments[base + j * n + i] = v;
      }
    }
  }
  return { ...combineChains(moments, chains, nn), ...runFigures(run, n) };
}
