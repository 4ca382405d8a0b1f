/**
 * The analog device of thermodynamic natural gradient descent: N units g (one per model parameter)
 * relaxing as
 *
 *   dg = −(F g − ∇ℓ) dt + √(2κ₀) dW,    F = Jᵀ H J + λI
 *
 * simulated with Euler–Maruyama steps of at most δt (time in units of the device's time constant τ; a
 * stiffer curvature gets smaller steps, δt·λ_max(F) <= 1, so that the simulation relaxes like the
 * continuous device instead of oscillating or diverging). The steps are run exactly, but in
 * m = batch·classes coordinates instead of N (native/core/tngd_device.h): F acts as λ outside the row
 * space of J, and there the state and the noise evolve in closed form.
 *
 *   g_n = c^n g_0 + Jᵀ v_n + w_n,    c = 1 − λδt,    w_n = √(2κ₀δt) Σ_k c^(n−1−k) ξ_k
 *
 * The noise's row-space part comes from a pivoted Cholesky factor of K = J Jᵀ (K = G Gᵀ, pivot rows R,
 * L_R = G[R, :], orthonormal basis Q = J_Rᵀ L_R⁻ᵀ); its orthogonal part, summed over the n steps, is one
 * Gaussian draw of variance s_n² = Σ_k c^(2k).
 */
import { callNative, HeatbathError } from '../errors';
import { pivotedCholesky, solveLower, solveLowerTransposed } from '../linalg/cholesky';
import { native, NativeTngdDevice } from '../native';
import { Linearization } from '../nn/classifier';

/** Pivots of K below this fraction of its largest diagonal entry count as zero (K is float32). */
const RANK_TOLERANCE = 1e-6;
/** Largest m = batch·classes: the device holds the m × m Gram matrix (256 MB at this size). */
export const MAX_DEVICE_UNITS = 8192;

export interface DeviceSettings {
  /** Largest Euler–Maruyama step δt, in τ. */
  dt: number;
  /** λ: the damping added to the curvature. */
  damping: number;
  /** κ₀: the device's noise strength (0: a noiseless device). */
  noise: number;
  seed: number;
}

/** One linearisation prepared for the device: its Gram matrix, and the noise factor when noisy. */
interface LoadedModel {
  lin: Linearization;
  gram: Float32Array;
  /** Estimate of λ_max(Jᵀ H J). */
  largestCurvature: number;
  /** G (m × rank, original row order) as float32, for the native device. */
  factor?: Float32Array;
  /** L_R (rank × rank, lower) and the pivot rows R. */
  pivotBlock?: Float64Array;
  pivots?: Int32Array;
  rank: number;
}

export class NaturalGradientDevice {
  readonly settings: DeviceSettings;
  private readonly device: NativeTngdDevice;
  private loaded: LoadedModel | undefined;
  /** The last two linearisations, whose Gram buffers are reused (fresh large buffers cost page faults). */
  private recent: LoadedModel[] = [];
  private noiseStream = 0;
  /** Jᵀ v, kept between calls (fresh large buffers cost page faults). */
  private back = new Float32Array(0);

  constructor(settings: DeviceSettings) {
    this.settings = settings;
    this.device = callNative(() => new (native().TngdDevice)(settings.seed));
  }

  /** Relaxes the device under `lin` for analog time `time`, updating g in place. */
  relax(lin: Linearization, g: Float32Array, time: number): void {
    if (time === 0) return;
    const model = this.load(lin);
    const { damping, noise } = this.settings;
    const largestStep = Math.min(this.settings.dt, 1 / (model.largestCurvature + damping));
    const steps = Math.ceil(time / largestStep - 1e-9);
    const dt = time / steps;
    const m = lin.batch * lin.classes;
    const sigma = Math.sqrt(2 * noise * dt);
    const c = 1 - damping * dt;
    const y = new Float32Array(m);
    lin.jvp(g, y);
    const v = new Float32Array(m);
    const h = new Float32Array(model.rank);
    callNative(() => this.device.run(steps, dt, damping, sigma, y, v, h));
    const decay = c ** steps;
    for (let i = 0; i < g.length; i++) g[i] *= decay;
    if (sigma > 0 && model.rank > 0) this.addNoise(model, g, v, h, sigma * this.noiseScale(c, steps));
    if (this.back.length !== g.length) this.back = new Float32Array(g.length);
    const back = this.back;
    lin.vjp(v, back);
    for (let i = 0; i < g.length; i++) g[i] += back[i];
  }

  /** s_n = √(Σ_{k<n} c^(2k)). */
  private noiseScale(c: number, steps: number): number {
    const c2 = c * c;
    return Math.sqrt(c2 === 1 ? steps : (1 - c2 ** steps) / (1 - c2));
  }

  /**
   * Adds the accumulated noise w_n = Q h + s (I − Q Qᵀ) ζ to g, the Q parts folded into v (g gets
   * Jᵀ v afterwards): v += W (h − s Wᵀ J ζ) with Q = Jᵀ W.
   */
  private addNoise(model: LoadedModel, g: Float32Array, v: Float32Array, h: Float32Array, scale: number): void {
    const { lin, rank } = model;
    const zeta = new Float32Array(g.length);
    native().randomNormals(zeta, this.settings.seed, ++this.noiseStream);
    const jZeta = new Float32Array(lin.batch * lin.classes);
    lin.jvp(zeta, jZeta);
    const coefficients = this.rowSpaceCoordinates(model, jZeta);
    for (let k = 0; k < rank; k++) coefficients[k] = h[k] - scale * coefficients[k];
    this.addRowSpaceVector(model, coefficients, v);
    for (let i = 0; i < g.length; i++) g[i] += scale * zeta[i];
  }

  /** Wᵀ y = L_R⁻¹ y_R: coordinates in the basis Q of the row-space part of a vector whose J-image is y. */
  private rowSpaceCoordinates({ pivots, pivotBlock, rank }: LoadedModel, y: Float32Array): Float64Array {
    const z = new Float64Array(rank);
    for (let i = 0; i < rank; i++) z[i] = y[pivots![i]];
    return solveLower(pivotBlock!, rank, z);
  }

  /** v += W x, W x = L_R⁻ᵀ x placed on the pivot rows (so that Jᵀ W x = Q x). */
  private addRowSpaceVector({ pivots, pivotBlock, rank }: LoadedModel, x: Float64Array, v: Float32Array): void {
    solveLowerTransposed(pivotBlock!, rank, x);
    for (let i = 0; i < rank; i++) v[pivots![i]] += x[i];
  }

  /** Loads `lin` into the native device; its Gram matrix is formed once (a delay alternates between two). */
  private load(lin: Linearization): LoadedModel {
    if (this.loaded?.lin === lin) return this.loaded;
    let model = this.recent.find((r) => r.lin === lin);
    if (model === undefined) {
      const m = lin.batch * lin.classes;
      if (m > MAX_DEVICE_UNITS) {
        throw new HeatbathError(
          'ERR_TOO_LARGE',
          `batch × classes = ${m}: the device's Gram matrix would hold ${m}² numbers; use a batch of at most ${Math.floor(MAX_DEVICE_UNITS / lin.classes)}`,
        );
      }
      const evicted = this.recent.length === 2 ? this.recent.shift() : undefined;
      const gram = evicted?.gram.length === m * m ? evicted.gram : new Float32Array(m * m);
      lin.gram(gram);
      model = { lin, gram, largestCurvature: 0, rank: 0 };
      if (this.settings.noise > 0) Object.assign(model, factorGram(gram, m));
      this.recent.push(model);
    }
    const { gram, factor, rank } = model;
    model.largestCurvature = callNative(() =>
      this.device.load(lin.batch, lin.classes, gram, lin.probs, 1 / lin.batch, lin.logitGradient, factor, rank),
    );
    this.loaded = model;
    return model;
  }
}

/** Pivoted Cholesky of K: G (m × rank, original row order) and its pivot block L_R. */
function factorGram(gram: Float32Array, m: number): Pick<LoadedModel, 'factor' | 'pivotBlock' | 'pivots' | 'rank'> {
  const { factor, perm, rank } = pivotedCholesky(Float64Array.from(gram), m, RANK_TOLERANCE);
  const g = new Float32Array(m * rank);
  for (let i = 0; i < m; i++) for (let k = 0; k < rank; k++) g[perm[i] * rank + k] = factor[i * m + k];
  const pivotBlock = new Float64Array(rank * rank);
  for (let i = 0; i < rank; i++) for (let k = 0; k <= i; k++) pivotBlock[i * rank + k] = factor[i * m + k];
  return { factor: g, pivotBlock, pivots: perm.slice(0, rank), rank };
}
