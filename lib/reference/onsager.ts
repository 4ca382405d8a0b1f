/**
 * Exact results for the 2D Ising ferromagnet on the infinite square lattice (J = 1, no field):
 * Onsager's internal energy and Yang's spontaneous magnetization. Reference values for tests and the demo.
 */

/** Critical inverse temperature β_c = ln(1 + √2) / 2 ≈ 0.440687. */
export const BETA_C = Math.log(1 + Math.SQRT2) / 2;

/** Complete elliptic integral of the first kind K(k) = π / (2 AGM(1, √(1 − k²))). */
export function ellipticK(k: number): number {
  let a = 1;
  let b = Math.sqrt(1 - k * k);
  for (let i = 0; i < 60 && Math.abs(a - b) > 1e-16 * a; i++) [a, b] = [(a + b) / 2, Math.sqrt(a * b)];
  return Math.PI / (2 * a);
}

/**
 * Internal energy per spin u(β) = −coth(2β) [1 + (2/π)(2 tanh²(2β) − 1) K(κ)], κ = 2 sinh(2β)/cosh²(2β).
 * At β_c, κ = 1 and K diverges while its prefactor vanishes: the limit is −√2.
 */
export function onsagerEnergyPerSpin(beta: number): number {
  const t = 2 * beta;
  const kappa = (2 * Math.sinh(t)) / Math.cosh(t) ** 2;
  if (Math.abs(kappa - 1) < 1e-12) return -Math.SQRT2;
  const prefactor = 2 * Math.tanh(t) ** 2 - 1;
  return -(1 / Math.tanh(t)) * (1 + (2 / Math.PI) * prefactor * ellipticK(Math.min(kappa, 1 - 1e-16)));
}

/** Spontaneous magnetization |m|(β) = (1 − sinh(2β)^−4)^{1/8} above β_c, 0 below. */
export function onsagerMagnetization(beta: number): number {
  if (beta <= BETA_C) return 0;
  return (1 - Math.sinh(2 * beta) ** -4) ** 0.125;
}
