/**
 * A fixed-point Ising model, as a p-bit chip holds one: couplings and biases are integers times one
 * scale, and each spin update compares a b-bit random number with a table of the sigmoid
 * (docs/quantized.md gives the exact transition rule). Sampled by the native integer or multispin kernel.
 */
import type { Graph } from '../graphs/graph';
import { RunResult, sample, SampleOptions, SampleResult, sampleSync, stream, StreamOptions } from '../engines/gibbs';
import { QuantizedChainOptions, QuantizedChains, QuantizedTarget } from '../engines/quantized-chains';
import { HeatbathError } from '../errors';
import { checkBeta, checkFinite, checkInteger, invalid } from '../util/validate';

/** The bit widths a chip may have (inclusive ranges): what QuantizeOptions and `--precision` accept. */
export const PRECISION_LIMITS = { couplingBits: [2, 16], fieldBits: [2, 16], randomBits: [1, 32] } as const;

export interface QuantizeOptions {
  /** Bits of each coupling, sign included: integers in [−(2^(c−1) − 1), 2^(c−1) − 1]; 2..16. */
  couplingBits: number;
  /** Bits of each bias (the node's own field), sign included; 2..16. */
  fieldBits: number;
  /** Bits of each random draw, 1..32. */
  randomBits: number;
  /** The value of one integer step (default: the smallest scale at which nothing clips). */
  scale?: number;
  /** A value beyond its integer range is clipped to the nearest end ('clip', default) or refused with an error ('refuse'). */
  onOverflow?: 'clip' | 'refuse';
}

/** How the float parameters fared. Errors are |integer × scale − float value|, clipped values included. */
export interface QuantizationReport {
  scale: number;
  clippedCouplings: number;
  clippedBiases: number;
  maxCouplingError: number;
  maxBiasError: number;
}

/** The float face of a model that can be quantized. */
export interface FloatIsingParameters {
  readonly graph: Graph;
  readonly couplings: ArrayLike<number>;
  readonly biases: ArrayLike<number>;
  readonly beta: number;
}

/** Round half away from zero: symmetric in sign, as a chip's quantizer. */
function roundSymmetric(x: number): number {
  return Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < values.length; k++) m = Math.max(m, Math.abs(values[k]));
  return m;
}

/**
 * Couplings and biases as integers × one scale, by the rules of `QuantizeOptions`: the one quantizer of
 * every model a chip holds (Ising, RBM, DTM steps). `names` says which value a refusal is about.
 */
export function roundToSteps(
  couplings: ArrayLike<number>,
  biases: ArrayLike<number>,
  options: QuantizeOptions,
  names: { coupling: (k: number) => string; bias: (k: number) => string },
): { couplings: Int32Array; biases: Int32Array; randomBits: number; report: QuantizationReport } {
  if (options == null || typeof options !== 'object')
    throw invalid('quantize needs { couplingBits, fieldBits, randomBits }');
  const couplingBits = checkInteger('couplingBits', options.couplingBits, ...PRECISION_LIMITS.couplingBits);
  const fieldBits = checkInteger('fieldBits', options.fieldBits, ...PRECISION_LIMITS.fieldBits);
  const randomBits = checkInteger('randomBits', options.randomBits, ...PRECISION_LIMITS.randomBits);
  const onOverflow = options.onOverflow ?? 'clip';
  if (onOverflow !== 'clip' && onOverflow !== 'refuse')
    throw invalid(`onOverflow must be 'clip' or 'refuse', got ${String(onOverflow)}`);
  const couplingMax = 2 ** (couplingBits - 1) - 1;
  const biasMax = 2 ** (fieldBits - 1) - 1;
  let scale: number;
  if (options.scale === undefined) {
    scale = Math.max(maxAbs(couplings) / couplingMax, maxAbs(biases) / biasMax);
    if (scale === 0) scale = 1;
  } else {
    scale = checkFinite('scale', options.scale);
    if (scale <= 0) throw invalid(`scale must be > 0, got ${scale}`);
  }
  const round = (values: ArrayLike<number>, max: number, bits: number, what: (k: number) => string) => {
    let clipped = 0;
    let maxError = 0;
    const out = new Int32Array(values.length);
    for (let k = 0; k < values.length; k++) {
      let q = roundSymmetric(values[k] / scale);
      if (Math.abs(q) > max) {
        if (onOverflow === 'refuse') {
          throw new HeatbathError(
            'ERR_INVALID_ARGUMENT',
            `${what(k)} = ${values[k]} is ${q} steps of ${scale}, beyond the ${bits}-bit range ±${max}`,
          );
        }
        q = Math.sign(q) * max;
        clipped++;
      }
      out[k] = q;
      maxError = Math.max(maxError, Math.abs(q * scale - values[k]));
    }
    return { out, clipped, maxError };
  };
  const j = round(couplings, couplingMax, couplingBits, names.coupling);
  const h = round(biases, biasMax, fieldBits, names.bias);
  return {
    couplings: j.out,
    biases: h.out,
    randomBits,
    report: {
      scale,
      clippedCouplings: j.clipped,
      clippedBiases: h.clipped,
      maxCouplingError: j.maxError,
      maxBiasError: h.maxError,
    },
  };
}

export class QuantizedIsingModel implements QuantizedTarget {
  readonly graph: Graph;
  readonly integerCouplings: Int32Array;
  readonly integerBiases: Int32Array;
  readonly scale: number;
  readonly randomBits: number;
  /** The parameters as values: integers × scale (float32), e.g. for energies or exact enumeration. */
  readonly couplings: Float32Array;
  readonly biases: Float32Array;
  /** How quantizing a float model went (all zero for a model built from integers). */
  readonly report: QuantizationReport;
  beta: number;

  constructor(
    graph: Graph,
    parameters: {
      couplings: ArrayLike<number>;
      biases: ArrayLike<number>;
      scale: number;
      randomBits: number;
      beta?: number;
    },
    report?: QuantizationReport,
  ) {
    this.graph = graph;
    this.scale = checkFinite('scale', parameters.scale);
    if (this.scale <= 0) throw invalid(`scale must be > 0, got ${this.scale}`);
    this.randomBits = checkInteger('randomBits', parameters.randomBits, ...PRECISION_LIMITS.randomBits);
    this.integerCouplings = QuantizedIsingModel.integers('couplings', parameters.couplings, graph.numEdges);
    this.integerBiases = QuantizedIsingModel.integers('biases', parameters.biases, graph.numNodes);
    this.couplings = Float32Array.from(this.integerCouplings, (q) => q * this.scale);
    this.biases = Float32Array.from(this.integerBiases, (q) => q * this.scale);
    this.beta = checkBeta('beta', parameters.beta ?? 1);
    this.report = report ?? {
      scale: this.scale,
      clippedCouplings: 0,
      clippedBiases: 0,
      maxCouplingError: 0,
      maxBiasError: 0,
    };
  }

  private static integers(name: string, values: ArrayLike<number>, length: number): Int32Array {
    if (values == null || values.length !== length)
      throw invalid(`${name} must have ${length} integer entries, got ${values?.length}`);
    const out = new Int32Array(length);
    for (let k = 0; k < length; k++) out[k] = checkInteger(`${name}[${k}]`, values[k], -32767, 32767);
    return out;
  }

  /** Rounds a float model's couplings and biases to integers × one scale (IsingModel.quantize). */
  static quantize(model: FloatIsingParameters, options: QuantizeOptions): QuantizedIsingModel {
    const { src, dst } = model.graph;
    const q = roundToSteps(model.couplings, model.biases, options, {
      coupling: (e) => `the coupling of edge ${e} (nodes ${src[e]}–${dst[e]})`,
      bias: (i) => `the bias of node ${i}`,
    });
    return new QuantizedIsingModel(
      model.graph,
      { couplings: q.couplings, biases: q.biases, scale: q.report.scale, randomBits: q.randomBits, beta: model.beta },
      q.report,
    );
  }

  /** Samples with fresh chains (async; the event loop stays free). */
  sample(options: SampleOptions & QuantizedChainOptions = {}): Promise<SampleResult> {
    return sample(this, options);
  }

  sampleSync(options: SampleOptions & QuantizedChainOptions = {}): SampleResult {
    return sampleSync(this, options);
  }

  /** Endless batches of samples as an async iterator. */
  stream(options: StreamOptions & QuantizedChainOptions = {}): AsyncGenerator<RunResult> {
    return stream(this, options);
  }

  /** Live chains on the multispin kernel when the model fits it, else the integer kernel (options.kernel chooses). */
  chains(options: QuantizedChainOptions = {}): QuantizedChains {
    return new QuantizedChains(this, options);
  }
}
