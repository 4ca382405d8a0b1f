/** Numbers typed by people (command lines, schedule strings): plain decimal notation only. */
import { invalid } from './validate';

// Number() also reads '' as 0, '0x10' as 16, '0b11', '0o7' and 'Infinity': none of them is what a person
// typing a count or a rate means, so they are refused rather than guessed.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** `text` as a finite number in decimal notation (1, -2.5, .5, 1e-3); `what` names it in the error. */
export function parseDecimal(text: string, what: string): number {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  if (!DECIMAL.test(trimmed)) throw invalid(`${what} must be a number, got "${String(text)}" (decimal notation only)`);
  const value = Number(trimmed);
  if (!Number.isFinite(value)) throw invalid(`${what} ${trimmed} is out of range`);
  return value;
}
