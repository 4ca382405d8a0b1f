/**
 * Whitelam's generative thermodynamic computer (PRL 136, 037101): continuous units that relax under
 * thermal noise in the potential
 *
 *   U_θ(x) = Σ_i (J2 x_i² + J4 x_i⁴) + Σ_i b_i x_i + Σ_(vh) J_vh x_v x_h + Σ_(h<h') J_hh' x_h x_h'
 *            + Σ_(lv) J_lv y_l x_v + Σ_(lh) J_lh y_l x_h
 *
 * with V visible units (one per pixel), H hidden units and, optionally, L label units y clamped to a
 * one-hot class (or to 0 for unconditional generation). Parameters are kept in this (the paper's)
 * sign convention; `network()` translates them to the engine's (langevin-network.ts).
 * Generation: from x = 0 the uncoupled units equilibrate for t_f (thermal noise), then the couplings
 * switch on for t_f; the visible units are the sample. Training lives in lib/training/gtc-trainer.ts.
 */
import { f32Tensor, ModelFile } from '../io/model-file';
import { badFile } from '../io/bytes';
import { checkLoadable } from '../native/load-limit';
import { checkFinite, checkInteger, checkSignal, invalid } from '../util/validate';
import { checkDecoder, decodeStates, GtcDecoder, IDENTITY_DECODER } from './gtc-decoder';
import { LangevinChains, LangevinNetwork, CouplingBlock } from '../engines/langevin';
import { checkSeed } from '../util/seed';

export { GtcDecoder } from './gtc-decoder';

export interface GtcConfig {
  /** Visible units, one per pixel (default 784). */
  visible?: number;
  /** Hidden units (default 512). */
  hidden?: number;
  /** Label units for class-conditional generation (default 0: none; 10 for digits). */
  labels?: number;
  /** On-site quadratic and quartic strengths (default 1 and 1). */
  J2?: number;
  J4?: number;
  /** Temperature kT (default 0.1), mobility μ (default 1), Euler–Maruyama step Δt (default 1e-3). */
  kT?: number;
  mobility?: number;
  dt?: number;
  /** Length t_f of each phase (default 2.5, i.e. 2,500 steps at the default Δt). */
  duration?: number;
  /** Image shape for pictures (default: the largest square that fits, 28×28 for 784). */
  imageRows?: number;
  imageCols?: number;
}

export interface GtcGenerateOptions {
  /** Samples to draw (default 100). */
  count?: number;
  /** Class of each sample (count values in [0, L)), one class for all, or undefined for unconditional. */
  labels?: number | ArrayLike<number>;
  /** Value the chosen label unit is clamped to (default 1); 0 makes conditional generation unconditional. */
  labelStrength?: number;
  seed?: number | bigint;
  threads?: number;
  signal?: AbortSignal;
  /** Called with the fraction done, every `progressSteps` steps (default 250). */
  onProgress?: (fraction: number) => void;
  progressSteps?: number;
}

export interface GtcSamples {
  count: number;
  /** count × V visible states after the coupled phase. */
  states: Float32Array;
  /** count × V pixel intensities in [0, 1] (decoded states). */
  images: Float32Array;
  /** count × H hidden states. */
  hidden: Float32Array;
  /** Heat each sample released to the bath during the coupled phase, in units of kT (per sample). */
  heat: Float64Array;
  /** Steps simulated per sample (both phases). */
  steps: number;
  seconds: number;
}

export const GTC_DEFAULTS = {
  visible: 784,
  hidden: 512,
  labels: 0,
  J2: 1,
  J4: 1,
  kT: 0.1,
  mobility: 1,
  dt: 1e-3,
  duration: 2.5,
};

function positive(name: string, value: unknown): number {
  const v = checkFinite(name, value);
  if (!(v > 0)) throw invalid(`${name} must be > 0, got ${v}`);
  return v;
}

export class GenerativeComputer {
  readonly visible: number;
  readonly hidden: number;
  readonly labels: number;
  readonly J2: number;
  readonly J4: number;
  readonly kT: number;
  readonly mobility: number;
  readonly dt: number;
  readonly duration: number;
  readonly imageRows: number;
  readonly imageCols: number;
  /** J_vh, V × H row-major. */
  readonly visibleHidden: Float32Array;
  /** J_hh', H × H, symmetric with zero diagonal. */
  readonly hiddenHidden: Float32Array;
  /** b_h. */
  readonly hiddenBias: Float32Array;
  /** b_v: 0 in the paper; trained by default here, which breaks the x → −x symmetry (no inverted digits). */
  readonly visibleBias: Float32Array;
  /** J_lv, L × V: a class's direct pull on the pixels. */
  readonly labelVisible: Float32Array;
  /** J_lh, L × H. */
  readonly labelHidden: Float32Array;
  decoder: GtcDecoder = IDENTITY_DECODER;
  /** Free-form facts about how the model was made (saved with it). */
  info: Record<string, unknown> = {};

  /** A computer with all couplings and biases 0 (the paper's starting point). */
  constructor(config: GtcConfig = {}) {
    if (typeof config !== 'object' || config === null) throw invalid('the configuration must be an object');
    const c = { ...GTC_DEFAULTS, ...config };
    this.visible = checkInteger('visible', c.visible, 1, 1 << 20);
    this.hidden = checkInteger('hidden', c.hidden, 1, 1 << 16);
    this.labels = checkInteger('labels', c.labels, 0, 1 << 10);
    this.J2 = positive('J2', c.J2);
    this.J4 = checkFinite('J4', c.J4);
    if (this.J4 < 0) throw invalid(`J4 must be >= 0, got ${this.J4}`);
    this.kT = positive('kT', c.kT);
    this.mobility = positive('mobility', c.mobility);
    this.dt = positive('dt', c.dt);
    this.duration = positive('duration', c.duration);
    if (this.duration / this.dt > 1e7) throw invalid('duration / dt must be at most 1e7 steps');
    const side = Math.floor(Math.sqrt(this.visible));
    this.imageRows = checkInteger('imageRows', config.imageRows ?? (side * side === this.visible ? side : 1), 1);
    this.imageCols = checkInteger('imageCols', config.imageCols ?? this.visible / this.imageRows, 1);
    if (this.imageRows * this.imageCols !== this.visible) {
      throw invalid(
        `imageRows × imageCols must equal visible (${this.visible}), got ${this.imageRows} × ${this.imageCols}`,
      );
    }
    this.visibleHidden = new Float32Array(this.visible * this.hidden);
    this.hiddenHidden = new Float32Array(this.hidden * this.hidden);
    this.hiddenBias = new Float32Array(this.hidden);
    this.visibleBias = new Float32Array(this.visible);
    this.labelVisible = new Float32Array(this.labels * this.visible);
    this.labelHidden = new Float32Array(this.labels * this.hidden);
  }

  /** Steps per phase: t_f / Δt. */
  get stepsPerPhase(): number {
    return Math.round(this.duration / this.dt);
  }

  /** Units simulated: visible, hidden, then label units. */
  get units(): number {
    return this.visible + this.hidden + this.labels;
  }

  /** The label units' indices among the units (the ones clamped to a class). */
  labelUnits(): Int32Array {
    const first = this.visible + this.hidden;
    return Int32Array.from({ length: this.labels }, (_, l) => first + l);
  }

  config(): Required<GtcConfig> {
    const { visible, hidden, labels, J2, J4, kT, mobility, dt, duration, imageRows, imageCols } = this;
    return { visible, hidden, labels, J2, J4, kT, mobility, dt, duration, imageRows, imageCols };
  }

  /**
   * The network in the engine's convention U = Σ(a/2 x² + c/4 x⁴ − h x) − x_Rᵀ W x_C − ½ x_Hᵀ W_hh x_H:
   * a = 2 J2, c = 4 J4, h = −b, W = −J. With `coupled` false only the on-site terms remain.
   */
  network(coupled = true): LangevinNetwork {
    const { visible: V, hidden: H, labels: L } = this;
    const bias = new Float32Array(this.units);
    for (let i = 0; i < V; i++) bias[i] = -this.visibleBias[i];
    for (let j = 0; j < H; j++) bias[V + j] = -this.hiddenBias[j];
    const negate = (a: Float32Array) => a.map((w) => -w);
    const blocks: CouplingBlock[] = [
      { rows: [0, V], cols: [V, H], weights: negate(this.visibleHidden) },
      { rows: [V, H], cols: [V, H], weights: negate(this.hiddenHidden) },
    ];
    if (L > 0) {
      blocks.push({ rows: [V + H, L], cols: [0, V], weights: negate(this.labelVisible) });
      blocks.push({ rows: [V + H, L], cols: [V, H], weights: negate(this.labelHidden) });
    }
    return new LangevinNetwork({
      units: this.units,
      quadratic: 2 * this.J2,
      quartic: 4 * this.J4,
      bias,
      couplings: coupled ? { kind: 'blocks', blocks } : undefined,
    });
  }

  /** Pixels in [0, 1] from visible states by the decoder's rule (gtc-decoder.ts). */
  decode(states: Float32Array): Float32Array {
    return decodeStates(this.decoder, states);
  }

  /** Label-unit values, count × L: one-hot × strength per labelled sample, zeros for unconditional. */
  labelValues(count: number, labels: number | ArrayLike<number> | undefined, strength = 1): Float32Array {
    const L = this.labels;
    const out = new Float32Array(count * L);
    if (labels === undefined) return out;
    if (L === 0) throw invalid('this model has no label units: it was trained without labels');
    checkFinite('labelStrength', strength);
    const list = typeof labels === 'number' ? new Array<number>(count).fill(labels) : labels;
    if (list == null || list.length !== count) throw invalid(`labels must be one class or ${count} classes`);
    for (let k = 0; k < count; k++) out[k * L + checkInteger(`labels[${k}]`, list[k], 0, L - 1)] = strength;
    return out;
  }

  /** Draws samples: thermal noise for t_f without couplings, then t_f with them (and the labels clamped). */
  async generate(options: GtcGenerateOptions = {}): Promise<GtcSamples> {
    if (typeof options !== 'object' || options === null) throw invalid('generate options must be an object');
    const count = checkInteger('count', options.count ?? 100, 1, 1 << 24);
    const seed = checkSeed(options.seed ?? 0);
    const signal = checkSignal(options.signal);
    const progressSteps = checkInteger('progressSteps', options.progressSteps ?? 250, 1);
    const labelValues = this.labelValues(count, options.labels, options.labelStrength ?? 1);
    const chains = new LangevinChains(this.network(), { chains: count, seed });
    try {
      return await this.generateWith(chains, count, labelValues, progressSteps, signal, options);
    } finally {
      chains.dispose(); // one-shot chains: freed now, not at garbage collection
    }
  }

  private async generateWith(
    chains: LangevinChains,
    count: number,
    labelValues: Float32Array,
    progressSteps: number,
    signal: AbortSignal | undefined,
    options: GtcGenerateOptions,
  ): Promise<GtcSamples> {
    const { visible: V, hidden: H, labels: L, units: N } = this;
    if (L > 0) chains.setClamp(this.labelUnits(), labelValues);
    const K = this.stepsPerPhase;
    const heat = new Float64Array(count);
    let seconds = 0;
    let done = 0;
    const run = async (steps: number, couplingScale: number, observeHeat: boolean) => {
      for (let k = 0; k < steps; k += progressSteps) {
        const piece = Math.min(progressSteps, steps - k);
        const result = await chains.run({
          steps: piece,
          dt: this.dt,
          kT: this.kT,
          mobility: this.mobility,
          couplingScale,
          observe: observeHeat ? ['heat'] : [],
          threads: options.threads,
          signal,
        });
        seconds += result.seconds;
        if (observeHeat) for (let c = 0; c < count; c++) heat[c] += result.heat![c] / this.kT;
        done += piece;
        options.onProgress?.(done / (2 * K));
      }
    };
    await run(K, 0, false);
    await run(K, 1, true);
    const state = chains.readState();
    const states = new Float32Array(count * V);
    const hidden = new Float32Array(count * H);
    for (let c = 0; c < count; c++) {
      states.set(state.subarray(c * N, c * N + V), c * V);
      hidden.set(state.subarray(c * N + V, c * N + V + H), c * H);
    }
    return { count, states, images: this.decode(states), hidden, heat, steps: 2 * K, seconds };
  }

  toModelFile(): ModelFile {
    const { visible: V, hidden: H, labels: L } = this;
    const tensors: ModelFile['tensors'] = {
      visible_hidden: { dtype: 'F32', shape: [V, H], data: this.visibleHidden },
      hidden_hidden: { dtype: 'F32', shape: [H, H], data: this.hiddenHidden },
      hidden_bias: { dtype: 'F32', shape: [H], data: this.hiddenBias },
      visible_bias: { dtype: 'F32', shape: [V], data: this.visibleBias },
    };
    if (L > 0) {
      tensors.label_visible = { dtype: 'F32', shape: [L, V], data: this.labelVisible };
      tensors.label_hidden = { dtype: 'F32', shape: [L, H], data: this.labelHidden };
    }
    return { kind: 'gtc', version: 1, tensors, hyper: { ...this.info, ...this.config(), decoder: this.decoder } };
  }

  static fromModelFile(file: ModelFile): GenerativeComputer {
    const { decoder, visible, hidden, labels, J2, J4, kT, mobility, dt, duration, imageRows, imageCols, ...info } =
      file.hyper;
    // The sizes in the settings are claims, the tensors are data: compare them before building anything.
    const [V, H, L] = [
      visible ?? GTC_DEFAULTS.visible,
      hidden ?? GTC_DEFAULTS.hidden,
      labels ?? GTC_DEFAULTS.labels,
    ] as number[];
    const shapes: Array<[string, number[]]> = [
      ['visible_hidden', [V, H]],
      ['hidden_hidden', [H, H]],
      ['hidden_bias', [H]],
      ['visible_bias', [V]],
    ];
    if (L !== 0) shapes.push(['label_visible', [L, V]], ['label_hidden', [L, H]]);
    const tensors = shapes.map(([name, shape]) => f32Tensor(file, name, shape));
    checkLoadable(
      `a gtc model of ${V} visible, ${H} hidden and ${L} label units`,
      tensors.reduce((n, t) => n + t.byteLength, 0),
    );
    let model: GenerativeComputer;
    try {
      model = new GenerativeComputer({
        visible,
        hidden,
        labels,
        J2,
        J4,
        kT,
        mobility,
        dt,
        duration,
        imageRows,
        imageCols,
      } as GtcConfig);
    } catch (err) {
      throw badFile(`the gtc file's hyper-parameters are invalid: ${(err as Error).message}`);
    }
    const targets = [
      model.visibleHidden,
      model.hiddenHidden,
      model.hiddenBias,
      model.visibleBias,
      model.labelVisible,
      model.labelHidden,
    ];
    tensors.forEach((data, k) => targets[k].set(data)); // in the order of `shapes`
    for (let i = 0; i < H; i++) {
      if (model.hiddenHidden[i * H + i] !== 0) throw badFile('hidden_hidden must have a zero diagonal');
      for (let j = 0; j < i; j++) {
        if (model.hiddenHidden[i * H + j] !== model.hiddenHidden[j * H + i])
          throw badFile('hidden_hidden must be symmetric');
      }
    }
    model.decoder = checkDecoder(decoder);
    model.info = info;
    return model;
  }
}
