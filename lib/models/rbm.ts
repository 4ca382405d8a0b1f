/**
 * Restricted Boltzmann machine: visible v ∈ {0,1}^V, hidden h ∈ {0,1}^H,
 *   E(v, h) = −(bᵀv + cᵀh + vᵀWh),   p(v, h) ∝ exp(−β E(v, h)),
 * so P(h_j = 1 | v) = σ(β(c_j + (vW)_j)) and P(v_i = 1 | h) = σ(β(b_i + (Wh)_i)).
 * W is stored V×H, row-major (row i holds visible unit i's couplings). Parameters and sampling only:
 * training lives in lib/training, files in lib/io.
 */
import { badFile } from '../io/bytes';
import { f32Tensor, ModelFile } from '../io/model-file';
import { checkLoadable } from '../native/load-limit';
import { gemm, rbmConditional, RbmChains } from '../engines/rbm';
import { BetaSchedule } from '../engines/sweeps';
import { checkFits } from '../native/memory';
import { SeededRandom } from '../util/random';
import { checkFinite, checkInteger, checkSignal, invalid, toFloat32 } from '../util/validate';
import { preview } from '../util/preview';

export interface RbmOptions {
  visible: number;
  hidden: number;
  /** Seed of the initial weights (default 0). */
  seed?: number;
  /** Initial weights ~ N(0, weightScale²) (default 0.01, Hinton's practical guide). */
  weightScale?: number;
  /** Initial visible biases: one per unit or one for all (default 0); see `RBM.visibleBiasFromData`. */
  visibleBias?: ArrayLike<number> | number;
  hiddenBias?: ArrayLike<number> | number;
}

export interface RbmParameters {
  weights: ArrayLike<number>;
  /** One value per unit, or one for all. */
  visibleBias: ArrayLike<number> | number;
  hiddenBias: ArrayLike<number> | number;
}

export interface RbmSampleOptions {
  /** Independent chains, one sample each (default 100). */
  chains?: number;
  /** Gibbs sweeps (h|v then v|h) per chain (default 1000). */
  sweeps?: number;
  /** β as a number or one value per sweep / a function (sweep, total) (default 1). */
  beta?: BetaSchedule;
  seed?: number;
  /** Initial visible states: 'random' (default) or chains×V values in {0,1}. */
  init?: 'random' | ArrayLike<number>;
  /**
   * Visible units held fixed (inpainting, conditional generation): their indices and their values,
   * either one value per node for every chain or chains×nodes values.
   */
  clamp?: { nodes: ArrayLike<number>; values: ArrayLike<number> };
  threads?: number;
  signal?: AbortSignal;
}

export interface RbmSamples {
  chains: number;
  /** chains×V visible states (0/1) after the last sweep. */
  visible: Float32Array;
  /** chains×V: P(v = 1 | h) of the last sweep, the noise-free picture of each sample. */
  probabilities: Float32Array;
  sweeps: number;
  seconds: number;
}

/** Bytes of an RBM's parameters: V×H weights and both biases, float32. */
function parameterBytes(numVisible: number, numHidden: number): number {
  return (numVisible * numHidden + numVisible + numHidden) * Float32Array.BYTES_PER_ELEMENT;
}

export class RBM {
  readonly numVisible: number;
  readonly numHidden: number;
  readonly weights: Float32Array;
  readonly visibleBias: Float32Array;
  readonly hiddenBias: Float32Array;
  /** Free-form description kept in model files (training settings, image shape, figures). */
  info: Record<string, unknown> = {};

  constructor(numVisible: number, numHidden: number, parameters: RbmParameters) {
    this.numVisible = checkInteger('visible', numVisible, 1, 1 << 20);
    this.numHidden = checkInteger('hidden', numHidden, 1, 1 << 20);
    if (typeof parameters !== 'object' || parameters === null) {
      throw invalid(
        'new RBM(visible, hidden, { weights, visibleBias, hiddenBias }) needs the parameters; RBM.create makes random ones',
      );
    }
    checkFits(parameterBytes(numVisible, numHidden), `a ${numVisible} × ${numHidden} RBM`);
    this.weights = toFloat32('weights', parameters.weights, numVisible * numHidden);
    this.visibleBias = toFloat32('visibleBias', parameters.visibleBias, numVisible);
    this.hiddenBias = toFloat32('hiddenBias', parameters.hiddenBias, numHidden);
  }

  /** Small random weights from a seed; biases as given (default 0). */
  static create(options: RbmOptions): RBM {
    if (typeof options !== 'object' || options === null) throw invalid('RBM.create needs { visible, hidden }');
    const v = checkInteger('visible', options.visible, 1, 1 << 20);
    const h = checkInteger('hidden', options.hidden, 1, 1 << 20);
    const scale = checkFinite('weightScale', options.weightScale ?? 0.01);
    const rng = new SeededRandom(checkInteger('seed', options.seed ?? 0, 0));
    // The random weights, and the model's own copy of them.
    checkFits(v * h * Float32Array.BYTES_PER_ELEMENT + parameterBytes(v, h), `a ${v} × ${h} RBM`);
    const weights = new Float32Array(v * h);
    for (let k = 0; k < weights.length; k++) weights[k] = scale * rng.normal();
    return new RBM(v, h, {
      weights,
      visibleBias: options.visibleBias ?? 0,
      hiddenBias: options.hiddenBias ?? 0,
    });
  }

  /**
   * Visible biases log(p/(1−p)) from the data's mean activations p (clipped to [0.001, 0.999]): the
   * model then starts out reproducing the pixel frequencies (Hinton's practical guide, §8).
   */
  static visibleBiasFromData(images: Float32Array, count: number, numVisible: number): Float32Array {
    checkRows('images', images, count, numVisible);
    const mean = new Float64Array(numVisible);
    for (let r = 0; r < count; r++) {
      const row = r * numVisible;
      for (let i = 0; i < numVisible; i++) mean[i] += images[row + i];
    }
    return Float32Array.from(mean, (sum) => {
      const p = Math.min(0.999, Math.max(0.001, sum / count));
      return Math.log(p / (1 - p));
    });
  }

  /** An independent copy (training snapshots, checkpoints). */
  clone(): RBM {
    const copy = new RBM(this.numVisible, this.numHidden, this);
    copy.info = structuredClone(this.info);
    return copy;
  }

  /** Copies another RBM's parameters (same shape) into this one. */
  assign(other: RBM): void {
    if (other.numVisible !== this.numVisible || other.numHidden !== this.numHidden) {
      throw invalid(
        `cannot assign a ${other.numVisible}×${other.numHidden} RBM to a ${this.numVisible}×${this.numHidden} one`,
      );
    }
    this.weights.set(other.weights);
    this.visibleBias.set(other.visibleBias);
    this.hiddenBias.set(other.hiddenBias);
  }

  /** Tensors and hyper-parameters for a model file (lib/io/model-file); no I/O here. */
  toModelFile(): ModelFile {
    const { numVisible: V, numHidden: H } = this;
    return {
      kind: 'rbm',
      version: 1,
      tensors: {
        weights: { dtype: 'F32', shape: [V, H], data: this.weights },
        visible_bias: { dtype: 'F32', shape: [V], data: this.visibleBias },
        hidden_bias: { dtype: 'F32', shape: [H], data: this.hiddenBias },
      },
      hyper: { visible: V, hidden: H, ...this.info },
    };
  }

  /** The inverse of `toModelFile`, checking every tensor's dtype and shape. */
  static fromModelFile(file: ModelFile): RBM {
    const weights = file.tensors.weights;
    if (weights?.shape.length !== 2) throw badFile('an RBM file needs a 2-D F32 tensor "weights" (visible × hidden)');
    const [V, H] = weights.shape;
    // The settings repeat the sizes: a file whose settings and tensors disagree is damaged.
    for (const [name, size] of [
      ['visible', V],
      ['hidden', H],
    ] as const) {
      if (file.hyper[name] !== undefined && file.hyper[name] !== size) {
        throw badFile(
          `the rbm file's hyper-parameter ${name} = ${preview(file.hyper[name])} does not match its weights [${V}, ${H}]`,
        );
      }
    }
    checkLoadable(`an rbm of ${V} visible and ${H} hidden units`, 4 * (V * H + V + H));
    const rbm = new RBM(V, H, {
      weights: f32Tensor(file, 'weights', [V, H]),
      visibleBias: f32Tensor(file, 'visible_bias', [V]),
      hiddenBias: f32Tensor(file, 'hidden_bias', [H]),
    });
    const { visible: _v, hidden: _h, ...info } = file.hyper;
    rbm.info = info;
    return rbm;
  }

  /** P(h = 1 | v) for rows×V visible values (states or probabilities), and optionally samples. */
  hiddenGivenVisible(visible: Float32Array, rows: number, options: ConditionalOptions = {}): Float32Array {
    checkRows('visible', visible, rows, this.numVisible);
    return this.conditional('hidden', visible, rows, this.hiddenBias, this.numHidden, options);
  }

  /** P(v = 1 | h) for rows×H hidden values, and optionally samples. */
  visibleGivenHidden(hidden: Float32Array, rows: number, options: ConditionalOptions = {}): Float32Array {
    checkRows('hidden', hidden, rows, this.numHidden);
    return this.conditional('visible', hidden, rows, this.visibleBias, this.numVisible, options);
  }

  /** Pre-activations c + vW (rows×H) of the hidden units, from one matrix product (into `out` if given). */
  hiddenInputs(
    visible: Float32Array,
    rows: number,
    threads?: number,
    out = new Float32Array(rows * this.numHidden),
  ): Float32Array {
    checkRows('visible', visible, rows, this.numVisible);
    checkRows('out', out, rows, this.numHidden);
    for (let r = 0; r < rows; r++) out.set(this.hiddenBias, r * this.numHidden);
    gemm(false, false, rows, this.numHidden, this.numVisible, 1, visible, this.weights, 1, out, threads);
    return out;
  }

  /**
   * Free energy F(v) = −bᵀv − Σ_j softplus(c_j + (vW)_j) at β = 1, per row, in float64:
   * p(v) = exp(−F(v)) / Z.
   */
  freeEnergy(visible: Float32Array, rows: number, threads?: number): Float64Array {
    const inputs = this.hiddenInputs(visible, rows, threads);
    const out = new Float64Array(rows);
    const { numVisible: V, numHidden: H } = this;
    for (let r = 0; r < rows; r++) {
      let f = 0;
      for (let i = 0; i < V; i++) f -= this.visibleBias[i] * visible[r * V + i];
      for (let j = 0; j < H; j++) f -= softplus(inputs[r * H + j]);
      out[r] = f;
    }
    return out;
  }

  /** E(v, h) per row, float64. */
  energy(visible: Float32Array, hidden: Float32Array, rows: number, threads?: number): Float64Array {
    checkRows('hidden', hidden, rows, this.numHidden);
    const inputs = this.hiddenInputs(visible, rows, threads);
    const { numVisible: V, numHidden: H } = this;
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let e = 0;
      for (let i = 0; i < V; i++) e -= this.visibleBias[i] * visible[r * V + i];
      for (let j = 0; j < H; j++) e -= inputs[r * H + j] * hidden[r * H + j]; // (c + vW)·h
      out[r] = e;
    }
    return out;
  }

  /** Runs Gibbs chains off the main thread and returns their final visible states. */
  async sample(options: RbmSampleOptions = {}): Promise<RbmSamples> {
    const signal = checkSignal(options.signal);
    const { chains, run } = this.prepareChains(options);
    try {
      const started = process.hrtime.bigint();
      await chains.run({ ...run, signal });
      return this.collect(chains, run.sweeps, started);
    } finally {
      chains.dispose(); // one-shot chains: freed now, not at garbage collection
    }
  }

  /** The same on the calling thread. */
  sampleSync(options: RbmSampleOptions = {}): RbmSamples {
    if (options.signal !== undefined) throw invalid('signal is only supported by the async sample');
    const { chains, run } = this.prepareChains(options);
    try {
      const started = process.hrtime.bigint();
      chains.runSync(run);
      return this.collect(chains, run.sweeps, started);
    } finally {
      chains.dispose(); // one-shot chains: freed now, not at garbage collection
    }
  }

  private prepareChains(options: RbmSampleOptions) {
    const count = checkInteger('chains', options.chains ?? 100, 1);
    const sweeps = checkInteger('sweeps', options.sweeps ?? 1000, 1);
    const chains = new RbmChains(this.numVisible, this.numHidden, count, checkInteger('seed', options.seed ?? 0, 0));
    try {
      chains.setParameters(this.weights, this.visibleBias, this.hiddenBias);
      const init = options.init ?? 'random';
      if (init === 'random') chains.initRandom();
      else chains.setVisible(binaryStates('init', init, count * this.numVisible));
      if (options.clamp !== undefined) {
        const nodes = Int32Array.from(options.clamp.nodes, (n) =>
          checkInteger('clamp.nodes[]', n, 0, this.numVisible - 1),
        );
        const given = options.clamp.values;
        const perChain = given.length === nodes.length && count > 1 ? broadcastRows(given, count) : given;
        chains.setClamp(nodes, binaryStates('clamp.values', perChain, count * nodes.length));
      }
    } catch (err) {
      chains.dispose();
      throw err;
    }
    return { chains, run: { sweeps, beta: options.beta ?? 1, threads: options.threads } };
  }

  private collect(chains: RbmChains, sweeps: number, started: bigint): RbmSamples {
    return {
      chains: chains.numChains,
      visible: chains.readVisible(),
      probabilities: chains.visibleProbabilities(),
      sweeps,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  }

  private conditional(
    direction: 'hidden' | 'visible',
    input: Float32Array,
    rows: number,
    bias: Float32Array,
    width: number,
    options: ConditionalOptions,
  ): Float32Array {
    const probabilities = options.probabilities ?? new Float32Array(rows * width);
    checkRows('probabilities', probabilities, rows, width);
    if (options.samples !== undefined) checkRows('samples', options.samples, rows, width);
    rbmConditional(
      direction,
      rows,
      this.weights,
      this.numVisible,
      this.numHidden,
      options.bias ?? bias,
      input,
      options.beta ?? 1,
      probabilities,
      options.samples,
      options.seed ?? 0,
      options.stream ?? 0,
      options.threads,
    );
    return probabilities;
  }
}

export interface ConditionalOptions {
  beta?: number;
  /** Output buffer for the probabilities (rows×width); allocated if absent. */
  probabilities?: Float32Array;
  /** Output buffer for Bernoulli samples (0/1) drawn from the probabilities. */
  samples?: Float32Array;
  /** Replaces the layer's own bias (annealing between models). */
  bias?: Float32Array;
  /** Random numbers: the same (seed, stream, row) gives the same draws. */
  seed?: number;
  stream?: number;
  threads?: number;
}

// Local names: a global `Math.` lookup in a hot loop is slow in sandboxed contexts (vm, test runners).
const { exp, log1p } = Math;

/** log(1 + e^x) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

function checkRows(name: string, values: ArrayLike<number>, rows: number, width: number): void {
  checkInteger('rows', rows, 1);
  if (values.length !== rows * width) {
    throw invalid(`${name} has ${values.length} values; expected ${rows} rows × ${width} = ${rows * width}`);
  }
}

function binaryStates(name: string, values: ArrayLike<number>, length: number): Float32Array {
  if (values.length !== length) throw invalid(`${name} has ${values.length} values; expected ${length}`);
  const out = new Float32Array(length);
  for (let k = 0; k < length; k++) {
    const v = values[k];
    if (v !== 0 && v !== 1) throw invalid(`${name}[${k}] is ${v}; states must be 0 or 1`);
    out[k] = v;
  }
  return out;
}

function broadcastRows(row: ArrayLike<number>, rows: number): Float32Array {
  const source = Float32Array.from(row);
  const out = new Float32Array(rows * source.length);
  for (let r = 0; r < rows; r++) out.set(source, r * source.length);
  return out;
}
