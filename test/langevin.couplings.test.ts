/** Dense, block and sparse couplings describe the same model; SIMD levels and thread counts agree. */
import { LangevinChains, LangevinCouplings, LangevinNetwork } from '../lib/engines/langevin';
import { native } from '../lib/native';
import { SeededRandom } from '../lib/util/random';

const V = 25;
const H = 15;
const N = V + H;
const CHAINS = 20;

/** Visible–hidden W and hidden–hidden K (symmetric, zero diagonal), as a dense J. */
function model() {
  const rng = new SeededRandom(8);
  const w = (s: number) => Math.fround(s * (rng.float() - 0.5));
  const W = Float32Array.from({ length: V * H }, () => w(0.4));
  const K = new Float32Array(H * H);
  for (let i = 0; i < H; i++) for (let j = i + 1; j < H; j++) K[i * H + j] = K[j * H + i] = w(0.4);
  const J = new Float32Array(N * N);
  for (let v = 0; v < V; v++) for (let h = 0; h < H; h++) J[v * N + V + h] = J[(V + h) * N + v] = W[v * H + h];
  for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) J[(V + i) * N + V + j] = K[i * H + j];
  return { W, K, J };
}

function csr(J: Float32Array): LangevinCouplings {
  const rowPtr = [0];
  const cols: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      if (J[i * N + j] !== 0) {
        cols.push(j);
        values.push(J[i * N + j]);
      }
    }
    rowPtr.push(cols.length);
  }
  return { kind: 'sparse', rowPtr, cols, values };
}

const start = Array.from({ length: CHAINS * N }, (_, k) => Math.sin(k));
const onsite = { units: N, quadratic: 2, quartic: 1, bias: 0.1 };

function finalState(
  couplings: LangevinCouplings | LangevinCouplings[],
  threads = 2,
  integrator: 'euler-maruyama' | 'baoab' = 'euler-maruyama',
) {
  const chains = new LangevinChains(new LangevinNetwork({ ...onsite, couplings }), {
    chains: CHAINS,
    seed: 4,
    state: start,
  });
  const r = chains.runSync({
    steps: 200,
    dt: 0.01,
    kT: 0.2,
    integrator,
    threads,
    observe: ['energy', 'heat'],
    every: 50,
  });
  return { x: chains.readState(), energy: r.energy!, heat: r.heat!, chains };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let k = 0; k < a.length; k++) d = Math.max(d, Math.abs(a[k] - b[k]));
  return d;
}

/** U(x) of one chain in float64, straight from the definition. */
function energyOf(x: ArrayLike<number>, J: Float32Array): number {
  let u = 0;
  for (let i = 0; i < N; i++) {
    u += x[i] ** 2 + 0.25 * x[i] ** 4 - 0.1 * x[i];
    for (let j = 0; j < N; j++) u -= 0.5 * J[i * N + j] * x[i] * x[j];
  }
  return u;
}

describe('couplings', () => {
  const { W, K, J } = model();
  const dense = finalState({ kind: 'dense', matrix: J });

  test('dense, visible–hidden blocks and sparse CSR give the same trajectories', () => {
    const blocks = finalState({
      kind: 'blocks',
      blocks: [
        { rows: [0, V], cols: [V, H], weights: W },
        { rows: [V, H], cols: [V, H], weights: K },
      ],
    });
    const sparse = finalState(csr(J));
    // Only the summation order differs (float32): the contracting dynamics keep the gap at rounding level.
    expect(maxDiff(dense.x, blocks.x)).toBeLessThan(1e-4);
    expect(maxDiff(dense.x, sparse.x)).toBeLessThan(1e-4);
    expect(maxDiff(dense.energy, sparse.energy)).toBeLessThan(1e-3);
    expect(maxDiff(dense.heat, blocks.heat)).toBeLessThan(1e-3);
    // The states moved: the comparison is not between untouched starts.
    expect(maxDiff(dense.x, start)).toBeGreaterThan(0.1);
  });

  test('energies follow U(x) = Σ(a/2 x² + c/4 x⁴ − h x) − ½ xᵀJx', () => {
    const u = dense.chains.energies();
    for (let c = 0; c < CHAINS; c++) expect(u[c]).toBeCloseTo(energyOf(dense.x.subarray(c * N, (c + 1) * N), J), 4);
    // An odd number of steps ends with the products in the other of the two buffers they alternate between.
    const sparse = new LangevinChains(new LangevinNetwork({ ...onsite, couplings: csr(J) }), {
      chains: CHAINS,
      seed: 4,
      state: start,
    });
    sparse.runSync({ steps: 7, dt: 0.01, kT: 0.2 });
    const x = sparse.readState();
    const us = sparse.energies();
    for (let c = 0; c < CHAINS; c++) expect(us[c]).toBeCloseTo(energyOf(x.subarray(c * N, (c + 1) * N), J), 4);
  });

  test('results are bit-identical for 1 and 2 threads (overdamped and BAOAB)', () => {
    expect(finalState({ kind: 'dense', matrix: J }, 1).x).toEqual(dense.x);
    expect(finalState(csr(J), 1, 'baoab').x).toEqual(finalState(csr(J), 2, 'baoab').x);
  });

  test('the scalar kernels agree with the SIMD ones (dense and sparse products)', () => {
    const best = native().info().simd;
    const sparse = finalState(csr(J));
    try {
      native().setSimd('scalar');
      const scalar = finalState({ kind: 'dense', matrix: J });
      expect(maxDiff(scalar.x, dense.x)).toBeLessThan(1e-4);
      const scalarSparse = finalState(csr(J));
      expect(maxDiff(scalarSparse.x, sparse.x)).toBeLessThan(1e-4);
      expect(maxDiff(scalarSparse.heat, sparse.heat)).toBeLessThan(1e-3);
    } finally {
      native().setSimd(best);
    }
  });

  test('clamped units keep their values and still act on the others', () => {
    const chains = new LangevinChains(new LangevinNetwork({ ...onsite, couplings: { kind: 'dense', matrix: J } }), {
      chains: 2,
      clamp: { units: [0, 3], values: [1.5, -2] },
    });
    chains.runSync({ steps: 100, dt: 0.01, kT: 0.2 });
    const x = chains.readState();
    expect([x[0], x[3], x[N], x[N + 3]]).toEqual([1.5, -2, 1.5, -2]);
  });
});
