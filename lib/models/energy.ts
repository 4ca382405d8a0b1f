/**
 * What a simulated thermodynamic computer would dissipate, in physical units (SCIENCE.md §8). Heat from
 * the Langevin engines comes in units of k_B·T; a physical device at temperature T releases
 * heat × k_B × T joules.
 */
import { checkFinite, invalid } from '../util/validate';

/**
 * The Boltzmann constant in J/K, exact by definition since the 2019 revision of the SI
 * (BIPM, The International System of Units, 9th edition, 2019, Table 1).
 */
export const BOLTZMANN_CONSTANT = 1.380649e-23;

/** The physical temperature heat is converted at unless one is given: room temperature, 300 K. */
export const ROOM_TEMPERATURE = 300;

/** Heat in units of k_B·T, in joules at `kelvin` (default 300 K). */
export function joules(heatInKT: number, kelvin = ROOM_TEMPERATURE): number {
  checkFinite('heat', heatInKT);
  if (!(checkFinite('temperature', kelvin) > 0)) throw invalid(`temperature must be > 0 K, got ${kelvin}`);
  return heatInKT * BOLTZMANN_CONSTANT * kelvin;
}

export interface HeatLedger {
  /** Samples the heat was released by. */
  samples: number;
  /** Mean heat released per sample, in k_B·T. */
  meanKT: number;
  /** Standard error of that mean (0 for one sample). */
  standardErrorKT: number;
  /** The physical temperature of the joule figures, in kelvin. */
  kelvin: number;
  /** Mean heat per sample in joules at `kelvin`. */
  meanJoules: number;
}

/** Mean heat per sample (each entry in k_B·T) with its standard error, and in joules at `kelvin`. */
export function heatLedger(heatInKT: ArrayLike<number>, kelvin = ROOM_TEMPERATURE): HeatLedger {
  const n = heatInKT?.length;
  if (typeof n !== 'number' || n < 1) throw invalid('heat must be a non-empty array of numbers');
  let sum = 0;
  for (let k = 0; k < n; k++) sum += checkFinite(`heat[${k}]`, heatInKT[k]);
  const meanKT = sum / n;
  let squares = 0;
  for (let k = 0; k < n; k++) squares += (heatInKT[k] - meanKT) ** 2;
  const standardErrorKT = n > 1 ? Math.sqrt(squares / (n - 1) / n) : 0;
  return { samples: n, meanKT, standardErrorKT, kelvin, meanJoules: joules(meanKT, kelvin) };
}
