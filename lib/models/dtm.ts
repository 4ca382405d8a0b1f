/**
 * Extropic's denoising thermodynamic model (arXiv 2510.23972, SCIENCE.md §3): T conditional Boltzmann
 * machines on one sparse p-bit graph. Reverse step k models P(x^{k−1} | x^k): the input nodes are clamped to
 * x^k and pull their output nodes with the fixed coupling of the forward channel; the torus's own couplings
 * and biases are learned per step. Generation runs step T (pure noise in) down to step 1, annealing β in
 * each. Spins throughout: a pixel or label bit 1 is spin +1, 0 is −1. Training: lib/training/dtm-trainer.ts.
 */
import { JUMP_SETS } from '../graphs/builders';
import { badFile } from '../io/bytes';
import { f32Tensor, ModelFile } from '../io/model-file';
import { GibbsChains, GibbsTarget } from '../engines/gibbs';
import { linearBeta } from '../engines/sweeps';
import { checkLoadable } from '../native/load-limit';
import { SeededRandom } from '../util/random';
import { checkBeta, checkFinite, checkInteger, checkSignal, invalid } from '../util/validate';
import { DtmLayout, DtmLayoutOptions, JumpSet } from './dtm-layout';
import { inputCoupling, outputRates } from './dtm-noise';
import { checkSeed, deriveSeed } from '../util/seed';
import { preview } from '../util/preview';

export interface DtmConfig extends DtmLayoutOptions {
  /** Denoising steps T (default 8). */
  steps?: number;
  /** Forward noising rate of the pixels (default 0.9) and of the label bits (default 0.2). */
  imageRate?: number;
  labelRate?: number;
  /** Image shape for pictures (default: square). */
  imageRows?: number;
  imageCols?: number;
  /** Standard deviation of the initial couplings (default 0.01); biases start at 0. */
  initScale?: number;
}

export interface DtmGenerateOptions {
  /** Samples to draw (default 100). */
  count?: number;
  /** Class of each sample (one for all, or count values) for class-conditional generation. */
  labels?: number | ArrayLike<number>;
  /** Inpainting: pixels held fixed (indices into the image) and their values (0/1, one set for all samples or count sets). */
  clamp?: { pixels: ArrayLike<number>; values: ArrayLike<number> };
  /** Gibbs sweeps per denoising step (default 800). */
  sweeps?: number;
  /** β annealed linearly from betaStart to betaEnd within each step (defaults 0.8 and 1.2). */
  betaStart?: number;
  betaEnd?: number;
  /** Keep every step's output (for pictures of the denoising path). */
  keepSteps?: boolean;
  seed?: number;
  threads?: number;
  signal?: AbortSignal;
  /** Called after each denoising step with (steps done, T). */
  onStep?: (done: number, total: number) => void;
}

export interface DtmSamples {
  count: number;
  /** count × pixels, 0/1, the final x^0. */
  images: Float32Array;
  /** The class each sample's label bits vote for (count entries), when the model has labels. */
  labels?: Uint8Array;
  /** With keepSteps: the pixels after each reverse step, from x^T (noise) down to x^0. */
  path?: Float32Array[];
  sweepsPerStep: number;
  /** Spin updates the simulation made (free nodes × chains × sweeps, all steps). */
  flips: number;
  seconds: number;
}

export const DTM_DEFAULTS = { steps: 8, imageRate: 0.9, labelRate: 0.2, initScale: 0.01 };

export class DenoisingModel {
  readonly layout: DtmLayout;
  readonly steps: number;
  readonly imageRate: number;
  readonly labelRate: number;
  readonly imageRows: number;
  readonly imageCols: number;
  /** Per reverse step k (index k−1): couplings for every graph edge (input edges fixed) and biases per node. */
  readonly couplings: Float32Array[];
  readonly biases: Float32Array[];
  /** Free-form facts about how the model was made (saved with it). */
  info: Record<string, unknown> = {};

  constructor(config: DtmConfig) {
    if (typeof config !== 'object' || config === null) throw invalid('the configuration must be an object');
    const c = { ...DTM_DEFAULTS, ...config };
    this.layout = new DtmLayout(config);
    this.steps = checkInteger('steps', c.steps, 1, 1000);
    this.imageRate = checkFinite('imageRate', c.imageRate);
    this.labelRate = checkFinite('labelRate', c.labelRate);
    outputRates(1, 1, this.imageRate, this.labelRate); // checks both are > 0
    const side = Math.round(Math.sqrt(this.layout.pixels));
    this.imageRows = checkInteger('imageRows', c.imageRows ?? side, 1);
    this.imageCols = checkInteger('imageCols', c.imageCols ?? Math.floor(this.layout.pixels / this.imageRows), 1);
    if (this.imageRows * this.imageCols !== this.layout.pixels) {
      throw invalid(`imageRows × imageCols must equal pixels (${this.layout.pixels}); give both`);
    }
    const scale = checkFinite('initScale', c.initScale);
    const random = new SeededRandom(deriveSeed(this.layout.seed, 'dtm-couplings'));
    const { numNodes, numEdges } = this.layout.graph;
    this.couplings = [];
    this.biases = [];
    for (let k = 1; k <= this.steps; k++) {
      const J = Float32Array.from({ length: numEdges }, () => scale * random.normal());
      this.couplings.push(J);
      this.biases.push(new Float32Array(numNodes));
      this.fixInputCouplings(k);
    }
  }

  get pixels(): number {
    return this.layout.pixels;
  }

  get classes(): number {
    return this.layout.classes;
  }

  /** Learned couplings of step k (the torus's edges; a view, updated in place by trainers). */
  learnedCouplings(step: number): Float32Array {
    return this.couplings[this.stepIndex(step)].subarray(0, this.numTorusEdges);
  }

  /** Learned biases of step k (the torus's nodes; a view). */
  learnedBiases(step: number): Float32Array {
    return this.biases[this.stepIndex(step)].subarray(0, this.layout.size ** 2);
  }

  get numTorusEdges(): number {
    return this.layout.graph.numEdges - this.layout.numOutputs;
  }

  /** The Boltzmann machine of reverse step k (1…T), ready for the sampler. */
  step(step: number, beta = 1): GibbsTarget {
    const k = this.stepIndex(step);
    return {
      graph: this.layout.graph,
      couplings: this.couplings[k],
      biases: this.biases[k],
      beta: checkBeta('beta', beta),
    };
  }

  /** The forward channel's coupling between an input node and its output in step k, per output. */
  inputCouplings(step: number): Float64Array {
    const { pixels, numOutputs } = this.layout;
    const rates = outputRates(pixels, numOutputs - pixels, this.imageRate, this.labelRate);
    this.stepIndex(step);
    return rates.map((r) => inputCoupling(r, this.steps, step));
  }

  /** Per-output noising rates (pixels, then label bits). */
  rates(): Float64Array {
    return outputRates(this.pixels, this.layout.numOutputs - this.pixels, this.imageRate, this.labelRate);
  }

  /**
   * Images (count × pixels, values >= 0.5 are 1) and labels as output spins: count rows of the pixels'
   * spins followed by each class's bit repeated labelCopies times (+1 for the row's class).
   */
  encode(images: Float32Array, labels: ArrayLike<number> | undefined, count: number): Int8Array {
    const { pixels, classes, labelCopies, numOutputs } = this.layout;
    if (images.length !== count * pixels)
      throw invalid(`images must hold ${count} × ${pixels} pixels, got ${images.length}`);
    if (classes > 0 && (labels === undefined || labels.length !== count))
      throw invalid(`this model needs a label for each of the ${count} images`);
    const out = new Int8Array(count * numOutputs);
    for (let r = 0; r < count; r++) {
      for (let i = 0; i < pixels; i++) out[r * numOutputs + i] = images[r * pixels + i] >= 0.5 ? 1 : -1;
      if (classes === 0) continue;
      const label = checkInteger('label', (labels as ArrayLike<number>)[r], 0, classes - 1);
      for (let i = pixels; i < numOutputs; i++)
        out[r * numOutputs + i] = Math.floor((i - pixels) / labelCopies) === label ? 1 : -1;
    }
    return out;
  }

  /**
   * Draws samples: x^T uniform noise, then each reverse step in turn samples x^{k−1} given x^k.
   * `stepTarget` (internal: QuantizedDtm) gives the model sampled for step k, by default `step(k)`.
   */
  async generate(
    options: DtmGenerateOptions = {},
    stepTarget: (step: number) => GibbsTarget = (k) => this.step(k),
  ): Promise<DtmSamples> {
    checkSignal(options.signal);
    const count = checkInteger('count', options.count ?? 100, 1, 1 << 20);
    const sweeps = checkInteger('sweeps', options.sweeps ?? 800, 1);
    const beta = linearBeta(options.betaStart ?? 0.8, options.betaEnd ?? 1.2);
    const seed = checkSeed(options.seed ?? 0);
    const { pixels, numOutputs, outputs, inputs } = this.layout;
    const fixed = this.fixedOutputs(count, options);
    const random = new SeededRandom(seed);
    let x = Int8Array.from({ length: count * numOutputs }, () => (random.uint32() & 1 ? 1 : -1));
    applyFixed(x, fixed, numOutputs);
    const path: Float32Array[] = options.keepSteps ? [toPixels(x, count, numOutputs, pixels)] : [];
    const n = this.layout.numNodes;
    let flips = 0;
    const started = process.hrtime.bigint();
    for (let k = this.steps; k >= 1; k--) {
      const clampNodes = concatInt32(
        inputs,
        fixed.outputs.map((o) => outputs[o]),
      );
      const clampValues = new Int8Array(count * clampNodes.length);
      for (let c = 0; c < count; c++) {
        clampValues.set(x.subarray(c * numOutputs, (c + 1) * numOutputs), c * clampNodes.length);
        clampValues.set(
          fixed.values.subarray(c * fixed.outputs.length, (c + 1) * fixed.outputs.length),
          c * clampNodes.length + numOutputs,
        );
      }
      const target = stepTarget(k);
      const chainOptions = {
        chains: count,
        seed: deriveSeed(seed, 'dtm-generate', k),
        init: 'hinton' as const,
        clamp: { nodes: clampNodes, values: clampValues },
      };
      const chains = target.chains ? target.chains(chainOptions) : new GibbsChains(target, chainOptions);
      let spins: Int8Array;
      try {
        await chains.run({ warmup: sweeps, samples: 0, beta, threads: options.threads, signal: options.signal });
        spins = chains.spins();
      } finally {
        chains.dispose(); // each step's chains: freed now, not at garbage collection
      }
      flips += sweeps * count * (n - clampNodes.length);
      x = new Int8Array(count * numOutputs);
      for (let c = 0; c < count; c++)
        for (let o = 0; o < numOutputs; o++) x[c * numOutputs + o] = spins[c * n + outputs[o]];
      if (options.keepSteps) path.push(toPixels(x, count, numOutputs, pixels));
      options.onStep?.(this.steps - k + 1, this.steps);
    }
    return {
      count,
      images: toPixels(x, count, numOutputs, pixels),
      labels: this.classes > 0 ? this.voteLabels(x, count) : undefined,
      path: options.keepSteps ? path : undefined,
      sweepsPerStep: sweeps,
      flips,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  }

  /** The outputs held fixed during generation (label bits for class-conditional, pixels for inpainting). */
  private fixedOutputs(count: number, options: DtmGenerateOptions): { outputs: Int32Array; values: Int8Array } {
    const { pixels, classes, labelCopies } = this.layout;
    const outputs: number[] = [];
    const rows: number[][] = Array.from({ length: count }, () => []);
    if (options.labels !== undefined) {
      if (classes === 0) throw invalid('labels need a model trained with label nodes (classes > 0)');
      const labels =
        typeof options.labels === 'number' ? new Array<number>(count).fill(options.labels) : Array.from(options.labels);
      if (labels.length !== count) throw invalid(`labels must be one class or ${count} classes, got ${labels.length}`);
      for (let i = 0; i < classes * labelCopies; i++) outputs.push(pixels + i);
      labels.forEach((label, c) => {
        checkInteger(`labels[${c}]`, label, 0, classes - 1);
        for (let i = 0; i < classes * labelCopies; i++) rows[c].push(Math.floor(i / labelCopies) === label ? 1 : -1);
      });
    }
    if (options.clamp !== undefined) {
      const { pixels: held, values } = options.clamp;
      if (held == null || values == null) throw invalid('clamp needs { pixels, values }');
      const heldPixels = Array.from(held, (p) => checkInteger('clamped pixel', p, 0, pixels - 1));
      if (new Set(heldPixels).size !== heldPixels.length) throw invalid('a clamped pixel appears twice');
      const perRow = values.length === heldPixels.length;
      if (!perRow && values.length !== count * heldPixels.length) {
        throw invalid(`clamp.values must hold ${heldPixels.length} or ${count} × ${heldPixels.length} values`);
      }
      outputs.push(...heldPixels);
      rows.forEach((row, c) =>
        heldPixels.forEach((_, j) => {
          const v = values[perRow ? j : c * heldPixels.length + j];
          if (v !== 0 && v !== 1) throw invalid(`clamped pixel values must be 0 or 1, got ${v}`);
          row.push(v === 1 ? 1 : -1);
        }),
      );
    }
    return { outputs: Int32Array.from(outputs), values: Int8Array.from(rows.flat()) };
  }

  /** Majority of each class's label bits; ties go to the lower class. */
  private voteLabels(x: Int8Array, count: number): Uint8Array {
    const { pixels, classes, labelCopies, numOutputs } = this.layout;
    return Uint8Array.from({ length: count }, (_, c) => {
      let best = 0;
      let bestVotes = -Infinity;
      for (let k = 0; k < classes; k++) {
        let votes = 0;
        for (let r = 0; r < labelCopies; r++) votes += x[c * numOutputs + pixels + k * labelCopies + r];
        if (votes > bestVotes) [best, bestVotes] = [k, votes];
      }
      return best;
    });
  }

  private stepIndex(step: number): number {
    return checkInteger('step', step, 1, this.steps) - 1;
  }

  private fixInputCouplings(step: number): void {
    const w = this.inputCouplings(step);
    const J = this.couplings[step - 1];
    this.layout.inputEdges.forEach((e, o) => (J[e] = w[o]));
  }

  toModelFile(): ModelFile {
    const { size, numOutputs } = this.layout;
    const T = this.steps;
    const stack = (parts: Float32Array[], width: number) => {
      const out = new Float32Array(T * width);
      parts.forEach((p, k) => out.set(p.subarray(0, width), k * width));
      return out;
    };
    return {
      kind: 'dtm',
      version: 1,
      tensors: {
        couplings: { dtype: 'F32', shape: [T, this.numTorusEdges], data: stack(this.couplings, this.numTorusEdges) },
        biases: { dtype: 'F32', shape: [T, size * size], data: stack(this.biases, size * size) },
        outputs: { dtype: 'I32', shape: [numOutputs], data: this.layout.outputs.slice() },
      },
      hyper: {
        ...this.layout.describe(),
        steps: T,
        imageRate: this.imageRate,
        labelRate: this.labelRate,
        imageRows: this.imageRows,
        imageCols: this.imageCols,
        info: this.info,
      },
    };
  }

  static fromModelFile(file: ModelFile): DenoisingModel {
    const h = file.hyper;
    // The settings only claim sizes; the tensors hold data. Compare them before building anything, so a small
    // file claiming a huge torus or many steps fails at once instead of building the model it describes.
    if (!Number.isSafeInteger(h.steps) || !Number.isSafeInteger(h.size)) {
      throw badFile(
        `the dtm file needs integer hyper-parameters steps and size, got ${preview({ steps: h.steps, size: h.size })}`,
      );
    }
    const T = h.steps as number;
    const L = h.size as number;
    f32Tensor(file, 'biases', [T, L * L]);
    const couplingRows = file.tensors.couplings?.shape[0];
    if (couplingRows !== T)
      throw badFile(`the "couplings" tensor has ${couplingRows ?? 'no'} rows; the hyper-parameters say ${T} steps`);
    const claimedOutputs = (h.pixels as number) + (h.classes as number) * (h.labelCopies as number);
    if (file.tensors.outputs?.shape.join() !== String(claimedOutputs)) {
      throw badFile('the "outputs" tensor does not match the layout the hyper-parameters describe');
    }
    // Per step: a coupling per edge (at most 2·jumps per torus node, one per input) and a bias per node.
    const edgesPerNode = 2 * (Object.hasOwn(JUMP_SETS, h.jumps as string) ? JUMP_SETS[h.jumps as JumpSet].length : 0);
    checkLoadable(`a ${T}-step dtm on a ${L}×${L} torus`, 4 * T * (L * L * (edgesPerNode + 1) + 2 * claimedOutputs));
    const model = new DenoisingModel({
      size: h.size as number,
      jumps: h.jumps as JumpSet,
      pixels: h.pixels as number,
      classes: h.classes as number,
      labelCopies: h.labelCopies as number,
      seed: h.seed as number,
      steps: h.steps as number,
      imageRate: h.imageRate as number,
      labelRate: h.labelRate as number,
      imageRows: h.imageRows as number,
      imageCols: h.imageCols as number,
      initScale: 0,
    });
    const { size, numOutputs } = model.layout;
    const outputs = file.tensors.outputs;
    if (
      outputs === undefined ||
      outputs.dtype !== 'I32' ||
      outputs.data.length !== numOutputs ||
      outputs.data.some((v, i) => v !== model.layout.outputs[i])
    ) {
      throw badFile('the "outputs" tensor does not match the layout the hyper-parameters describe');
    }
    const couplings = f32Tensor(file, 'couplings', [model.steps, model.numTorusEdges]);
    const biases = f32Tensor(file, 'biases', [model.steps, size * size]);
    for (let k = 1; k <= model.steps; k++) {
      model.learnedCouplings(k).set(couplings.subarray((k - 1) * model.numTorusEdges, k * model.numTorusEdges));
      model.learnedBiases(k).set(biases.subarray((k - 1) * size * size, k * size * size));
    }
    const info = h.info;
    model.info =
      info !== null && typeof info === 'object' && !Array.isArray(info) ? (info as Record<string, unknown>) : {};
    return model;
  }
}

/** Pixels (0/1) of output-spin rows. */
function toPixels(x: Int8Array, count: number, numOutputs: number, pixels: number): Float32Array {
  const out = new Float32Array(count * pixels);
  for (let c = 0; c < count; c++)
    for (let i = 0; i < pixels; i++) out[c * pixels + i] = x[c * numOutputs + i] > 0 ? 1 : 0;
  return out;
}

function applyFixed(x: Int8Array, fixed: { outputs: Int32Array; values: Int8Array }, numOutputs: number): void {
  const m = fixed.outputs.length;
  for (let c = 0; c * numOutputs < x.length; c++)
    for (let j = 0; j < m; j++) x[c * numOutputs + fixed.outputs[j]] = fixed.values[c * m + j];
}

function concatInt32(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
