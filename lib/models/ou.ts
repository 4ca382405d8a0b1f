/**
 * Ornstein–Uhlenbeck processes dx = −A(x − b) dt + √D dW with exact transitions for every stable drift
 * matrix A (all eigenvalues with real part > 0), symmetric or not, normal or not: no eigenvectors are
 * used, only Van Loan's block exponential and doubling (lib/linalg/van-loan.ts). The stationary law is
 * N(b, Σ∞) with A Σ∞ + Σ∞ Aᵀ = D.
 */
import { HeatbathError } from '../errors';
import { pivotedCholesky } from '../linalg/cholesky';
import { MatrixInput, toSquareMatrix, toVector } from '../linalg/input';
import { solveLyapunov } from '../linalg/lyapunov';
import { asymmetry, matVec } from '../linalg/matrix';
import { fillNormals } from '../util/normals';
import { SeededRandom } from '../util/random';
import { checkFinite, checkInteger, invalid } from '../util/validate';
import { OUTransition } from '../engines/ou-transition';

export interface OUOptions {
  /** A: the drift matrix (n × n, rows or flat row-major). Must be stable. */
  drift: MatrixInput;
  /** D: the diffusion matrix (symmetric positive semidefinite), or a number d for d·I. Default 1 (I). */
  diffusion?: MatrixInput | number;
  /** b: the stationary mean (default 0). */
  mean?: ArrayLike<number>;
}

export interface OUTransitionMatrices {
  /** e^{−Ah}. */
  transition: Float64Array;
  /** Σ(h): x(t + h) | x(t) ~ N(b + F(x(t) − b), Σ(h)). */
  covariance: Float64Array;
}

export interface OUSampleOptions {
  /** Independent trajectories (default 1). */
  chains?: number;
  /** Recorded steps after the initial state. */
  steps: number;
  /** Time between recorded states (any h > 0: transitions are exact). */
  dt: number;
  seed?: number;
  /** Start of every chain: a state of length n, or 'stationary' for independent draws from N(b, Σ∞) (default). */
  initial?: ArrayLike<number> | 'stationary';
}

export interface OUTrajectories {
  /** (steps + 1) × chains × n: states[(s·chains + c)·n + i]. */
  states: Float64Array;
  /** s·dt for each recorded step s. */
  times: Float64Array;
  chains: number;
  n: number;
}

/** Largest allowed relative |D_ij − D_ji|, and D's most negative eigen-direction, relative to max D_ii. */
const SYMMETRY_TOLERANCE = 1e-12;
const PSD_TOLERANCE = 1e-12;
const MAX_RECORDED = 2 ** 27;

export class OUProcess {
  readonly n: number;
  readonly drift: Float64Array;
  readonly diffusion: Float64Array;
  readonly mean: Float64Array;
  private readonly stationary: Float64Array;
  private stationaryFactor?: Float64Array;

  constructor(options: OUOptions) {
    if (options == null || typeof options !== 'object') throw invalid('OUProcess needs { drift, diffusion?, mean? }');
    const { n, data } = toSquareMatrix('drift', options.drift);
    this.n = n;
    this.drift = data;
    this.diffusion = toDiffusion(options.diffusion ?? 1, n);
    this.mean = options.mean === undefined ? new Float64Array(n) : toVector('mean', options.mean, n);
    this.stationary = solveLyapunov(this.drift, this.diffusion, n); // throws ERR_NOT_STABLE
  }

  /** The stationary mean b. */
  stationaryMean(): Float64Array {
    return Float64Array.from(this.mean);
  }

  /** Σ∞, the solution of A Σ + Σ Aᵀ = D. */
  stationaryCovariance(): Float64Array {
    return Float64Array.from(this.stationary);
  }

  /** F = e^{−Ah} and Σ(h) for a step h > 0. */
  transition(h: number): OUTransitionMatrices {
    const { transition, covariance } = this.stepper(checkStep('h', h));
    return { transition, covariance };
  }

  /** Trajectories of independent chains recorded every dt, each step an exact transition. */
  sample(options: OUSampleOptions): OUTrajectories {
    const { n } = this;
    const chains = checkInteger('chains', options.chains ?? 1, 1);
    const steps = checkInteger('steps', options.steps, 0);
    const dt = checkStep('dt', options.dt);
    const rng = new SeededRandom(checkInteger('seed', options.seed ?? 0, 0));
    if ((steps + 1) * chains * n > MAX_RECORDED) {
      throw new HeatbathError(
        'ERR_TOO_LARGE',
        `(steps + 1) × chains × n = ${(steps + 1) * chains * n} states exceed ${MAX_RECORDED}`,
      );
    }
    const states = new Float64Array((steps + 1) * chains * n);
    const current = this.initialStates(options.initial ?? 'stationary', chains, rng);
    states.set(current, 0);
    const step = this.stepper(dt);
    for (let s = 1; s <= steps; s++) {
      step.advance(current, chains, rng);
      states.set(current, s * chains * n);
    }
    return { states, times: Float64Array.from({ length: steps + 1 }, (_, s) => s * dt), chains, n };
  }

  private stepper(h: number): OUTransition {
    // dx = −A(x − b)dt: the force of the (−Ax + c) form is c = A b.
    return new OUTransition(this.drift, this.diffusion, matVec(this.drift, this.mean, this.n), this.n, h);
  }

  private initialStates(initial: ArrayLike<number> | 'stationary', chains: number, rng: SeededRandom): Float64Array {
    const { n } = this;
    const states = new Float64Array(chains * n);
    if (initial !== 'stationary') {
      const x0 = toVector('initial', initial, n);
      for (let c = 0; c < chains; c++) states.set(x0, c * n);
      return states;
    }
    this.stationaryFactor ??= denseFactor(this.stationary, n);
    const l = this.stationaryFactor;
    const z = new Float64Array(n);
    for (let c = 0; c < chains; c++) {
      fillNormals(rng, z);
      for (let i = 0; i < n; i++) {
        let sum = this.mean[i];
        for (let k = 0; k < n; k++) sum += l[i * n + k] * z[k];
        states[c * n + i] = sum;
      }
    }
    return states;
  }
}

function checkStep(name: string, value: unknown): number {
  const h = checkFinite(name, value);
  if (!(h > 0)) throw invalid(`${name} must be > 0, got ${h}`);
  return h;
}

function toDiffusion(input: MatrixInput | number, n: number): Float64Array {
  if (typeof input === 'number') {
    const d = checkFinite('diffusion', input);
    if (d < 0) throw new HeatbathError('ERR_NOT_POSITIVE_DEFINITE', `diffusion must be >= 0, got ${d}`);
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) out[i * n + i] = d;
    return out;
  }
  const { data } = toSquareMatrix('diffusion', input, n);
  if (asymmetry(data, n) > SYMMETRY_TOLERANCE)
    throw new HeatbathError('ERR_NOT_POSITIVE_DEFINITE', 'diffusion must be symmetric');
  if (pivotedCholesky(data, n, PSD_TOLERANCE).residual > PSD_TOLERANCE) {
    throw new HeatbathError(
      'ERR_NOT_POSITIVE_DEFINITE',
      'diffusion must be positive semidefinite (it has a negative eigenvalue)',
    );
  }
  return data;
}

/** A square root L (L Lᵀ = s) of a positive semidefinite s as a dense n × n matrix in the original row order. */
function denseFactor(s: Float64Array, n: number): Float64Array {
  const { factor, perm, rank } = pivotedCholesky(s, n, 1e-14);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < rank; k++) out[perm[i] * n + k] = factor[i * n + k];
  return out;
}
