/**
 * Sampling schedules (THRML semantics): `warmup` sweeps, observe sample 0, then (samples − 1) times:
 * `thin` sweeps, observe. β may change every sweep (annealing). A run has at most MAX_SWEEPS sweeps.
 */
import type { NativeBeta } from '../native';
import { linear, scheduleProgram } from './schedules';
import { checkFits } from '../native/memory';
import { checkBeta, checkInteger, invalid } from '../util/validate';

/**
 * β for every sweep: a constant, one value per sweep, or a function of (sweep, totalSweeps). Functions built by
 * `schedules` (linear, cosine, …, and linearBeta) are passed to the engines as their description.
 */
export type BetaSchedule = number | ArrayLike<number> | ((sweep: number, totalSweeps: number) => number);

export interface Schedule {
  warmup: number;
  samples: number;
  thin: number;
}

/** The most sweeps one run may have, 2^53 − 1: sweep numbers stay exact (native/core/beta_schedule.h). */
export const MAX_SWEEPS = Number.MAX_SAFE_INTEGER;

export function totalSweeps(s: Schedule): number {
  return s.warmup + Math.max(0, s.samples - 1) * s.thin;
}

export function resolveSchedule(opts: Partial<Schedule>, defaults: Schedule): Schedule {
  const schedule = {
    warmup: checkInteger('warmup', opts.warmup ?? defaults.warmup, 0),
    samples: checkInteger('samples', opts.samples ?? defaults.samples, 0),
    thin: checkInteger('thin', opts.thin ?? defaults.thin, 1),
  };
  const total = totalSweeps(schedule);
  if (total > MAX_SWEEPS)
    throw invalid(`warmup + (samples − 1) × thin = ${total} sweeps exceeds the limit of 2^53 − 1`);
  return schedule;
}

/**
 * β for `sweeps` sweeps, sweep k seeing beta(first + k, total), as the engines take it: a number or a
 * schedule from `schedules` (constant, linear, cosine, step, warmup) is passed as its description and
 * costs no memory per sweep; an array or a plain function becomes a table of one float per sweep,
 * counted against the memory budget.
 */
export function describeBeta(beta: BetaSchedule, sweeps: number, first = 0, total = sweeps): NativeBeta {
  if (typeof beta === 'number') return [Float64Array.of(0, checkBeta('beta', beta)), undefined, first, total];
  const program = scheduleProgram(beta);
  if (program !== undefined) return [Float64Array.from(program), undefined, first, total];
  // The table and the engine's copy of it (an async run owns its arguments).
  checkFits(
    2 * sweeps * Float32Array.BYTES_PER_ELEMENT,
    `a table of β for ${sweeps} sweeps (schedules.* forms need none)`,
  );
  return [Float64Array.of(5), betaPerSweep(beta, sweeps, first, total), first, total];
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
