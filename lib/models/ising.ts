/**
 * Ising model on a sparse graph, spin convention (as THRML's IsingEBM):
 *   E(s) = −( Σ_i h_i s_i + Σ_edges J_ab s_a s_b ),   p(s) ∝ exp(−β E(s)),   s ∈ {−1, +1}.
 * The {0,1} Boltzmann convention E(v) = −(Σ b_i v_i + Σ W_ab v_a v_b) maps onto it exactly with
 * s = 2v − 1 (see `fromBoltzmann`).
 */
import type { Graph } from '../graphs/graph';
import {
  GibbsChains,
  ChainOptions,
  sample,
  SampleOptions,
  RunResult,
  SampleResult,
  sampleSync,
  stream,
  StreamOptions,
} from '../engines/gibbs';
import { QuantizedIsingModel, QuantizeOptions } from './quantized-ising';
import { SeededRandom } from '../util/random';
import { checkBeta, checkFinite, checkInteger, invalid, toFloat32 } from '../util/validate';

export interface IsingParameters {
  /** J per edge in the graph's edge order, or one value for every edge (default 0). */
  couplings?: ArrayLike<number> | number;
  /** h per node, or one value for every node (default 0). */
  biases?: ArrayLike<number> | number;
  /** Inverse temperature (default 1). */
  beta?: number;
}

export class IsingModel {
  readonly graph: Graph;
  readonly couplings: Float32Array;
  readonly biases: Float32Array;
  beta: number;

  constructor(graph: Graph, parameters: IsingParameters = {}) {
    this.graph = graph;
    this.couplings = toFloat32('couplings', parameters.couplings ?? 0, graph.numEdges);
    this.biases = toFloat32('biases', parameters.biases ?? 0, graph.numNodes);
    this.beta = checkBeta('beta', parameters.beta ?? 1);
  }

  /** Couplings J ~ U(−couplingScale, couplingScale), biases h ~ U(−biasScale, biasScale), from a seed. */
  static random(
    graph: Graph,
    options: { beta?: number; seed?: number; couplingScale?: number; biasScale?: number } = {},
  ): IsingModel {
    const rng = new SeededRandom(checkInteger('seed', options.seed ?? 0, 0));
    const cScale = checkFinite('couplingScale', options.couplingScale ?? 1);
    const bScale = checkFinite('biasScale', options.biasScale ?? 0.5);
    const couplings = Float32Array.from({ length: graph.numEdges }, () => cScale * (2 * rng.float() - 1));
    const biases = Float32Array.from({ length: graph.numNodes }, () => bScale * (2 * rng.float() - 1));
    return new IsingModel(graph, { couplings, biases, beta: options.beta });
  }

  /**
   * From the {0,1} convention: weights W per edge and biases b per node. With s = 2v − 1,
   * J_ab = W_ab / 4 and h_i = b_i / 2 + Σ_j W_ij / 4 (the energies differ only by a constant).
   */
  static fromBoltzmann(
    graph: Graph,
    parameters: { weights?: ArrayLike<number> | number; biases?: ArrayLike<number> | number; beta?: number },
  ): IsingModel {
    const w = toFloat32('weights', parameters.weights ?? 0, graph.numEdges);
    const b = toFloat32('biases', parameters.biases ?? 0, graph.numNodes);
    const h = new Float64Array(graph.numNodes);
    for (let i = 0; i < graph.numNodes; i++) h[i] = b[i] / 2;
    for (let e = 0; e < graph.numEdges; e++) {
      h[graph.src[e]] += w[e] / 4;
      h[graph.dst[e]] += w[e] / 4;
    }
    return new IsingModel(graph, { couplings: w.map((x) => x / 4), biases: h, beta: parameters.beta });
  }

  /**
   * The model as a p-bit chip holds it: integer couplings and biases times one scale, b-bit random
   * draws compared with a sigmoid table (docs/quantized.md). `report` tells what was clipped and the
   * largest rounding error.
   */
  quantize(options: QuantizeOptions): QuantizedIsingModel {
    return QuantizedIsingModel.quantize(this, options);
  }

  /** E(s) of one configuration (n spins of ±1), or of each of several concatenated configurations; other values are refused. */
  energy(spins: ArrayLike<number>): number;
  energy(spins: ArrayLike<number>, count: number): Float64Array;
  energy(spins: ArrayLike<number>, count?: number): number | Float64Array {
    const n = this.graph.numNodes;
    const k = count === undefined ? 1 : checkInteger('count', count, 1);
    if (spins == null || spins.length !== n * k) {
      throw invalid(`energy needs ${n * k} spins (${k} configuration(s) of ${n}), got ${spins?.length}`);
    }
    const { src, dst } = this.graph;
    const out = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      const o = c * n;
      let e = 0;
      for (let i = 0; i < n; i++) {
        const s = spins[o + i];
        if (s !== 1 && s !== -1) throw invalid(`energy needs spins of +1 or -1; spin ${o + i} is ${s}`);
        e -= this.biases[i] * s;
      }
      for (let j = 0; j < src.length; j++) e -= this.couplings[j] * spins[o + src[j]] * spins[o + dst[j]];
      out[c] = e;
    }
    return count === undefined ? out[0] : out;
  }

  /** Samples with fresh chains (async; the event loop stays free). */
  sample(options: SampleOptions = {}): Promise<SampleResult> {
    return sample(this, options);
  }

  sampleSync(options: SampleOptions = {}): SampleResult {
    return sampleSync(this, options);
  }

  /** Endless batches of samples as an async iterator. */
  stream(options: StreamOptions = {}): AsyncGenerator<RunResult> {
    return stream(this, options);
  }

  /** Live chains that keep their state between runs. */
  chains(options: ChainOptions = {}): GibbsChains {
    return new GibbsChains(this, options);
  }
}

/** Spins (±1) to {0,1} units. */
export function spinsToBinary(spins: ArrayLike<number>): Uint8Array {
  return Uint8Array.from(spins, (s) => (s > 0 ? 1 : 0));
}
