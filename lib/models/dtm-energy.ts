/**
 * The energy ledger of a denoising thermodynamic model's samples: what the p-bit hardware would spend
 * (SCIENCE.md §3, §8) beside what the simulation spent.
 */
import { checkFinite, invalid } from '../util/validate';
import { DenoisingModel, DtmSamples } from './dtm';

/** E_cell: energy per node per Gibbs update of the p-bit hardware, 2 fJ (SCIENCE.md §3). */
export const CELL_ENERGY_JOULES = 2e-15;

export interface DtmEnergyLedger {
  /** E = T · K · N · E_cell per sample: steps, sweeps per step, graph nodes, energy per node update. */
  joulesPerSample: number;
  steps: number;
  sweepsPerStep: number;
  nodes: number;
  cellJoules: number;
  /** What the simulation spent: spin updates and process CPU time per sample. */
  flipsPerSample: number;
  cpuSecondsPerSample: number;
}

export function dtmEnergyLedger(
  model: DenoisingModel,
  samples: DtmSamples,
  cpuSeconds: number,
  cellJoules = CELL_ENERGY_JOULES,
): DtmEnergyLedger {
  if (!(checkFinite('cell energy', cellJoules) > 0)) throw invalid(`the cell energy must be > 0 J, got ${cellJoules}`);
  const nodes = model.layout.size ** 2;
  return {
    joulesPerSample: model.steps * samples.sweepsPerStep * nodes * cellJoules,
    steps: model.steps,
    sweepsPerStep: samples.sweepsPerStep,
    nodes,
    cellJoules,
    flipsPerSample: samples.flips / samples.count,
    cpuSecondsPerSample: cpuSeconds / samples.count,
  };
}
