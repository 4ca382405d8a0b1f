/**
 * A denoising thermodynamic model as a p-bit chip holds it: each reverse step's couplings (the learned
 * torus edges and the fixed input edges alike) and biases rounded to integers times that step's own
 * scale, sampled by b-bit draws against a sigmoid table on the integer engine (docs/quantized.md).
 * `QuantizedDtmStep` is one step kept in step with the float parameters (re-quantized on demand), which
 * is how training in the loop uses the chip's arithmetic while the optimizer updates the floats.
 */
import type { ChainOptions } from '../sampling/gibbs';
import { QuantizedChains, QuantizedTarget } from '../sampling/quantized-chains';
import type { DenoisingModel, DtmGenerateOptions, DtmSamples } from './dtm';
import { QuantizationReport, QuantizedIsingModel, QuantizeOptions } from './quantized-ising';

/** One reverse step on the chip, re-quantized from the float model whenever `requantize` is called. */
export class QuantizedDtmStep implements QuantizedTarget {
  private current: QuantizedIsingModel;

  constructor(
    readonly model: DenoisingModel,
    readonly step: number,
    readonly precision: QuantizeOptions,
  ) {
    this.current = QuantizedIsingModel.quantize(model.step(step), precision);
  }

  /** Rounds the step's current float couplings and biases again (after an optimizer step). */
  requantize(): this {
    this.current = QuantizedIsingModel.quantize(this.model.step(this.step), this.precision);
    return this;
  }

  get graph() {
    return this.current.graph;
  }
  get couplings() {
    return this.current.couplings;
  }
  get biases() {
    return this.current.biases;
  }
  get beta() {
    return this.current.beta;
  }
  get integerCouplings() {
    return this.current.integerCouplings;
  }
  get integerBiases() {
    return this.current.integerBiases;
  }
  get scale() {
    return this.current.scale;
  }
  get randomBits() {
    return this.current.randomBits;
  }
  get report(): QuantizationReport {
    return this.current.report;
  }

  chains(options: ChainOptions = {}): QuantizedChains {
    return new QuantizedChains(this, options);
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
    this.stepModels = Array.from({ length: model.steps }, (_, k) => QuantizedIsingModel.quantize(model.step(k + 1), precision));
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
