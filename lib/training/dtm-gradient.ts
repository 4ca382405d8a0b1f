/**
 * The Monte-Carlo gradient of one reverse step of a denoising thermodynamic model on a batch of pairs
 * (x^{k−1}, x^k), for the loss −Σ ln P_θ(x^{k−1} | x^k) (SCIENCE.md §1, §3), in the spin convention:
 *   ∂/∂J_ab = −β (⟨s_a s_b⟩₊ − ⟨s_a s_b⟩₋) − λ (m_a m_b − ⟨s_a s_b⟩₋),   ∂/∂h_i = −β (⟨s_i⟩₊ − ⟨s_i⟩₋)
 * ₊: outputs clamped to x^{k−1} and inputs to x^k, latents sampled; ₋: only the inputs clamped to x^k.
 * Each chain holds one pair, so both averages run over the batch's conditionals. The second coupling term
 * is the adaptive correlation penalty (λ = 0: none): m_a m_b is the mean-field value of the correlation,
 * from each negative chain's own means (conditional on its x^k), so only the chains' own correlations are
 * penalised, not those the data induce (with few samples per chain, m_a m_b also holds Cov/samples).
 * Chains start from the Hinton initialisation for every batch.
 */
import { HeatbathError } from '../errors';
import type { DenoisingModel } from '../models/dtm';
import { GibbsChains, GibbsTarget, RunResult } from '../engines/gibbs';
import { Schedule } from '../engines/sweeps';
import { QuantizedDtmStep } from '../models/quantized-dtm';
import type { QuantizeOptions } from '../models/quantized-ising';
import { checkFinite, checkInteger, invalid } from '../util/validate';
import { deriveSeed } from '../util/seed';

export interface DtmBatch {
  /** rows × outputs spins: the targets x^{k−1} and the inputs x^k. */
  before: Int8Array;
  after: Int8Array;
  rows: number;
}

export interface DtmGradientOptions extends Schedule {
  /** Correlation penalty strength λ (default 0). */
  penalty?: number;
  threads?: number;
  signal?: AbortSignal;
}

export interface DtmGradient {
  /** ∂loss/∂J per torus edge and ∂loss/∂h per torus node (written into the caller's buffers). */
  couplings: Float64Array;
  biases: Float64Array;
  /** Share of output bits the negative chains' final states get wrong (vs x^{k−1}). */
  denoiseError: number;
  /** Spin updates made and the engine's seconds for them. */
  flips: number;
  seconds: number;
}

function moments(run: RunResult): { mean: Float64Array; pairMean: Float64Array } {
  if (!run.mean || !run.pairMean) throw new HeatbathError('ERR_INTERNAL', 'moments missing from a sampling run');
  return { mean: run.mean, pairMean: run.pairMean };
}

/**
 * The gradient estimator of one reverse step for batches of a fixed size. Its two sets of chains are made
 * once and reused: each batch re-reads the parameters, clamps its pairs and restarts from the Hinton
 * initialisation, so the chains' random streams simply continue from batch to batch.
 */
export class DtmGradientEstimator {
  readonly step: number;
  readonly rows: number;
  private readonly model: DenoisingModel;
  private readonly positive: GibbsChains;
  private readonly negative: GibbsChains;
  private readonly positiveNodes: Int32Array;
  private readonly positiveValues: Int8Array;
  private readonly finalSpins: Int8Array;
  /** With a precision: the step as the chip holds it, re-quantized from the float parameters for every batch. */
  private readonly chip?: QuantizedDtmStep;

  /** `precision`: sample both phases with the chip's arithmetic (the gradient still updates the floats). */
  constructor(model: DenoisingModel, step: number, rows: number, seed: number | bigint, precision?: QuantizeOptions) {
    this.model = model;
    this.step = step;
    this.rows = checkInteger('rows', rows, 1, 1 << 20);
    this.chip = precision === undefined ? undefined : new QuantizedDtmStep(model, step, precision);
    const target = this.chip ?? model.step(step);
    const { outputs, inputs, numOutputs } = model.layout;
    this.positiveNodes = Int32Array.from([...outputs, ...inputs]);
    this.positiveValues = new Int8Array(2 * rows * numOutputs);
    const open = (name: string) => {
      const options = { chains: rows, seed: deriveSeed(seed, name) };
      return this.chip ? this.chip.chains(options) : new GibbsChains(target, options);
    };
    this.positive = open('dtm-positive');
    this.negative = open('dtm-negative');
    this.finalSpins = new Int8Array(rows * model.layout.numNodes);
  }

  /** What the step's chains sample now: the float step, or the chip re-quantized from the current floats. */
  samplingTarget(): GibbsTarget {
    return this.chip ? this.chip.requantize() : this.model.step(this.step);
  }

  /** Frees both phases' native chains now; later use throws ERR_DISPOSED. */
  dispose(): void {
    this.positive.dispose();
    this.negative.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  async estimate(
    batch: DtmBatch,
    options: DtmGradientOptions,
    out: { couplings: Float64Array; biases: Float64Array },
  ): Promise<DtmGradient> {
    const { model, rows, positive, negative } = this;
    const { layout } = model;
    const width = layout.numOutputs;
    if (batch.rows !== rows || batch.before.length !== rows * width || batch.after.length !== rows * width) {
      throw invalid(`the batch must hold ${rows} rows of ${width} outputs before and after`);
    }
    const schedule = {
      warmup: options.warmup,
      samples: options.samples,
      thin: options.thin,
      threads: options.threads,
      signal: options.signal,
    };
    const penalty = checkFinite('penalty', options.penalty ?? 0);

    this.chip?.requantize();
    for (let r = 0; r < rows; r++) {
      this.positiveValues.set(batch.before.subarray(r * width, (r + 1) * width), 2 * r * width);
      this.positiveValues.set(batch.after.subarray(r * width, (r + 1) * width), (2 * r + 1) * width);
    }
    for (const [chains, clamp] of [
      [positive, { nodes: this.positiveNodes, values: this.positiveValues }],
      [negative, { nodes: layout.inputs, values: batch.after }],
    ] as const) {
      chains.updateParameters();
      chains.clamp(clamp);
      chains.initialize('hinton');
    }
    const pos = await positive.run({ ...schedule, observe: ['moments'] });
    const negRun = await negative.run({
      ...schedule,
      observe: penalty > 0 ? ['moments', 'meanFieldPairs'] : ['moments'],
    });
    const p = moments(pos);
    const q = moments(negRun);

    const edges = model.numTorusEdges;
    const torusNodes = layout.size ** 2;
    const beta = model.step(this.step).beta;
    const meanField = negRun.pairMeanField;
    for (let e = 0; e < edges; e++) {
      out.couplings[e] =
        -beta * (p.pairMean[e] - q.pairMean[e]) - (meanField ? penalty * (meanField[e] - q.pairMean[e]) : 0);
    }
    for (let i = 0; i < torusNodes; i++) out.biases[i] = -beta * (p.mean[i] - q.mean[i]);

    const final = negative.spins(this.finalSpins);
    const n = layout.numNodes;
    const outputs = layout.outputs;
    let wrong = 0;
    for (let r = 0; r < rows; r++)
      for (let o = 0; o < width; o++) if (final[r * n + outputs[o]] !== batch.before[r * width + o]) wrong++;

    return {
      couplings: out.couplings,
      biases: out.biases,
      denoiseError: wrong / (rows * width),
      flips: pos.sweeps * rows * (torusNodes - width + torusNodes),
      seconds: pos.seconds + negRun.seconds,
    };
  }
}
