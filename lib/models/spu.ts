/**
 * A model of Normal Computing's stochastic processing unit (SCIENCE.md §6): n coupled RLC cells (8 on
 * the chip), an underdamped linear Langevin system, run on the BAOAB integrator. Its stationary
 * covariance is kT times the inverse of the programmed coupling matrix, so sampling it inverts the
 * matrix.
 *
 * §6 writes the cells in the parallel form (node voltages, coupling through the capacitance matrix C,
 * voltage covariance ∝ C⁻¹). Here they are in the equivalent series form, where the coupling sits in
 * the potential and the masses stay diagonal: cell k carries charge q_k and current i_k = dq_k/dt,
 *
 *   dq = i dt,   L di = −A q dt − R i dt + √(2 R kT) dW,
 *
 * i.e. inductance L = mass, R/L = friction γ, and U(q) = ½ qᵀAq with A the programmed (elastance)
 * matrix. Stationary: q ~ N(0, kT A⁻¹), i ~ N(0, kT/L). Both forms are the same second-order linear
 * system; only the series one needs no matrix inverse to integrate.
 */
import { invalid, checkFinite, checkInteger } from '../util/validate';
import { symmetricEigen } from '../util/symmetric-eigen';
import { LangevinChains, LangevinNetwork } from '../engines/langevin';

export interface SpuOptions {
  /** The n×n symmetric positive-definite matrix A to program (row-major). */
  matrix: ArrayLike<number>;
  /** Inductance L of every cell (the mass; default 1). */
  inductance?: number;
  /** Resistance R of every cell (default: critical damping of the slowest mode, 2√(L λ_min)). */
  resistance?: number;
  /** Thermal energy kT of the noise (default 1). */
  kT?: number;
  /** Independent devices simulated side by side (default 16). */
  chains?: number;
  seed?: number | bigint;
}

export interface SpuInverseOptions {
  /** Samples per chain (default 1000). */
  samples?: number;
  /** Time step (default 0.1 / ω_max, ω_max = √(λ_max / L)). */
  dt?: number;
  /** Time between samples (default: one relaxation time). */
  sampleInterval?: number;
  /** Time before sampling starts (default: ten relaxation times). */
  burnIn?: number;
  threads?: number;
  signal?: AbortSignal;
}

export interface SpuInverseResult {
  /** The estimate of A⁻¹ (n×n row-major): the charge covariance over kT. */
  inverse: Float64Array;
  /** Samples used (per chain × chains). */
  samples: number;
  /** Simulated time per chain. */
  time: number;
  seconds: number;
}

export class Spu {
  readonly n: number;
  readonly matrix: Float64Array;
  readonly inductance: number;
  readonly resistance: number;
  readonly kT: number;
  /** Smallest and largest eigenvalues of A. */
  readonly lambdaMin: number;
  readonly lambdaMax: number;
  private readonly chains: LangevinChains;

  constructor(options: SpuOptions) {
    if (typeof options !== 'object' || options === null) throw invalid('options must be an object');
    const m = options.matrix;
    if (m == null || typeof m.length !== 'number') throw invalid('matrix must be an array of n×n numbers');
    const n = Math.round(Math.sqrt(m.length));
    if (n < 1 || n * n !== m.length) throw invalid(`matrix must be square (n×n entries), got ${m.length} entries`);
    this.n = n;
    this.matrix = Float64Array.from({ length: n * n }, (_, k) => checkFinite(`matrix[${k}]`, m[k]));
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (this.matrix[i * n + j] !== this.matrix[j * n + i])
          throw invalid(`matrix must be symmetric: (${i}, ${j}) ≠ (${j}, ${i})`);
      }
    }
    const { values } = symmetricEigen(this.matrix, n, false);
    this.lambdaMin = Math.min(...values);
    this.lambdaMax = Math.max(...values);
    if (!(this.lambdaMin > 0))
      throw invalid(`matrix must be positive definite (smallest eigenvalue ${this.lambdaMin})`);
    this.inductance = checkFinite('inductance', options.inductance ?? 1);
    if (!(this.inductance > 0)) throw invalid('inductance must be > 0');
    this.resistance = checkFinite('resistance', options.resistance ?? 2 * Math.sqrt(this.inductance * this.lambdaMin));
    if (!(this.resistance > 0)) throw invalid('resistance must be > 0');
    this.kT = checkFinite('kT', options.kT ?? 1);
    if (!(this.kT > 0)) throw invalid('kT must be > 0');
    // U = Σ a_i/2 q_i² − ½ qᵀJq with a = diag(A) and J = −(off-diagonal part of A).
    const coupling = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) coupling[i * n + j] = -this.matrix[i * n + j];
    const network = new LangevinNetwork({
      units: n,
      quadratic: Array.from({ length: n }, (_, i) => this.matrix[i * n + i]),
      mass: this.inductance,
      couplings: { kind: 'dense', matrix: coupling },
    });
    this.chains = new LangevinChains(network, { chains: options.chains ?? 16, seed: options.seed ?? 0 });
  }

  /** Slowest relaxation time 1/Re(rate) over the modes: each mode is a damped oscillator ω² = λ/L, γ = R/L. */
  /** Frees the SPU's native chains now (see LangevinChains.dispose); later use throws ERR_DISPOSED. */
  dispose(): void {
    this.chains.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  relaxationTime(): number {
    const gamma = this.resistance / this.inductance;
    const omega2 = this.lambdaMin / this.inductance;
    const disc = (gamma * gamma) / 4 - omega2;
    const rate = disc >= 0 ? gamma / 2 - Math.sqrt(disc) : gamma / 2;
    return 1 / rate;
  }

  /** Samples the device and returns kT⁻¹ × the charge covariance: an estimate of A⁻¹. */
  async inverse(options: SpuInverseOptions = {}): Promise<SpuInverseResult> {
    const n = this.n;
    const samples = checkInteger('samples', options.samples ?? 1000, 1, 2 ** 30);
    const dt = checkFinite('dt', options.dt ?? 0.1 / Math.sqrt(this.lambdaMax / this.inductance));
    const tau = this.relaxationTime();
    const every = Math.max(1, Math.round(checkFinite('sampleInterval', options.sampleInterval ?? tau) / dt));
    const burnIn = Math.max(0, Math.round(checkFinite('burnIn', options.burnIn ?? 10 * tau) / dt));
    if (burnIn > 0) {
      await this.chains.run({
        steps: burnIn,
        dt,
        integrator: 'baoab',
        kT: this.kT,
        friction: this.resistance / this.inductance,
        threads: options.threads,
        signal: options.signal,
      });
    }
    const run = await this.chains.run({
      steps: samples * every,
      dt,
      integrator: 'baoab',
      kT: this.kT,
      friction: this.resistance / this.inductance,
      observe: ['trajectory'],
      every,
      threads: options.threads,
      signal: options.signal,
    });
    const q = run.trajectory!;
    const total = run.samples * run.chains;
    const cov = new Float64Array(n * n);
    for (let s = 0; s < total; s++) {
      const o = s * n;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) cov[i * n + j] += q[o + i] * q[o + j];
    }
    for (let k = 0; k < n * n; k++) cov[k] /= total * this.kT;
    return { inverse: cov, samples: total, time: (burnIn + samples * every) * dt, seconds: run.seconds };
  }
}
