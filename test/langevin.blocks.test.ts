/**
 * The block couplings of the generative computer's shape (visible–hidden W both ways, symmetric
 * hidden–hidden K), scaled down to 20 + 12 units, against float64 references: the force of one step,
 * the heat of a driven run (couplings switched on part-way, field ramped), and the products skipped
 * while the couplings are off. Chain counts and thread counts never change a chain's bits.
 */
import { LangevinChains, LangevinNetwork } from '../lib/engines/langevin';
import { native } from '../lib/native';
import { SeededRandom } from '../lib/util/random';

const V = 20;
const H = 12;
const N = V + H;

/** W (V × H), K (H × H, symmetric, zero diagonal) and the same couplings as a dense float64 J. */
function couplings(seed: number) {
  const rng = new SeededRandom(seed);
  const w = () => Math.fround(0.6 * (rng.float() - 0.5));
  const W = Float32Array.from({ length: V * H }, w);
  const K = new Float32Array(H * H);
  for (let i = 0; i < H; i++) for (let j = i + 1; j < H; j++) K[i * H + j] = K[j * H + i] = w();
  const J = new Float64Array(N * N);
  for (let v = 0; v < V; v++) for (let h = 0; h < H; h++) J[v * N + V + h] = J[(V + h) * N + v] = W[v * H + h];
  for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) J[(V + i) * N + V + j] = K[i * H + j];
  return { W, K, J };
}

const { W, K, J } = couplings(5);
const onsite = { quadratic: 2, quartic: 4, bias: 0.05 };

function gtcNetwork(withOnsite = true): LangevinNetwork {
  return new LangevinNetwork({
    units: N,
    ...(withOnsite ? onsite : { quadratic: 0, quartic: 0 }),
    couplings: {
      kind: 'blocks',
      blocks: [
        { rows: [0, V], cols: [V, H], weights: W },
        { rows: [V, H], cols: [V, H], weights: K },
      ],
    },
  });
}

function startState(chains: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  return Float32Array.from({ length: chains * N }, () => rng.float() * 2 - 1);
}

function jTimes(x: ArrayLike<number>, at: number, i: number): number {
  let sum = 0;
  for (let j = 0; j < N; j++) sum += J[i * N + j] * x[at + j];
  return sum;
}

describe('block couplings of the generative computer', () => {
  test.each([1, 5, 6, 7, 13, 40])(
    'one noiseless step adds J x exactly as float64 does (%i chains, 1 and 2 threads)',
    (chains) => {
      // No on-site terms, kT = 0, dt = 1: x' = x + J x.
      const x0 = startState(chains, chains);
      for (const threads of [1, 2]) {
        const set = new LangevinChains(gtcNetwork(false), { chains, state: x0 });
        set.runSync({ steps: 1, dt: 1, kT: 0, threads });
        const x1 = set.readState();
        let worst = 0;
        for (let c = 0; c < chains; c++) {
          for (let i = 0; i < N; i++)
            worst = Math.max(worst, Math.abs(x1[c * N + i] - (x0[c * N + i] + jTimes(x0, c * N, i))));
        }
        expect(worst).toBeLessThan(1e-6);
      }
    },
  );

  test('overlapping blocks, units no block reaches and row padding: noiseless steps add the summed J x', () => {
    // 37 units (rows padded to 48); B overlaps A's rows and columns, C sits on one range, D reaches back to
    // 0; units 16-19 are in no block.
    const n = 37;
    const rng = new SeededRandom(17);
    const w = () => Math.fround(rng.float() - 0.5);
    const specs: { rows: [number, number]; cols: [number, number] }[] = [
      { rows: [0, 10], cols: [20, 15] },
      { rows: [5, 10], cols: [22, 8] },
      { rows: [10, 6], cols: [10, 6] },
      { rows: [30, 7], cols: [0, 5] },
    ];
    const blocks = specs.map(({ rows, cols }) => {
      const weights = Float32Array.from({ length: rows[1] * cols[1] }, w);
      if (rows[0] === cols[0])
        for (let i = 0; i < rows[1]; i++)
          for (let j = 0; j < i; j++) weights[i * cols[1] + j] = weights[j * cols[1] + i];
      return { rows, cols, weights };
    });
    const dense = new Float64Array(n * n);
    for (const { rows, cols, weights } of blocks) {
      for (let i = 0; i < rows[1]; i++) {
        for (let j = 0; j < cols[1]; j++) {
          dense[(rows[0] + i) * n + cols[0] + j] += weights[i * cols[1] + j];
          if (rows[0] !== cols[0]) dense[(cols[0] + j) * n + rows[0] + i] += weights[i * cols[1] + j];
        }
      }
    }
    const chains = 9;
    const x0 = Float32Array.from({ length: chains * n }, () => rng.float() * 2 - 1);
    const set = new LangevinChains(
      new LangevinNetwork({ units: n, quadratic: 0, quartic: 0, couplings: { kind: 'blocks', blocks } }),
      { chains, state: x0 },
    );
    // Three steps: the third product lands in the buffer of the first, so stale sums would show.
    set.runSync({ steps: 3, dt: 0.5, kT: 0 });
    const x3 = set.readState();
    let x = Float64Array.from(x0);
    for (let step = 0; step < 3; step++) {
      const next = new Float64Array(x.length);
      for (let c = 0; c < chains; c++) {
        for (let i = 0; i < n; i++) {
          let force = 0;
          for (let j = 0; j < n; j++) force += dense[i * n + j] * x[c * n + j];
          next[c * n + i] = x[c * n + i] + 0.5 * force;
        }
      }
      x = next;
    }
    let worst = 0;
    for (let k = 0; k < x.length; k++) worst = Math.max(worst, Math.abs(x3[k] - x[k]) / Math.max(1, Math.abs(x[k])));
    expect(worst).toBeLessThan(1e-5);
  });

  test("a chain's bits depend neither on the thread count nor on the chains beside it", () => {
    const run = (chains: number, threads: number) => {
      const set = new LangevinChains(gtcNetwork(), {
        chains,
        seed: 3,
        state: startState(chains, 9).subarray(0, chains * N),
      });
      const r = set.runSync({ steps: 60, dt: 0.01, kT: 0.2, threads, observe: ['heat'] });
      return { x: set.readState(), heat: r.heat! };
    };
    // Same start for the shared chains: startState(k, 9) is a prefix of startState(m, 9).
    const big = run(50, 2);
    for (const [chains, threads] of [
      [50, 1],
      [50, 3],
      [13, 2],
      [7, 1],
      [1, 2],
    ]) {
      const small = run(chains, threads);
      expect(small.x).toEqual(big.x.subarray(0, chains * N));
      expect(small.heat).toEqual(big.heat.subarray(0, chains));
    }
  });

  test('the heat of a driven run equals the float64 Stratonovich sum Σ F(x_mid)·Δx along its trajectory', () => {
    const chains = 6;
    const steps = 40;
    const dt = 0.01;
    const rng = new SeededRandom(11);
    const field = Float32Array.from({ length: chains * N }, () => rng.float() - 0.5);
    const x0 = startState(chains, 4);
    const set = new LangevinChains(gtcNetwork(), { chains, seed: 2, state: x0, field });
    // Couplings off for 10 steps, then ramped on; the field ramped down over the run.
    const couplingScale = { times: [0, 10 * dt, 30 * dt], values: [0, 0, 1.5] };
    const fieldScale = { times: [0, steps * dt], values: [1, 0.2] };
    const r = set.runSync({ steps, dt, kT: 0.3, couplingScale, fieldScale, observe: ['trajectory', 'heat'] });
    const s = (k: number) => (k <= 10 ? 0 : k >= 30 ? 1.5 : (1.5 * (k - 10)) / 20);
    const fs = (k: number) => 1 + ((0.2 - 1) * k) / steps;
    const traj = r.trajectory!;
    let scale = 0;
    for (let c = 0; c < chains; c++) {
      let heat = 0;
      for (let k = 0; k < steps; k++) {
        const before =
          k === 0
            ? x0.subarray(c * N, (c + 1) * N)
            : traj.subarray(((k - 1) * chains + c) * N, ((k - 1) * chains + c + 1) * N);
        const after = traj.subarray((k * chains + c) * N, (k * chains + c + 1) * N);
        const mid = Array.from(before, (b, i) => 0.5 * (b + after[i]));
        const sMid = 0.5 * (s(k) + s(k + 1));
        const fsMid = 0.5 * (fs(k) + fs(k + 1));
        for (let i = 0; i < N; i++) {
          const m = mid[i];
          const force = sMid * jTimes(mid, 0, i) - 2 * m - 4 * m ** 3 + 0.05 + fsMid * field[c * N + i];
          heat += force * (after[i] - before[i]);
        }
      }
      scale = Math.max(scale, Math.abs(heat));
      expect(Math.abs(r.heat![c] - heat)).toBeLessThan(1e-4 * Math.max(1, Math.abs(heat)));
    }
    expect(scale).toBeGreaterThan(0.1); // a real exchange
  });

  test('with the couplings off the dynamics are the uncoupled ones, and the products are fresh afterwards', () => {
    const chains = 8;
    const x0 = startState(chains, 6);
    const off = new LangevinChains(gtcNetwork(), { chains, seed: 5, state: x0 });
    off.runSync({ steps: 30, dt: 0.01, kT: 0.2, couplingScale: 0 });
    const free = new LangevinChains(new LangevinNetwork({ units: N, ...onsite }), { chains, seed: 5, state: x0 });
    free.runSync({ steps: 30, dt: 0.01, kT: 0.2 });
    expect(off.readState()).toEqual(free.readState());

    // The energy after an off phase uses J x of the final state.
    const x = off.readState();
    const u = off.energies();
    for (let c = 0; c < chains; c++) {
      let expected = 0;
      for (let i = 0; i < N; i++) {
        const xi = x[c * N + i];
        expected += xi * xi + xi ** 4 - 0.05 * xi - 0.5 * xi * jTimes(x, c * N, i);
      }
      expect(u[c]).toBeCloseTo(expected, 4);
    }

    // Off then on in two runs equals one run switching at the same step.
    off.runSync({ steps: 20, dt: 0.01, kT: 0.2 });
    const once = new LangevinChains(gtcNetwork(), { chains, seed: 5, state: x0 });
    once.runSync({ steps: 50, dt: 0.01, kT: 0.2, couplingScale: (t: number) => (t < 0.295 ? 0 : 1) });
    expect(off.readState()).toEqual(once.readState());
  });

  test('AVX2 and AVX-512 agree bit for bit; the scalar kernels to rounding', () => {
    const best = native().info().simd;
    const run = () => {
      const set = new LangevinChains(gtcNetwork(), { chains: 9, seed: 8, state: startState(9, 2) });
      const r = set.runSync({ steps: 50, dt: 0.01, kT: 0.2, observe: ['heat'] });
      return { x: set.readState(), heat: r.heat! };
    };
    const reference = run();
    try {
      for (const simd of native().info().simdAvailable) {
        native().setSimd(simd);
        const other = run();
        if (simd === 'scalar') {
          for (let k = 0; k < other.x.length; k++) expect(Math.abs(other.x[k] - reference.x[k])).toBeLessThan(1e-4);
          for (let c = 0; c < 9; c++) expect(Math.abs(other.heat[c] - reference.heat[c])).toBeLessThan(1e-3);
        } else {
          expect(other.x).toEqual(reference.x);
          expect(other.heat).toEqual(reference.heat);
        }
      }
    } finally {
      native().setSimd(best);
    }
  });
});
