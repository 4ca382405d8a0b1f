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
 * L_R = G[R, :], orthonormal basis Q = J_Rᵀ L_R⁻ᵀ), computed natively when the device is noisy; its
 * orthogonal part, summed over the n steps, is one Gaussian draw of variance s_n² = Σ_k c^(2k).
 */
import { callNative, HeatbathError } from '../errors';
import { native, NativeTngdDevice } from '../native';

/** What the device reads of a model linearised on a batch (nn/classifier's Linearization). */
export interface DeviceLinearization {
  readonly batch: number;
  readonly classes: number;
  /** softmax(z), batch × classes. */
  readonly probs: Float32Array;
  /** e = ∂ℓ/∂z, batch × classes (so ∇ℓ = Jᵀ e). */
  readonly logitGradient: Float32Array;
  /** out (batch × classes) = J v. */
  jvp(v: Float32Array, out: Float32Array): void;
  /** out (parameters) = Jᵀ u. */
  vjp(u: Float32Array, out: Float32Array): void;
  /** out (m × m, row-major) = J Jᵀ. */
  gram(out: Float32Array): void;
}

/** Largest m = batch·classes: the device holds the m × m Gram matrix (256 MB at this size). */
export const MAX_DEVICE_UNITS = 8192;
/** Most Euler–Maruyama steps of one relaxation (seconds of CPU time for a batch of 32). */
const MAX_STEPS = 1_000_000;

export interface DeviceSettings {
  /** Largest Euler–Maruyama step δt, in τ. */
  dt: number;
  /** λ: the damping added to the curvature. */
  damping: number;
  /** κ₀: the device's noise strength (0: a noiseless device). */
  noise: number;
  seed: number;
}

/** The linearisation loaded in the device, and what the device reported on loading it. */
interface LoadedModel {
  lin: DeviceLinearization;
  /** Estimate of λ_max(Jᵀ H J). */
  largestCurvature: number;
  /** Rank of K found by the noise factorisation (0 for a noiseless device). */
  rank: number;
}

export class NaturalGradientDevice {
  readonly settings: DeviceSettings;
  private readonly device: NativeTngdDevice;
  private loaded: LoadedModel | undefined;
  /** The Gram matrix's buffer, reused between loads (fresh large buffers cost page faults). */
  private gram = new Float32Array(0);
  private noiseStream = 0;
  /** Jᵀ v, kept between calls (fresh large buffers cost page faults). */
  private back = new Float32Array(0);

  constructor(settings: DeviceSettings) {
    this.settings = settings;
    this.device = callNative(() => new (native().TngdDevice)(settings.seed));
  }

  /** Relaxes the device under `lin` for analog time `time`, updating g in place. */
  relax(lin: DeviceLinearization, g: Float32Array, time: number): void {
    if (time === 0) return;
    const model = this.load(lin);
    const { damping, noise } = this.settings;
    const largestStep = Math.min(this.settings.dt, 1 / (model.largestCurvature + damping));
    const steps = Math.max(1, Math.ceil(time / largestStep - 1e-9));
    if (steps > MAX_STEPS) {
      throw new HeatbathError(
        'ERR_TOO_LARGE',
        `relaxing for ${time}τ needs ${steps} Euler–Maruyama steps (the curvature's largest eigenvalue is ` +
          `${model.largestCurvature.toPrecision(3)}): scale the inputs to [0, 1] or shorten the analog time`,
      );
    }
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
    if (sigma > 0 && model.rank > 0) this.addNoise(lin, g, v, h, sigma * this.noiseScale(c, steps));
    if (this.back.length !== g.length) this.back = new Float32Array(g.length);
    const back = this.back;
    lin.vjp(v, back);
    for (let i = 0; i < g.length; i++) g[i] += back[i];
  }

  /** s_n = √(Σ_{k<n} c^(2k)). */
  /** Frees the device's native memory (the m × m Gram matrix and its factor) now; later use throws ERR_DISPOSED. */
  dispose(): void {
    this.device.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private noiseScale(c: number, steps: number): number {
    const c2 = c * c;
    return Math.sqrt(c2 === 1 ? steps : (1 - c2 ** steps) / (1 - c2));
  }

  /**
   * Adds the accumulated noise w_n = Q h + s (I − Q Qᵀ) ζ to g: the Q parts go into v (g gets Jᵀ v
   * afterwards), v += W (h − s Wᵀ J ζ) with Q = Jᵀ W, natively; s ζ directly.
   */
  private addNoise(lin: DeviceLinearization, g: Float32Array, v: Float32Array, h: Float32Array, scale: number): void {
    const zeta = new Float32Array(g.length);
    native().randomNormals(zeta, this.settings.seed, ++this.noiseStream);
    const jZeta = new Float32Array(lin.batch * lin.classes);
    lin.jvp(zeta, jZeta);
    callNative(() => this.device.foldNoise(h, jZeta, scale, v));
    for (let i = 0; i < g.length; i++) g[i] += scale * zeta[i];
  }

  /** Loads `lin` into the native device (a delay relaxes first under the model loaded last). */
  private load(lin: DeviceLinearization): LoadedModel {
    if (this.loaded?.lin === lin) return this.loaded;
    const m = lin.batch * lin.classes;
    if (m > MAX_DEVICE_UNITS) {
      throw new HeatbathError(
        'ERR_TOO_LARGE',
        `batch × classes = ${m}: the device's Gram matrix would hold ${m}² numbers; use a batch of at most ${Math.floor(MAX_DEVICE_UNITS / lin.classes)}`,
      );
    }
    if (this.gram.length !== m * m) this.gram = new Float32Array(m * m);
    const gram = this.gram;
    lin.gram(gram);
    const noisy = this.settings.noise > 0;
    const loaded = callNative(() =>
      this.device.load(lin.batch, lin.classes, gram, lin.probs, 1 / lin.batch, lin.logitGradient, noisy),
    );
    this.loaded = { lin, ...loaded };
    return this.loaded;
  }
}
