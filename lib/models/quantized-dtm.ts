/**
 * A denoising thermodynamic model as a p-bit chip holds it: each reverse step's couplings (the learned
 * torus edges and the fixed input edges alike) and biases rounded to integers times that step's own
 * scale, sampled by b-bit draws against a sigmoid table on the integer engine (docs/quantized.md).
 * `QuantizedDtmStep` is one step kept in step with the float parameters (re-quantized on demand), which
 * is how training in the loop uses the chip's arithmetic while the optimizer updates the floats.
 */
import type { ChainOptions } from '../engines/gibbs';
import { QuantizedChains, QuantizedTarget } from '../engines/quantized-chains';
import type { DenoisingModel, DtmGenerateOptions, DtmSamples } from './dtm';
import type { Graph } from '../graphs/graph';
import { QuantizationReport, QuantizedIsingModel, QuantizeOptions, roundToSteps } from './quantized-ising';

/** One reverse step on the chip, re-quantized from the float model whenever `requantize` is called. */
export class QuantizedDtmStep implements QuantizedTarget {
  readonly graph: Graph;
  readonly beta: number;
  integerCouplings: Int32Array = new Int32Array(0);
  integerBiases: Int32Array = new Int32Array(0);
  scale = 1;
  randomBits = 1;
  report!: QuantizationReport;
  private values?: { couplings: Float32Array; biases: Float32Array };

  constructor(
    readonly model: DenoisingModel,
    readonly step: number,
    readonly precision: QuantizeOptions,
  ) {
    const target = model.step(step);
    this.graph = target.graph;
    this.beta = target.beta;
    this.requantize();
  }

  /** Rounds the step's current float couplings and biases again (after an optimizer step). */
  requantize(): this {
    const { couplings, biases } = this.model.step(this.step);
    const { src, dst } = this.graph;
    const q = roundToSteps(couplings, biases, this.precision, {
      coupling: (e) => `step ${this.step}'s coupling of edge ${e} (nodes ${src[e]}–${dst[e]})`,
      bias: (i) => `step ${this.step}'s bias of node ${i}`,
    });
    this.integerCouplings = q.couplings;
    this.integerBiases = q.biases;
    this.scale = q.report.scale;
    this.randomBits = q.randomBits;
    this.report = q.report;
    this.values = undefined;
    return this;
  }

  /** The values the chip holds, integer × scale (made on first use after each requantize). */
  get couplings(): Float32Array {
    return (this.values ??= this.valuesNow()).couplings;
  }
  get biases(): Float32Array {
    return (this.values ??= this.valuesNow()).biases;
  }

  /**
   * Chains on the integer kernel: training observes chain means and mean-field pairs (the correlation
   * penalty), which the multispin kernel does not offer, and a step samples the same whatever its weights.
   */
  chains(options: ChainOptions = {}): QuantizedChains {
    return new QuantizedChains(this, { ...options, kernel: 'integer' });
  }

  private valuesNow(): { couplings: Float32Array; biases: Float32Array } {
    return {
      couplings: Float32Array.from(this.integerCouplings, (q) => q * this.scale),
      biases: Float32Array.from(this.integerBiases, (q) => q * this.scale),
    };
  }
}

/** What quantizing all steps did: the per-step reports and their totals (errors: the largest). */
export interface DtmQuantizationReport {
  steps: QuantizationReport[];
  clippedCouplings: number;
  clippedBiases: number;
  maxCouplingError: number;
  maxBiasError: number;
}

export class QuantizedDtm {
  readonly model: DenoisingModel;
  readonly precision: QuantizeOptions;
  /** Step k's chip (index k − 1). */
  readonly stepModels: QuantizedIsingModel[];
  readonly report: DtmQuantizationReport;

  private constructor(model: DenoisingModel, precision: QuantizeOptions) {
    this.model = model;
    this.precision = precision;
    this.stepModels = Array.from({ length: model.steps }, (_, k) =>
      QuantizedIsingModel.quantize(model.step(k + 1), precision),
    );
    const steps = this.stepModels.map((m) => m.report);
    this.report = {
      steps,
      clippedCouplings: steps.reduce((n, r) => n + r.clippedCouplings, 0),
      clippedBiases: steps.reduce((n, r) => n + r.clippedBiases, 0),
      maxCouplingError: Math.max(...steps.map((r) => r.maxCouplingError)),
      maxBiasError: Math.max(...steps.map((r) => r.maxBiasError)),
    };
  }

  /** Every step of `model` rounded as `precision` says (one scale per step: the smallest that clips nothing unless given). */
  static quantize(model: DenoisingModel, precision: QuantizeOptions): QuantizedDtm {
    return new QuantizedDtm(model, precision);
  }

  /** The model's generation (same options and seeds) with every step sampled by its chip. */
  generate(options: DtmGenerateOptions = {}): Promise<DtmSamples> {
    return this.model.generate(options, (k) => this.stepModels[k - 1]);
  }
}
