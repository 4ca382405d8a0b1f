/**
 * Schedules: a value per step, as functions (step, total) => value with step in 0…total−1. They serve as
 * learning-rate schedules and, unchanged, as β (annealing) schedules for the samplers. Each carries a text form
 * ("cosine:0.05:0.001") that parseSchedule reads back, for the CLI and for logs.
 */
import { HeatbathError } from '../errors';
import { parseDecimal } from '../util/decimal';
import { checkFinite, checkInteger, invalid } from '../util/validate';

export type StepSchedule = ((step: number, total: number) => number) & { readonly description: string };

/**
 * The native form of each schedule built here (native/core/beta_schedule.h): the samplers evaluate
 * it per sweep in the core, so a β schedule costs a few numbers whatever the run's length. Kept
 * outside the function object so that only schedules built here are trusted to match their form.
 */
const programs = new WeakMap<object, readonly number[]>();

function described(
  description: string,
  fn: (step: number, total: number) => number,
  program: readonly number[] | undefined,
): StepSchedule {
  const schedule = Object.assign(fn, { description });
  if (program !== undefined) programs.set(schedule, program);
  return schedule;
}

/** The native program of a schedule built by this module (undefined for plain functions). */
export function scheduleProgram(schedule: unknown): readonly number[] | undefined {
  return typeof schedule === 'function' ? programs.get(schedule) : undefined;
}

/** Schedule values are learning rates or inverse temperatures: finite and >= 0. */
function checkValue(name: string, value: number): number {
  checkFinite(name, value);
  if (value < 0) throw invalid(`${name} must be >= 0, got ${value}`);
  return value;
}

/** Progress through the run in [0, 1]: 0 at the first step, 1 at the last (and beyond). */
function progress(step: number, total: number): number {
  return total <= 1 ? 1 : Math.min(1, Math.max(0, step / (total - 1)));
}

export function constant(value: number): StepSchedule {
  checkValue('value', value);
  return described(String(value), () => value, [0, value]);
}

/** v0 · factor^⌊step / every⌋. */
export function stepDecay(v0: number, factor: number, every: number): StepSchedule {
  checkValue('v0', v0);
  checkFinite('factor', factor);
  if (factor <= 0) throw invalid(`factor must be > 0, got ${factor}`);
  checkInteger('every', every, 1);
  return described(`step:${v0}:${factor}:${every}`, (step) => v0 * factor ** Math.floor(step / every), [
    3,
    v0,
    factor,
    every,
  ]);
}

/** Straight line from `from` at the first step to `to` at the last. */
export function linear(from: number, to: number): StepSchedule {
  checkValue('from', from);
  checkValue('to', to);
  return described(`linear:${from}:${to}`, (step, total) => from + (to - from) * progress(step, total), [1, from, to]);
}

/** Half a cosine from `from` at the first step to `to` at the last. */
export function cosine(from: number, to: number): StepSchedule {
  checkValue('from', from);
  checkValue('to', to);
  return described(
    `cosine:${from}:${to}`,
    (step, total) => to + ((from - to) * (1 + Math.cos(Math.PI * progress(step, total)))) / 2,
    [2, from, to],
  );
}

/**
 * Linear warm-up from 0 over the first `steps` steps towards then's first value, then `then` over the
 * remaining steps (it sees step − steps of total − steps).
 */
export function warmup(steps: number, then: (step: number, total: number) => number): StepSchedule {
  checkInteger('steps', steps, 1);
  if (typeof then !== 'function') throw invalid('warmup needs the schedule to follow it');
  const thenProgram = scheduleProgram(then);
  return described(
    `warmup:${steps}:${describeSchedule(then)}`,
    (step, total) => (step < steps ? (then(0, total - steps) * step) / steps : then(step - steps, total - steps)),
    thenProgram === undefined ? undefined : [4, steps, ...thenProgram],
  );
}

/** A learning rate (or β) given as a number or as a schedule, as a schedule. */
export function asSchedule(name: string, value: number | StepSchedule): StepSchedule {
  return typeof value === 'function' ? value : constant(checkFinite(name, value));
}

/** The text form of a schedule (parseSchedule reads it back); "custom" for plain functions. */
export function describeSchedule(schedule: number | ((step: number, total: number) => number)): string {
  if (typeof schedule === 'number') return String(schedule);
  const { description } = schedule as Partial<StepSchedule>;
  return typeof description === 'string' ? description : 'custom';
}

const FORMS = 'a number, constant:v, linear:from:to, cosine:from:to, step:v0:factor:every or warmup:steps:<schedule>';

/** Longest schedule text read, and deepest warmup nesting: far beyond any real schedule, so that a hostile one is cheap to refuse. */
export const MAX_SCHEDULE_LENGTH = 1000;
export const MAX_SCHEDULE_DEPTH = 8;

/** Reads the form starting at tokens[at] (the whole rest of the tokens), in one pass over them. */
function parseForm(tokens: string[], at: number, depth: number): StepSchedule {
  const kind = tokens[at];
  const args = tokens.length - at - 1;
  const numbers = (names: string[]): number[] => {
    if (args !== names.length)
      throw invalid(`${kind} takes ${names.length} value(s) (${kind}:${names.join(':')}), got ${args}`);
    return names.map((name, k) => parseDecimal(tokens[at + 1 + k], name));
  };
  switch (kind.toLowerCase()) {
    case 'constant':
      return constant(numbers(['value'])[0]);
    case 'linear':
      return linear(...(numbers(['from', 'to']) as [number, number]));
    case 'cosine':
      return cosine(...(numbers(['from', 'to']) as [number, number]));
    case 'step':
      return stepDecay(...(numbers(['v0', 'factor', 'every']) as [number, number, number]));
    case 'warmup':
      if (args < 2) throw invalid('warmup takes warmup:steps:<schedule>');
      if (depth >= MAX_SCHEDULE_DEPTH) throw invalid(`warmup is nested more than ${MAX_SCHEDULE_DEPTH} deep`);
      return warmup(parseDecimal(tokens[at + 1], 'steps'), parseForm(tokens, at + 2, depth + 1));
    default:
      if (args === 0) return constant(parseDecimal(kind, 'value'));
      throw invalid(`unknown kind "${kind}"`);
  }
}

/** Reads "0.05", "constant:0.05", "linear:0.1:1", "cosine:0.05:0.001", "step:0.1:0.5:10", "warmup:100:cosine:0.05:0.001". */
export function parseSchedule(text: string): StepSchedule {
  if (typeof text !== 'string') throw invalid(`a schedule must be text: ${FORMS}`);
  try {
    if (text.length > MAX_SCHEDULE_LENGTH) throw invalid(`it is longer than ${MAX_SCHEDULE_LENGTH} characters`);
    return parseForm(
      text
        .trim()
        .split(':')
        .map((part) => part.trim()),
      0,
      0,
    );
  } catch (err) {
    if (!(err instanceof HeatbathError)) throw err;
    const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    throw new HeatbathError(err.code, `schedule "${shown}": ${err.message} (expected ${FORMS})`, { cause: err });
  }
}
