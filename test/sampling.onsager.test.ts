/**
 * 2D Ising ferromagnet on a 64×64 torus against Onsager's exact infinite-lattice results.
 *
 * Finite size: away from β_c the connected correlations decay as e^{−r/ξ} with ξ ≈ 1.6 at β = 0.3 and
 * ξ ≈ 1.7 at β = 0.6 (ξ⁻¹ = 2|β − β*|, tanh β* = e^{−2β}), so the corrections on a periodic 64×64
 * lattice are of order e^{−64/1.7} ≈ 1e-16: negligible. The tolerance is therefore purely statistical:
 * 5.5 standard errors estimated from the spread between independent chains.
 *
 * Above T_c the infinite-lattice magnetization is 0 but a finite lattice has ⟨m²⟩ = χ/N, with
 * χ = Σ_r ⟨s_0 s_r⟩ ≈ 7.4 at β = 0.3 (high-temperature series), so ⟨|m|⟩ ≈ √(2χ/(πN)) ≈ 0.034;
 * the test brackets it between 0.02 and 0.05 (χ between 2.6 and 16).
 */
import { onsagerEnergyPerSpin, onsagerMagnetization } from '../lib/reference/onsager';
import { measureFerromagnet } from './helpers/ferromagnet';
import { Z_FAMILY } from './helpers/stats';

const measure = (beta: number, ordered: boolean) =>
  measureFerromagnet({ L: 64, beta, chains: 64, warmup: 1000, samples: 50, thin: 10, seed: 12, ordered });

test('β = 0.3 (disordered): energy per spin, and |m| of finite-size order', () => {
  const { energy, absM } = measure(0.3, false);
  const exact = onsagerEnergyPerSpin(0.3); // −0.70450
  expect(Math.abs(energy.mean - exact)).toBeLessThan(Z_FAMILY * energy.stderr);
  expect(energy.stderr).toBeLessThan(1e-3);
  expect(absM.mean).toBeGreaterThan(0.02);
  expect(absM.mean).toBeLessThan(0.05);
});

test('β = 0.6 (ordered): energy per spin and spontaneous magnetization', () => {
  // Started ordered: from random spins a quench can trap chains in stripes that wrap the torus.
  const { energy, absM } = measure(0.6, true);
  expect(Math.abs(energy.mean - onsagerEnergyPerSpin(0.6))).toBeLessThan(Z_FAMILY * energy.stderr); // −1.90909
  expect(Math.abs(absM.mean - onsagerMagnetization(0.6))).toBeLessThan(Z_FAMILY * absM.stderr); // 0.97361
  expect(absM.stderr).toBeLessThan(1e-3);
});

test('the reference values themselves', () => {
  // Independent check: u = −∂(ln Z / N)/∂β from Onsager's free energy integral, by quadrature.
  const lnZ = (b: number) => {
    const M = 300;
    let s = 0;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < M; j++) {
        const t1 = ((i + 0.5) * Math.PI) / M;
        const t2 = ((j + 0.5) * Math.PI) / M;
        s += Math.log(Math.cosh(2 * b) ** 2 - Math.sinh(2 * b) * (Math.cos(t1) + Math.cos(t2)));
      }
    }
    return Math.log(2) + (0.5 * s) / (M * M);
  };
  for (const beta of [0.3, 0.6]) {
    const h = 1e-4;
    expect(onsagerEnergyPerSpin(beta)).toBeCloseTo(-(lnZ(beta + h) - lnZ(beta - h)) / (2 * h), 6);
  }
  expect(onsagerMagnetization(0.3)).toBe(0);
  expect(onsagerMagnetization(0.6)).toBeCloseTo(0.973609, 5);
});
