/**
 * The forward (noising) process of a denoising thermodynamic model on spins (SCIENCE.md §3): over a time
 * interval Δt each spin is replaced by a uniformly random one with probability 1 − e^{−λΔt}, i.e. flips with
 * probability (1 − e^{−λΔt})/2. Times follow the log grid t_k = −ln(1 − k/T), so step T ends in pure noise.
 */
import { SeededRandom } from '../util/random';
import { checkFinite, checkInteger, invalid } from '../util/validate';

/** t_k = −ln(1 − k/T) for k = 0…T (t_T = ∞). */
export function timeGrid(steps: number): Float64Array {
  checkInteger('steps', steps, 1, 1000);
  return Float64Array.from({ length: steps + 1 }, (_, k) => -Math.log(1 - k / steps));
}

/** Probability that a spin flips over a time `dt` at rate `rate`: (1 − e^{−λΔt})/2 (½ for Δt = ∞). */
export function flipProbability(rate: number, dt: number): number {
  return -Math.expm1(-rate * dt) / 2;
}

/**
 * Coupling of an input node to its output node in reverse step k (1…T): the log-odds of the forward channel,
 * w = −½ ln tanh(λΔt_k/2), so that exp(w·s·s′) ∝ P(x^k = s′ | x^{k−1} = s). Zero for the last step.
 */
export function inputCoupling(rate: number, steps: number, step: number): number {
  const t = timeGrid(steps);
  checkInteger('step', step, 1, steps);
  const dt = t[step] - t[step - 1];
  return dt === Infinity ? 0 : -0.5 * Math.log(Math.tanh((rate * dt) / 2));
}

/** Per-output noising rates: `imageRate` for the pixels, `labelRate` for the label bits. */
export function outputRates(pixels: number, labelBits: number, imageRate: number, labelRate: number): Float64Array {
  for (const [name, r] of [
    ['imageRate', imageRate],
    ['labelRate', labelRate],
  ] as const) {
    if (!(checkFinite(name, r) > 0)) throw invalid(`${name} must be > 0, got ${r}`);
  }
  const rates = new Float64Array(pixels + labelBits).fill(imageRate);
  rates.fill(labelRate, pixels);
  return rates;
}

/**
 * A training pair of reverse step k for each clean row: x^{k−1} noised from x^0 over t_{k−1}, and x^k noised
 * from x^{k−1} over Δt_k. Rows are ±1 spins, `width` per row; the outputs are written into `before`/`after`.
 * @internal Used by the DTM trainer.
 */
export function noisePairs(
  clean: Int8Array,
  width: number,
  rates: Float64Array,
  steps: number,
  step: number,
  random: SeededRandom,
  before: Int8Array,
  after: Int8Array,
): void {
  const t = timeGrid(steps);
  checkInteger('step', step, 1, steps);
  if (rates.length !== width) throw invalid(`rates has ${rates.length} entries; rows have ${width}`);
  const toBefore = Float64Array.from(rates, (r) => flipProbability(r, t[step - 1]));
  const toAfter = Float64Array.from(rates, (r) => flipProbability(r, t[step] - t[step - 1]));
  for (let k = 0; k < clean.length; k++) {
    const i = k % width;
    const b = random.float() < toBefore[i] ? -clean[k] : clean[k];
    before[k] = b;
    after[k] = random.float() < toAfter[i] ? -b : b;
  }
}
