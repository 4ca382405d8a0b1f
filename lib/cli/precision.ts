/**
 * `--precision c:r[:f]`: the arithmetic of a p-bit chip for `sample` and `train dtm`: c-bit couplings
 * (sign included), r-bit random draws, f-bit biases (default f = c). One parser, one set of limits (the
 * quantizer's own: lib/models/quantized-ising.ts), refusals with ERR_INVALID_ARGUMENT naming the flag.
 */
import { PRECISION_LIMITS as LIMITS, QuantizationReport, QuantizeOptions } from '../models/quantized-ising';
import { invalid } from '../util/validate';

export { PRECISION_LIMITS } from '../models/quantized-ising';

/** "6:8" → 6-bit couplings and biases, 8-bit randomness; "6:8:10" → 10-bit biases. */
export function parsePrecision(text: string): QuantizeOptions {
  const parts = text.split(':');
  const usage = `--precision must be couplingBits:randomBits[:biasBits] such as 6:8 (couplings ${LIMITS.couplingBits.join('–')} bits, randomness ${LIMITS.randomBits.join('–')}, biases ${LIMITS.fieldBits.join('–')}), not "${text}"`;
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^\d{1,3}$/.test(p))) throw invalid(usage);
  const [couplingBits, randomBits, fieldBits = couplingBits] = parts.map(Number);
  const values = { couplingBits, randomBits, fieldBits };
  for (const [name, [min, max]] of Object.entries(LIMITS)) {
    const v = values[name as keyof typeof values];
    if (v < min || v > max) throw invalid(`--precision: ${name} is ${v}, outside ${min}–${max}; ${usage}`);
  }
  return values;
}

/** The report's precision block: what was asked and what rounding did. */
export interface PrecisionReport extends QuantizeOptions {
  clippedCouplings: number;
  clippedBiases: number;
  maxCouplingError: number;
  maxBiasError: number;
}

export function precisionReport(
  precision: QuantizeOptions,
  report: Omit<QuantizationReport, 'scale'>,
): PrecisionReport {
  const { clippedCouplings, clippedBiases, maxCouplingError, maxBiasError } = report;
  return { ...precision, clippedCouplings, clippedBiases, maxCouplingError, maxBiasError };
}

export function formatPrecision(p: PrecisionReport): string {
  return (
    `on the chip's arithmetic: ${p.couplingBits}-bit couplings, ${p.fieldBits}-bit biases, ${p.randomBits}-bit random draws; ` +
    `${p.clippedCouplings} couplings and ${p.clippedBiases} biases clipped, largest errors ${p.maxCouplingError.toPrecision(3)} and ${p.maxBiasError.toPrecision(3)}`
  );
}
