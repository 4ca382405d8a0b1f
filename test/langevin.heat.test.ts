/** The heat observer: for a fixed potential the heat released equals U(x₀) − U(x_end) up to O(Δt). */
import { LangevinChains, LangevinNetwork } from '../lib/engines/langevin';
import { SeededRandom } from '../lib/util/random';

const N = 12;
const CHAINS = 64;

function network(): LangevinNetwork {
  const rng = new SeededRandom(21);
  const J = new Float32Array(N * N);
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) J[i * N + j] = J[j * N + i] = 0.3 * (rng.float() - 0.5);
  return new LangevinNetwork({
    units: N,
    quadratic: 1,
    quartic: 1,
    bias: 0.2,
    couplings: { kind: 'dense', matrix: J },
  });
}

/** Mean over chains of |Q − (U(x₀) − U(x_end))| for a run of total time 1 at step dt. */
function heatError(dt: number, integrator: 'euler-maruyama' | 'baoab'): { error: number; scale: number } {
  const chains = new LangevinChains(network(), {
    chains: CHAINS,
    seed: 2,
    state: Array.from({ length: N }, (_, i) => Math.sin(i)),
  });
  const u0 = chains.energies();
  const r = chains.runSync({ steps: Math.round(1 / dt), dt, kT: 0.5, integrator, observe: ['heat'] });
  const u1 = chains.energies();
  let error = 0;
  let scale = 0;
  for (let c = 0; c < CHAINS; c++) {
    // BAOAB's bath also exchanges kinetic energy: Q = −ΔU − ΔK.
    const kinetic =
      integrator === 'baoab'
        ? chains
            .readVelocity()
            .slice(c * N, (c + 1) * N)
            .reduce((s, v) => s + 0.5 * v * v, 0)
        : 0;
    error += Math.abs(r.heat![c] - (u0[c] - u1[c] - kinetic)) / CHAINS;
    scale += Math.abs(r.heat![c]) / CHAINS;
  }
  return { error, scale };
}

describe('heat released to the bath', () => {
  test('overdamped (Stratonovich midpoint): Q → U(x₀) − U(x_end), the error shrinking in proportion to Δt', () => {
    // Each quartering of Δt should cut the error about four times; allow two.
    const errors = [0.02, 0.005, 0.00125].map((dt) => heatError(dt, 'euler-maruyama'));
    expect(errors[0].scale).toBeGreaterThan(0.5); // a real exchange, not a vanishing one
    expect(errors[0].error).toBeLessThan(0.05 * errors[0].scale);
    expect(errors[1].error / errors[0].error).toBeLessThan(0.5);
    expect(errors[2].error / errors[1].error).toBeLessThan(0.5);
  });

  test('underdamped (BAOAB, kinetic energy given to the bath): Q → −ΔU − ΔK, shrinking with Δt', () => {
    const errors = [0.02, 0.005].map((dt) => heatError(dt, 'baoab'));
    expect(errors[0].error).toBeLessThan(0.05 * errors[0].scale);
    expect(errors[1].error / errors[0].error).toBeLessThan(0.5);
  });

  test('with a protocol, the heat follows the potential at each step (the work done is the rest)', () => {
    // A field switched on linearly at kT = 0 in a harmonic well: slow driving returns no heat beyond the relaxation.
    const net = new LangevinNetwork({ units: 1, quadratic: 1 });
    const chains = new LangevinChains(net, { chains: 1, field: [1] });
    const r = chains.runSync({
      steps: 2000,
      dt: 0.005,
      kT: 0,
      fieldScale: { times: [0, 10], values: [0, 1] },
      observe: ['heat'],
    });
    // The state lags the moving minimum by ~ rate = 0.1, so heat ≈ ∫ rate² dt = 0.1² · 10 = 0.1 (less while ramping up).
    expect(r.heat![0]).toBeGreaterThan(0.05);
    expect(r.heat![0]).toBeLessThan(0.1);
  });
});
