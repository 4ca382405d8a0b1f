/**
 * The thermodynamic linear-algebra device: dx = −(A x − b) dt + √(2/β) dW with symmetric positive
 * definite A, relaxing to N(A⁻¹b, β⁻¹A⁻¹) on the time scale 1/λ_min(A). Simulated with exact OU
 * transitions of one sampling interval each, from x = 0: ⌈burnIn / interval⌉ of them before the first sample.
 */
import { HeatbathError } from '../errors';
import { symmetricEigenRange } from '../linalg/eigen-range';
import { MatrixInput, toSquareMatrix } from '../linalg/input';
import { asymmetry, symmetricPart } from '../linalg/matrix';
import { OUTransition } from '../engines/ou-transition';
import { SeededRandom } from '../util/random';
import { checkPositive, checkRunShape, TlaOptions } from './options';

const SYMMETRY_TOLERANCE = 1e-12;
const DEFAULT_INTERVAL = 2; // relaxation times between samples
const DEFAULT_BURN_IN = 36; // relaxation times before the first sample

export interface SpdMatrix {
  n: number;
  data: Float64Array;
  lambdaMin: number;
  lambdaMax: number;
}

/** Checks that A is symmetric positive definite and finds its extreme eigenvalues. */
export function toSpdMatrix(name: string, input: MatrixInput): SpdMatrix {
  const { n, data } = toSquareMatrix(name, input);
  if (asymmetry(data, n) > SYMMETRY_TOLERANCE) {
    throw new HeatbathError(
      'ERR_NOT_POSITIVE_DEFINITE',
      `${name} must be symmetric (the device needs a symmetric positive definite matrix)`,
    );
  }
  const symmetric = symmetricPart(data, n);
  const { min, max } = symmetricEigenRange(symmetric, n);
  if (!(min > 0)) {
    throw new HeatbathError(
      'ERR_NOT_POSITIVE_DEFINITE',
      `${name} must be positive definite: its smallest eigenvalue is ${min}`,
    );
  }
  return { n, data: symmetric, lambdaMin: min, lambdaMax: max };
}

export interface DeviceRun {
  chains: number;
  perChain: number;
  interval: number;
  burnIn: number;
  beta: number;
}

/** The figures of a device run that every answer reports (TlaResult without value and error). */
export function runFigures(run: DeviceRun, n: number) {
  return {
    n,
    samples: run.chains * run.perChain,
    chains: run.chains,
    interval: run.interval,
    burnIn: run.burnIn,
    deviceTime: run.burnIn + (run.perChain - 1) * run.interval,
  };
}

/** Receives each chain's state at every sample (x is a view, valid only during the call). */
export type Recorder = (chain: number, x: Float64Array) => void;

/** Runs independent devices; `makeRecorder` is called once the options are checked, with the chain count. */
export function runDevice(
  a: SpdMatrix,
  force: Float64Array,
  options: TlaOptions,
  makeRecorder: (chains: number) => Recorder,
): DeviceRun {
  const { n, data, lambdaMin } = a;
  const { chains, perChain, seed } = checkRunShape(options);
  const beta = checkPositive('beta', options.beta ?? 1);
  const interval = checkPositive('interval', options.interval ?? DEFAULT_INTERVAL / lambdaMin);
  const burnIn = checkPositive('burnIn', options.burnIn ?? DEFAULT_BURN_IN / lambdaMin);
  const burnInSteps = Math.ceil(burnIn / interval - 1e-9); // no extra step for a ratio off by rounding
  const diffusion = new Float64Array(n * n);
  for (let i = 0; i < n; i++) diffusion[i * n + i] = 2 / beta;
  const record = makeRecorder(chains);
  const rng = new SeededRandom(seed);
  const states = new Float64Array(chains * n);
  const step = new OUTransition(data, diffusion, force, n, interval);
  for (let s = 0; s < burnInSteps; s++) step.advance(states, chains, rng);
  for (let s = 0; s < perChain; s++) {
    if (s > 0) step.advance(states, chains, rng);
    for (let c = 0; c < chains; c++) record(c, states.subarray(c * n, (c + 1) * n));
  }
  return { chains, perChain, interval, burnIn: burnInSteps * interval, beta };
}
