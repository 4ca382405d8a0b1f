/**
 * The exact chain of a quantized p-bit network (docs/quantized.md), for small models: the 2^N × 2^N
 * matrix of one sweep (blocks in colour order, each node set up with probability T[I] / 2^b) and its
 * stationary distribution. State bit k = 1 means s_k = +1.
 */
import type { QuantizedIsingModel } from '../../lib';
import type { Clamp } from './exact';

/** T[I] = floor(2^b σ(2 β scale I)): the p-bit's comparison threshold, written independently of the engine. */
export function threshold(bits: number, beta: number, scale: number, field: number): number {
  return Math.floor(2 ** bits / (1 + Math.exp(-2 * beta * scale * field)));
}

/** P(s_i = +1 | neighbours) of the circuit. */
function upProbability(model: QuantizedIsingModel, beta: number, state: number, node: number): number {
  const { src, dst } = model.graph;
  let field = model.integerBiases[node];
  for (let e = 0; e < src.length; e++) {
    const other = src[e] === node ? dst[e] : dst[e] === node ? src[e] : -1;
    if (other >= 0) field += model.integerCouplings[e] * ((state >> other) & 1 ? 1 : -1);
  }
  return threshold(model.randomBits, beta, model.scale, field) / 2 ** model.randomBits;
}

/** The sweep's transition matrix over all 2^N states (row = from), clamped nodes never updated. */
export function sweepMatrix(model: QuantizedIsingModel, clamp?: Clamp): Float64Array[] {
  const n = model.graph.numNodes;
  const count = 2 ** n;
  const beta = Math.fround(model.beta); // the engine takes β as float32
  const blocks = model.graph.blocks();
  const clamped = new Set(clamp?.nodes ?? []);
  let matrix = Array.from({ length: count }, (_, s) => {
    const row = new Float64Array(count);
    row[s] = 1;
    return row;
  });
  const colours = Math.max(...blocks) + 1;
  for (let colour = 0; colour < colours; colour++) {
    for (let node = 0; node < n; node++) {
      if (blocks[node] !== colour || clamped.has(node)) continue;
      // Right-multiply by the single-site update of `node`.
      matrix = matrix.map((row) => {
        const next = new Float64Array(count);
        row.forEach((p, s) => {
          if (p === 0) return;
          const up = upProbability(model, beta, s, node);
          next[s | (1 << node)] += p * up;
          next[s & ~(1 << node)] += p * (1 - up);
        });
        return next;
      });
    }
  }
  return matrix;
}

/** π with π P = π over the states that match the clamp (Gaussian elimination), zero elsewhere. */
export function stationary(model: QuantizedIsingModel, clamp?: Clamp): Float64Array {
  const n = model.graph.numNodes;
  const matrix = sweepMatrix(model, clamp);
  const states = Array.from({ length: 2 ** n }, (_, s) => s).filter(
    (s) => !clamp || clamp.nodes.every((node, k) => ((s >> node) & 1 ? 1 : -1) === clamp.values[k]),
  );
  const m = states.length;
  // Equations: Σ_s π_s (P_st − δ_st) = 0 for each t but the last, which becomes Σ π = 1.
  const a = Array.from({ length: m }, (_, t) =>
    Float64Array.from({ length: m + 1 }, (_, k) => (k === m ? 0 : matrix[states[k]][states[t]] - (k === t ? 1 : 0))),
  );
  a[m - 1] = Float64Array.from({ length: m + 1 }, () => 1);
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = 0; r < m; r++) {
      if (r === col || a[r][col] === 0) continue;
      const f = a[r][col] / a[col][col];
      for (let k = col; k <= m; k++) a[r][k] -= f * a[col][k];
    }
  }
  const pi = new Float64Array(2 ** n);
  states.forEach((s, k) => (pi[s] = a[k][m] / a[k][k]));
  return pi;
}

/** ⟨s_i⟩ and ⟨s_a s_b⟩ under a distribution over states. */
export function momentsOf(probabilities: Float64Array, n: number, pairs: Array<[number, number]>) {
  const spin = (s: number, k: number) => ((s >> k) & 1 ? 1 : -1);
  const expect = (f: (s: number) => number) => probabilities.reduce((acc, p, s) => acc + p * f(s), 0);
  return {
    mean: Float64Array.from({ length: n }, (_, i) => expect((s) => spin(s, i))),
    pairMean: pairs.map(([a, b]) => expect((s) => spin(s, a) * spin(s, b))),
  };
}
