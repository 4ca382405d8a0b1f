/**
 * Stationary averages of the integrators against exact answers. Units of one network are independent
 * copies (no couplings), so every estimate averages over units within a chain and its standard error
 * comes from the spread across chains.
 */
import { LangevinChains, LangevinNetwork } from '../lib/engines/langevin';
import { boltzmannAverage, unitAveraged } from './helpers/langevin';
import { Z_FAMILY } from './helpers/stats';

const UNITS = 16;
const CHAINS = 64;

function stationarySecondMoment(
  spec: { quadratic: number; quartic: number },
  options: {
    dt: number;
    kT: number;
    integrator: 'euler-maruyama' | 'leimkuhler-matthews';
    steps: number;
    seed: number;
  },
) {
  const chains = new LangevinChains(new LangevinNetwork({ units: UNITS, ...spec }), {
    chains: CHAINS,
    seed: options.seed,
  });
  const r = chains.runSync({ ...options, observe: ['moments'], burnIn: 500 });
  return unitAveraged(r.meanSquare!, CHAINS, UNITS);
}

describe('overdamped integrators', () => {
  test("Euler–Maruyama's stationary variance on a harmonic mode is (kT/λ)·2/(2 − λΔt)", () => {
    for (const [lambda, dt] of [
      [1, 0.5],
      [2, 0.2],
    ]) {
      const kT = 0.5;
      const e = stationarySecondMoment(
        { quadratic: lambda, quartic: 0 },
        { dt, kT, integrator: 'euler-maruyama', steps: 20000, seed: 3 },
      );
      const expected = (kT / lambda) * (2 / (2 - lambda * dt));
      expect(Math.abs(e.mean - expected)).toBeLessThan(Z_FAMILY * e.stderr);
      // ...and the bias is resolved: far outside the error bars of the exact kT/λ.
      expect(Math.abs(e.mean - kT / lambda)).toBeGreaterThan(10 * e.stderr);
    }
  });

  test('on U = x² + x⁴ at kT = 0.1, Δt = 0.1: Leimkuhler–Matthews is within 0.5 % of exact, Euler–Maruyama is +11.7 % off', () => {
    const U = (x: number) => x * x + x ** 4; // quadratic a = 2, quartic c = 4
    const exact = boltzmannAverage(U, 0.1, (x) => x * x, 3);
    const spec = { quadratic: 2, quartic: 4 };
    const lm = stationarySecondMoment(spec, {
      dt: 0.1,
      kT: 0.1,
      integrator: 'leimkuhler-matthews',
      steps: 40000,
      seed: 5,
    });
    const em = stationarySecondMoment(spec, { dt: 0.1, kT: 0.1, integrator: 'euler-maruyama', steps: 40000, seed: 5 });
    // The test's own resolution must be finer than the claim it checks.
    expect(lm.stderr / exact).toBeLessThan(0.001);
    expect(Math.abs(lm.mean / exact - 1)).toBeLessThan(0.005);
    expect(Math.abs(em.mean / exact - 1.117)).toBeLessThan(0.005 + Z_FAMILY * (em.stderr / exact));
  });

  test("Leimkuhler–Matthews's bias shrinks faster than Δt (O(Δt²)); Euler–Maruyama's halves with Δt", () => {
    const U = (x: number) => x * x + x ** 4;
    const exact = boltzmannAverage(U, 0.1, (x) => x * x, 3);
    const spec = { quadratic: 2, quartic: 4 };
    const em = [0.1, 0.05].map(
      (dt) =>
        stationarySecondMoment(spec, { dt, kT: 0.1, integrator: 'euler-maruyama', steps: 40000, seed: 9 }).mean /
          exact -
        1,
    );
    expect(em[1] / em[0]).toBeGreaterThan(0.4);
    expect(em[1] / em[0]).toBeLessThan(0.6);
    const lm =
      stationarySecondMoment(spec, { dt: 0.2, kT: 0.1, integrator: 'leimkuhler-matthews', steps: 40000, seed: 9 })
        .mean /
        exact -
      1;
    // At twice the step, LM is still far closer than EM at half the step.
    expect(Math.abs(lm)).toBeLessThan(Math.abs(em[1]) / 3);
  });
});

describe('BAOAB', () => {
  function sample(quadratic: number, quartic: number, mass: number, kT: number, dt: number, seed: number) {
    const chains = new LangevinChains(new LangevinNetwork({ units: UNITS, quadratic, quartic, mass }), {
      chains: CHAINS,
      seed,
    });
    chains.runSync({ steps: 2000, dt, integrator: 'baoab', friction: 1, kT });
    const every = 10;
    const r = chains.runSync({
      steps: 40000,
      dt,
      integrator: 'baoab',
      friction: 1,
      kT,
      observe: ['moments', 'velocities'],
      every,
    });
    const v2 = new Float64Array(CHAINS * UNITS);
    for (let s = 0; s < r.samples; s++) {
      for (let k = 0; k < CHAINS * UNITS; k++) v2[k] += r.velocities![s * CHAINS * UNITS + k] ** 2 / r.samples;
    }
    return {
      x2: unitAveraged(r.meanSquare!, CHAINS, UNITS),
      v2: unitAveraged(v2, CHAINS, UNITS),
      x: unitAveraged(r.mean!, CHAINS, UNITS),
    };
  }

  test('samples the Boltzmann distribution of a harmonic potential (positions and velocities)', () => {
    const [k, m, kT] = [2, 0.5, 0.7];
    const e = sample(k, 0, m, kT, 0.05, 11);
    expect(Math.abs(e.x2.mean - kT / k)).toBeLessThan(Z_FAMILY * e.x2.stderr);
    // Velocities carry an O(Δt²) bias of (ωΔt/2)² = 0.25 %: allow it beside the statistical error.
    expect(Math.abs(e.v2.mean - kT / m)).toBeLessThan(Z_FAMILY * e.v2.stderr + 0.003 * (kT / m));
    expect(Math.abs(e.x.mean)).toBeLessThan(Z_FAMILY * e.x.stderr);
  });

  test('samples the Boltzmann distribution of a double well U = −x² + x⁴', () => {
    const kT = 0.3;
    const U = (x: number) => -(x * x) + x ** 4; // quadratic −2, quartic 4
    const exact = boltzmannAverage(U, kT, (x) => x * x, 3);
    const e = sample(-2, 4, 1, kT, 0.02, 13);
    expect(Math.abs(e.x2.mean - exact)).toBeLessThan(Z_FAMILY * e.x2.stderr + 0.002 * exact);
    expect(Math.abs(e.v2.mean - kT)).toBeLessThan(Z_FAMILY * e.v2.stderr + 0.002 * kT);
    // Both wells are visited equally: ⟨x⟩ = 0.
    expect(Math.abs(e.x.mean)).toBeLessThan(Z_FAMILY * e.x.stderr);
  });
});
