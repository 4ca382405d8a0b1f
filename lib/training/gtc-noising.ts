/**
 * The noising protocol that makes the generative computer's training data (SCIENCE.md §5). Each
 * image s (pixels normalised to zero mean and unit variance over the training set) becomes a field on
 * the uncoupled units: the visible units see s, the hidden units a fixed random projection of it.
 *   phase 1: from x = 0, t_f under Σ(J2 x² + J4 x⁴) − 2 Σ s_i x_i       → the image state
 *   phase 2: t_f with the field scaled by a(t) = 2(1 − t / (0.75 t_f)) until 0.75 t_f, then 0
 *            → the state relaxes to the uncoupled wells' equilibrium (noise).
 * Phase 2 is the trajectory ω the trained dynamics learns to run backwards.
 */
import { LangevinChains } from '../engines/langevin';
import { gemm } from '../engines/rbm';
import type { GenerativeComputer } from '../models/gtc';
import { SeededRandom } from '../util/random';

/** a(t) of phase 2, t measured from the start of phase 2. */
export function noisingFieldScale(t: number, duration: number): number {
  const end = 0.75 * duration;
  return t < end ? 2 * (1 - t / end) : 0;
}

/** The hidden units' view of an image: P s with P ~ N(0, 1/V) entries from `seed` (H × V). */
export function hiddenProjection(hidden: number, visible: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  const scale = 1 / Math.sqrt(visible);
  return Float32Array.from({ length: hidden * visible }, () => rng.normal() * scale);
}

/** Noising trajectories of a batch of images on one set of uncoupled chains, reused batch after batch. */
export class Noising {
  readonly chains: LangevinChains;
  // Kept between batches: the fields (batch × units), the normalised images and their projection, x = 0.
  private readonly field: Float32Array;
  private readonly normalised: Float32Array;
  private readonly projected: Float32Array;
  private readonly origin: Float32Array;
  private readonly labelUnits: Int32Array;

  constructor(
    private readonly model: GenerativeComputer,
    readonly batch: number,
    private readonly projection: Float32Array,
    seed: number | bigint,
    private readonly threads?: number,
  ) {
    this.chains = new LangevinChains(model.network(false), { chains: batch, seed });
    this.field = new Float32Array(batch * model.units);
    this.normalised = new Float32Array(batch * model.visible);
    this.projected = new Float32Array(batch * model.hidden);
    this.origin = new Float32Array(model.units);
    this.labelUnits = model.labelUnits();
  }

  /**
   * Phase 1 for `pixels` (batch × V in [0, 1]) with label units clamped to `labels` (batch × L): leaves
   * the chains in the image states.
   */
  async writeImages(pixels: Float32Array, labels: Float32Array, signal?: AbortSignal): Promise<void> {
    const { visible: V, hidden: H, labels: L, units: N } = this.model;
    const { pixelMean, pixelStd } = this.model.decoder;
    const s = this.normalised;
    for (let k = 0; k < s.length; k++) s[k] = (pixels[k] - pixelMean) / pixelStd;
    const sh = this.projected;
    gemm(false, true, this.batch, H, V, 1, s, this.projection, 0, sh, this.threads);
    for (let b = 0; b < this.batch; b++) {
      this.field.set(s.subarray(b * V, (b + 1) * V), b * N);
      this.field.set(sh.subarray(b * H, (b + 1) * H), b * N + V);
    }
    this.chains.setState(this.origin);
    this.chains.setField(this.field);
    if (L > 0) this.chains.setClamp(this.labelUnits, labels);
    await this.chains.run({ ...this.runOptions(), steps: this.model.stepsPerPhase, fieldScale: 2, signal });
  }

  /** Advances phase 2 by `steps` steps from phase-2 step `from`, on the calling thread. */
  advance(from: number, steps: number): void {
    const m = this.model;
    this.chains.runSync({
      ...this.runOptions(),
      steps,
      fieldScale: (t: number) => noisingFieldScale(from * m.dt + t, m.duration),
    });
  }

  /** The chains' states, batch × units, into `out`. */
  read(out: Float32Array): Float32Array {
    return this.chains.readState(out);
  }

  private runOptions() {
    const m = this.model;
    return { dt: m.dt, kT: m.kT, mobility: m.mobility, threads: this.threads };
  }
}
