/**
 * Exact answers for small Ising models by enumerating all 2^n states (n <= 20), in the spin
 * convention E(s) = −(Σ h_i s_i + Σ_e J_e s_a s_b), p(s) ∝ exp(−βE(s)). State bit k = 1 means s_k = +1.
 */

export interface SmallModel {
  numNodes: number;
  src: ArrayLike<number>;
  dst: ArrayLike<number>;
  couplings: ArrayLike<number>;
  biases: ArrayLike<number>;
  beta: number;
}

export interface Clamp {
  nodes: number[];
  values: number[]; // ±1
}

export interface ExactMoments {
  logZ: number;
  /** ⟨s_i⟩ */
  mean: Float64Array;
  /** ⟨s_a s_b⟩ for each edge */
  edgeMean: Float64Array;
  pairMean(a: number, b: number): number;
  energyMean: number;
  /** Probability of each state (index = bits), zero for states that break the clamp. */
  probabilities: Float64Array;
}

const spin = (state: number, k: number) => ((state >> k) & 1 ? 1 : -1);

export function energyOf(m: SmallModel, state: number): number {
  let e = 0;
  for (let i = 0; i < m.numNodes; i++) e -= m.biases[i] * spin(state, i);
  for (let k = 0; k < m.src.length; k++) e -= m.couplings[k] * spin(state, m.src[k]) * spin(state, m.dst[k]);
  return e;
}

function matchesClamp(state: number, clamp?: Clamp): boolean {
  return !clamp || clamp.nodes.every((node, k) => spin(state, node) === clamp.values[k]);
}

/** Exact distribution and moments, optionally conditioned on clamped nodes. */
export function exactMoments(m: SmallModel, clamp?: Clamp): ExactMoments {
  if (m.numNodes > 20) throw new Error('exact enumeration is limited to 20 nodes');
  const count = 2 ** m.numNodes;
  const logWeights = new Float64Array(count).fill(-Infinity);
  let maxLog = -Infinity;
  for (let s = 0; s < count; s++) {
    if (!matchesClamp(s, clamp)) continue;
    logWeights[s] = -m.beta * energyOf(m, s);
    maxLog = Math.max(maxLog, logWeights[s]);
  }
  let z = 0;
  for (let s = 0; s < count; s++) z += Math.exp(logWeights[s] - maxLog);
  const probabilities = logWeights.map((lw) => Math.exp(lw - maxLog) / z);
  const expect = (f: (s: number) => number) => {
    let acc = 0;
    for (let s = 0; s < count; s++) if (probabilities[s] > 0) acc += probabilities[s] * f(s);
    return acc;
  };
  const pairMean = (a: number, b: number) => expect((s) => spin(s, a) * spin(s, b));
  return {
    logZ: maxLog + Math.log(z),
    mean: Float64Array.from({ length: m.numNodes }, (_, i) => expect((s) => spin(s, i))),
    edgeMean: Float64Array.from({ length: m.src.length }, (_, k) => pairMean(m.src[k], m.dst[k])),
    pairMean,
    energyMean: expect((s) => energyOf(m, s)),
    probabilities,
  };
}

/**
 * Exact gradient of KL(p_data(v) ‖ p_model(v)) for a Boltzmann machine with the given visible nodes
 * (the others latent), data = rows of ±1 visible values with equal weight:
 *   ∂KL/∂J_e = −β(⟨s_a s_b⟩₊ − ⟨s_a s_b⟩₋),  ∂KL/∂h_i = −β(⟨s_i⟩₊ − ⟨s_i⟩₋).
 */
export function exactKlGradient(
  m: SmallModel,
  visible: number[],
  data: number[][],
): { couplings: Float64Array; biases: Float64Array; kl: number } {
  const free = exactMoments(m);
  const positiveEdges = new Float64Array(m.src.length);
  const positiveNodes = new Float64Array(m.numNodes);
  for (const row of data) {
    const conditional = exactMoments(m, { nodes: visible, values: row });
    conditional.edgeMean.forEach((v, k) => (positiveEdges[k] += v / data.length));
    conditional.mean.forEach((v, i) => (positiveNodes[i] += v / data.length));
  }
  return {
    couplings: positiveEdges.map((p, k) => -m.beta * (p - free.edgeMean[k])),
    biases: positiveNodes.map((p, i) => -m.beta * (p - free.mean[i])),
    kl: klDivergence(m, visible, data),
  };
}

/** KL(p_data ‖ p_model) over the visible nodes, by enumeration (for finite-difference checks). */
export function klDivergence(m: SmallModel, visible: number[], data: number[][]): number {
  const free = exactMoments(m);
  const counts = new Map<string, number>();
  for (const row of data) counts.set(row.join(','), (counts.get(row.join(',')) ?? 0) + 1);
  let kl = 0;
  for (const [key, c] of counts) {
    const row = key.split(',').map(Number);
    const pData = c / data.length;
    let pModel = 0;
    free.probabilities.forEach((p, s) => {
      if (matchesClamp(s, { nodes: visible, values: row })) pModel += p;
    });
    kl += pData * Math.log(pData / pModel);
  }
  return kl;
}
