/**
 * Thermodynamic linear algebra (Aifer et al., arXiv 2308.05660): linear systems, inverses and
 * exponentials read from the statistics of a simulated Ornstein–Uhlenbeck device, each answer with its
 * standard errors. Digital references are alongside for checking.
 */
export { solve } from './solve';
export { inverse } from './inverse';
export { expm, TlaExpmOptions } from './expm';
export { digitalSolve, digitalInverse, digitalExpm } from './reference';
export { TlaOptions, TlaResult } from './options';
