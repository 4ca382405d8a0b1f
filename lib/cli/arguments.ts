/**
 * The number arguments of the CLI, read in one place: decimal notation only (no hex, no empty value, no
 * NaN or Infinity), integers where a count is meant, and each flag's range. A refused value names the flag
 * (commander puts "option '--n <count>' argument 'x' is invalid." before the message).
 */
import { InvalidArgumentError } from 'commander';
import { HeatbathError } from '../errors';
import { parseDecimal } from '../util/decimal';

/** Counts beyond this are typing mistakes (and overflow the engine's 32-bit counters). */
export const MAX_COUNT = 2 ** 31 - 1;

/** Seeds: any integer a double holds exactly. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** The value in decimal notation, or NaN (refused by every check below). */
function decimal(value: string): number {
  try {
    return parseDecimal(value, 'the value');
  } catch (err) {
    if (err instanceof HeatbathError) return NaN;
    throw err;
  }
}

/** An integer in [min, max] (1e3 is read as 1000; 2.5 and 0x10 are refused). */
export function integer(min: number, max = MAX_COUNT) {
  return (value: string): number => {
    const n = decimal(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max} in decimal notation`);
    return n;
  };
}

export interface Range {
  /** Lower bound, included unless `above` is used instead. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Upper bound, included unless `below` is used instead. */
  max?: number;
  /** Exclusive upper bound. */
  below?: number;
}

function describe(range: Range): string {
  const parts = [
    range.min !== undefined ? `>= ${range.min}` : range.above !== undefined ? `> ${range.above}` : '',
    range.max !== undefined ? `<= ${range.max}` : range.below !== undefined ? `< ${range.below}` : '',
  ].filter((p) => p !== '');
  return parts.length === 0 ? 'a finite decimal number' : `a decimal number ${parts.join(' and ')}`;
}

/** A finite real number in a range. */
export function real(range: Range = {}) {
  return (value: string): number => {
    const n = decimal(value);
    const ok =
      Number.isFinite(n) &&
      (range.min === undefined || n >= range.min) &&
      (range.above === undefined || n > range.above) &&
      (range.max === undefined || n <= range.max) &&
      (range.below === undefined || n < range.below);
    if (!ok) throw new InvalidArgumentError(`expected ${describe(range)}`);
    return n;
  };
}
