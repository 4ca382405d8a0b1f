/**
 * An RBM as a p-bit chip holds it: the weights W and the biases b, c of the file's {0,1} convention
 * rounded to integers times one scale, and every unit updated by a b-bit random draw compared with a
 * sigmoid table (docs/quantized.md). Sampled on the integer sparse engine over the bipartite graph:
 * with s = 2v − 1 the chip is exactly a quantized Ising model whose integers are
 *   J = W,  h_visible = 2b + Σ_j W_ij,  h_hidden = 2c + Σ_i W_ij,  scale_Ising = scale / 4,
 * so no second rounding happens. One sweep updates the hidden units given the visible ones, then the
 * visible units given the hidden ones, as the float RBM's sweep does.
 */
import { Graph } from '../graphs/graph';
import { BetaSchedule } from '../engines/sweeps';
import { SampleResult } from '../engines/gibbs';
import { checkBeta, checkInteger, checkSignal, invalid } from '../util/validate';
import { QuantizationReport, QuantizedIsingModel, QuantizeOptions, roundToSteps } from './quantized-ising';
import type { RBM, RbmSamples } from './rbm';

export interface QuantizedRbmSampleOptions {
  /** Independent chains, one sample each (default 100). */
  chains?: number;
  /** Sweeps (hidden given visible, then visible given hidden) per chain (default 1000). */
  sweeps?: number;
  /** β as a number or a schedule (default 1). */
  beta?: BetaSchedule;
  seed?: number;
  /** Initial visible states: 'random' (default) or chains×V values in {0,1}. */
  init?: 'random' | ArrayLike<number>;
  /** Visible units held fixed: indices and 0/1 values (one per node for every chain, or chains×nodes). */
  clamp?: { nodes: ArrayLike<number>; values: ArrayLike<number> };
  threads?: number;
  signal?: AbortSignal;
}

/** Complete bipartite graph: visible 0…V−1, hidden V…V+H−1; edge i·H + j joins visible i and hidden j. */
function bipartiteGraph(V: number, H: number): Graph {
  const src = new Int32Array(V * H);
  const dst = new Int32Array(V * H);
  for (let i = 0; i < V; i++) {
    for (let j = 0; j < H; j++) {
      src[i * H + j] = i;
      dst[i * H + j] = V + j;
    }
  }
  // The hidden block is colour 0, so each sweep updates it first.
  const colours = Int32Array.from({ length: V + H }, (_, k) => (k < V ? 1 : 0));
  return new Graph({ numNodes: V + H, src, dst, colours, name: `rbm ${V}×${H}` });
}

export class QuantizedRBM {
  readonly numVisible: number;
  readonly numHidden: number;
  /** W (V×H row-major), b and c as integers; each value is integer × scale. */
  readonly integerWeights: Int32Array;
  readonly integerVisibleBias: Int32Array;
  readonly integerHiddenBias: Int32Array;
  readonly scale: number;
  readonly randomBits: number;
  /** Clipped weights (clippedCouplings) and biases (clippedBiases, b and c together), largest errors. */
  readonly report: QuantizationReport;
  /** The same chip in spins on the bipartite graph, for the integer engine. */
  readonly ising: QuantizedIsingModel;

  private constructor(
    rbm: RBM,
    w: Int32Array,
    b: Int32Array,
    c: Int32Array,
    scale: number,
    randomBits: number,
    report: QuantizationReport,
  ) {
    this.numVisible = rbm.numVisible;
    this.numHidden = rbm.numHidden;
    this.integerWeights = w;
    this.integerVisibleBias = b;
    this.integerHiddenBias = c;
    this.scale = scale;
    this.randomBits = randomBits;
    this.report = report;
    const V = this.numVisible;
    const H = this.numHidden;
    const h = new Float64Array(V + H);
    for (let i = 0; i < V; i++) h[i] = 2 * b[i];
    for (let j = 0; j < H; j++) h[V + j] = 2 * c[j];
    for (let i = 0; i < V; i++) {
      for (let j = 0; j < H; j++) {
        h[i] += w[i * H + j];
        h[V + j] += w[i * H + j];
      }
    }
    const reach = h.findIndex((x) => Math.abs(x) > 32767);
    if (reach >= 0) {
      throw invalid(
        `${reach < V ? `visible unit ${reach}` : `hidden unit ${reach - V}`}'s bias in spin form is ${h[reach]} steps, beyond the engine's ±32767: use fewer coupling bits`,
      );
    }
    this.ising = new QuantizedIsingModel(bipartiteGraph(V, H), {
      couplings: w,
      biases: h,
      scale: scale / 4,
      randomBits,
    });
  }

  /** Rounds an RBM's W, b and c to integers × one scale (couplingBits for W, fieldBits for the biases). */
  static quantize(rbm: RBM, options: QuantizeOptions): QuantizedRBM {
    const biases = new Float32Array(rbm.numVisible + rbm.numHidden);
    biases.set(rbm.visibleBias);
    biases.set(rbm.hiddenBias, rbm.numVisible);
    const q = roundToSteps(rbm.weights, biases, options, {
      coupling: (k) => `weight W[${Math.floor(k / rbm.numHidden)}][${k % rbm.numHidden}]`,
      bias: (k) => (k < rbm.numVisible ? `visible bias ${k}` : `hidden bias ${k - rbm.numVisible}`),
    });
    return new QuantizedRBM(
      rbm,
      q.couplings,
      q.biases.slice(0, rbm.numVisible),
      q.biases.slice(rbm.numVisible),
      q.report.scale,
      q.randomBits,
      q.report,
    );
  }

  /** Runs chains on the integer engine from noise (or given states) and returns the final visible units. */
  async sample(options: QuantizedRbmSampleOptions = {}): Promise<RbmSamples> {
    checkSignal(options.signal);
    const V = this.numVisible;
    const H = this.numHidden;
    const count = checkInteger('chains', options.chains ?? 100, 1);
    const sweeps = checkInteger('sweeps', options.sweeps ?? 1000, 1);
    const beta = options.beta ?? 1;
    const started = process.hrtime.bigint();
    const run: SampleResult = await this.ising.sample({
      chains: count,
      seed: checkInteger('seed', options.seed ?? 0, 0),
      init: options.init === undefined || options.init === 'random' ? 'random' : this.initialSpins(options.init, count),
      clamp: options.clamp && this.clampSpins(options.clamp),
      warmup: sweeps,
      samples: 0,
      observe: [],
      beta,
      threads: options.threads,
      signal: options.signal,
    });
    const spins = run.finalState;
    const visible = new Float32Array(count * V);
    for (let c = 0; c < count; c++) for (let i = 0; i < V; i++) visible[c * V + i] = spins[c * (V + H) + i] > 0 ? 1 : 0;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const lastBeta = typeof beta === 'number' ? checkBeta('beta', beta) : undefined;
    let probabilities: Float32Array | undefined;
    const visibleProbabilities = () =>
      lastBeta === undefined ? visible : this.visibleProbabilities(spins, count, lastBeta);
    return {
      chains: count,
      visible,
      /** Made on first use (V × H work per chain); under a β schedule, the visible states themselves. */
      get probabilities(): Float32Array {
        return (probabilities ??= visibleProbabilities());
      },
      sweeps,
      seconds,
    };
  }

  /**
   * P(v_i = 1 | h) of the circuit given the final hidden units: T[I] / 2^b with I the unit's field in
   * integer steps (docs/quantized.md), for chains × (V + H) spins.
   */
  private visibleProbabilities(spins: Int8Array, count: number, beta: number): Float32Array {
    const V = this.numVisible;
    const H = this.numHidden;
    const { integerCouplings: J, integerBiases: h } = this.ising;
    const out = new Float32Array(count * V);
    const levels = 2 ** this.randomBits;
    const betaScale = 2 * Math.fround(beta) * this.ising.scale;
    for (let c = 0; c < count; c++) {
      const row = c * (V + H);
      for (let i = 0; i < V; i++) {
        let field = h[i];
        for (let j = 0; j < H; j++) field += J[i * H + j] * spins[row + V + j];
        out[c * V + i] = Math.floor(levels / (1 + Math.exp(-betaScale * field))) / levels;
      }
    }
    return out;
  }

  private initialSpins(init: ArrayLike<number>, count: number): Int8Array {
    const V = this.numVisible;
    const H = this.numHidden;
    if (init == null || init.length !== count * V)
      throw invalid(`init has ${init?.length} values; expected ${count * V}`);
    const spins = new Int8Array(count * (V + H)).fill(-1);
    for (let c = 0; c < count; c++) {
      for (let i = 0; i < V; i++) {
        const v = init[c * V + i];
        if (v !== 0 && v !== 1) throw invalid(`init[${c * V + i}] is ${v}; states must be 0 or 1`);
        spins[c * (V + H) + i] = v === 1 ? 1 : -1;
      }
    }
    return spins;
  }

  private clampSpins(clamp: { nodes: ArrayLike<number>; values: ArrayLike<number> }): {
    nodes: Int32Array;
    values: Int8Array;
  } {
    if (clamp.nodes == null || clamp.values == null) throw invalid('clamp needs { nodes, values }');
    const nodes = Int32Array.from(clamp.nodes, (n) => checkInteger('clamp.nodes[]', n, 0, this.numVisible - 1));
    const values = Int8Array.from(clamp.values, (v, k) => {
      if (v !== 0 && v !== 1) throw invalid(`clamp.values[${k}] is ${v}; states must be 0 or 1`);
      return v === 1 ? 1 : -1;
    });
    return { nodes, values };
  }
}
