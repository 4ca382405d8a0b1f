/**
 * Sampling schedules (THRML semantics): `warmup` sweeps, observe sample 0, then (samples − 1) times:
 * `thin` sweeps, observe. β may change every sweep (annealing).
 */
import { linear } from '../training/schedules';
import { checkBeta, checkInteger, invalid } from '../util/validate';

/** β for every sweep: a constant, one value per sweep, or a function of (sweep, totalSweeps). */
export type BetaSchedule = number | ArrayLike<number> | ((sweep: number, totalSweeps: number) => number);

export interface Schedule {
  warmup: number;
  samples: number;
  thin: number;
}

export function totalSweeps(s: Schedule): number {
  return s.warmup + Math.max(0, s.samples - 1) * s.thin;
}

export function resolveSchedule(opts: Partial<Schedule>, defaults: Schedule): Schedule {
  return {
    warmup: checkInteger('warmup', opts.warmup ?? defaults.warmup, 0),
    samples: checkInteger('samples', opts.samples ?? defaults.samples, 0),
    thin: checkInteger('thin', opts.thin ?? defaults.thin, 1),
  };
}

/** Expands a β schedule into one value per sweep, checking each (finite, >= 0). */
export function betaPerSweep(beta: BetaSchedule, sweeps: number, offset = 0, total = sweeps): Float32Array {
  const out = new Float32Array(sweeps);
  if (typeof beta === 'number') {
    out.fill(checkBeta('beta', beta));
  } else if (typeof beta === 'function') {
    for (let k = 0; k < sweeps; k++) out[k] = checkBeta(`beta(${offset + k})`, beta(offset + k, total));
  } else if (beta != null && typeof beta.length === 'number') {
    if (beta.length < offset + sweeps) {
      throw invalid(`beta schedule has ${beta.length} values but the run needs ${offset + sweeps} (one per sweep)`);
    }
    for (let k = 0; k < sweeps; k++) out[k] = checkBeta(`beta[${offset + k}]`, beta[offset + k]);
  } else {
    throw invalid('beta must be a number, an array with one value per sweep, or a function (sweep, total) => beta');
  }
  return out;
}

/** Linear ramp of β from `from` to `to` over the whole run: a ready-made annealing schedule. */
export function linearBeta(from: number, to: number): (sweep: number, total: number) => number {
  return linear(checkBeta('from', from), checkBeta('to', to));
}
