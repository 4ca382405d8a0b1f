/**
 * Ising model on a sparse graph, spin convention (as THRML's IsingEBM):
 *   E(s) = −( Σ_i h_i s_i + Σ_edges J_ab s_a s_b ),   p(s) ∝ exp(−β E(s)),   s ∈ {−1, +1}.
 * The {0,1} Boltzmann convention E(v) = −(Σ b_i v_i + Σ W_ab v_a v_b) maps onto it exactly with
 * s = 2v − 1 (see `fromBoltzmann`).
 */
import { Graph } from '../graphs/graph';
import { edgeSpec } from '../graphs/builders';
import { badFile } from '../io/bytes';
import { f32Tensor, i32Tensor, ModelFile } from '../io/model-file';
import { checkLoadable } from '../native/load-limit';
import { preview } from '../util/preview';
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

  /**
   * The model as a file: the graph's edges (src < dst, sorted) and blocks, J per edge, h per node; β and the
   * graph's name and lattice shape in the hyper-parameters.
   */
  toModelFile(): ModelFile {
    const { graph } = this;
    const n = graph.numNodes;
    const e = graph.numEdges;
    return {
      kind: 'ising',
      version: 1,
      tensors: {
        src: { dtype: 'I32', shape: [e], data: graph.src },
        dst: { dtype: 'I32', shape: [e], data: graph.dst },
        blocks: { dtype: 'I32', shape: [n], data: graph.blocks() },
        couplings: { dtype: 'F32', shape: [e], data: this.couplings },
        biases: { dtype: 'F32', shape: [n], data: this.biases },
      },
      hyper: {
        nodes: n,
        edges: e,
        beta: this.beta,
        graph: graph.name,
        ...(graph.shape ? { width: graph.shape.width, height: graph.shape.height } : {}),
      },
    };
  }

  /** The inverse of `toModelFile`: the edges and blocks are checked again (range, order, colouring). */
  static fromModelFile(file: ModelFile): IsingModel {
    const { hyper } = file;
    const n = hyper.nodes;
    const e = hyper.edges;
    if (!Number.isSafeInteger(n) || (n as number) < 1)
      throw badFile(`the ising file's hyper-parameter nodes must be a positive integer, got ${preview(n)}`);
    if (!Number.isSafeInteger(e) || (e as number) < 0)
      throw badFile(`the ising file's hyper-parameter edges must be an integer >= 0, got ${preview(e)}`);
    const [numNodes, numEdges] = [n as number, e as number];
    checkLoadable(`an ising model of ${numNodes} nodes and ${numEdges} edges`, 16 * numEdges + 12 * numNodes);
    const src = i32Tensor(file, 'src', [numEdges]);
    const dst = i32Tensor(file, 'dst', [numEdges]);
    const spec = asFileContent(() => edgeSpec(numNodes, { src, dst }));
    // The couplings follow the stored edge order: it must be the canonical one the builders give.
    for (let k = 0; k < numEdges; k++) {
      if (spec.src[k] !== src[k] || spec.dst[k] !== dst[k])
        throw badFile(`edge ${k} (${src[k]}, ${dst[k]}) is out of order: edges must have src < dst, sorted`);
    }
    const { width, height, graph: name } = hyper;
    if (typeof name === 'string') spec.name = name.slice(0, 200);
    if (
      Number.isSafeInteger(width) &&
      Number.isSafeInteger(height) &&
      (width as number) * (height as number) === numNodes
    ) {
      spec.shape = { width: width as number, height: height as number };
    }
    const blocks = i32Tensor(file, 'blocks', [numNodes]);
    const graph = asFileContent(() => new Graph(spec, { blocks }));
    return new IsingModel(graph, {
      couplings: f32Tensor(file, 'couplings', [numEdges]),
      biases: f32Tensor(file, 'biases', [numNodes]),
      beta: hyper.beta as number,
    });
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

/** A graph a file describes that the graph checks refuse (bad edges, a colouring with neighbours in one block) is a bad file. */
function asFileContent<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_INVALID_GRAPH' || code === 'ERR_INVALID_BLOCKS') throw badFile((err as Error).message);
    throw err;
  }
}

/** Spins (±1) to {0,1} units. */
export function spinsToBinary(spins: ArrayLike<number>): Uint8Array {
  return Uint8Array.from(spins, (s) => (s > 0 ? 1 : 0));
}
