/**
 * Parameters that change during a run. A protocol value is a constant, a piecewise-linear function
 * given by knots ({ times, values }: linear between knots, held constant before the first and after
 * the last), or any function of time. Time t is measured from the start of the run.
 */
import { checkFits } from '../native/memory';
import { checkFinite, invalid } from '../util/validate';

export interface PiecewiseLinear {
  times: ArrayLike<number>;
  values: ArrayLike<number>;
}

export type ProtocolValue = number | PiecewiseLinear | ((t: number) => number);

function checkKnots(name: string, knots: PiecewiseLinear): void {
  const { times, values } = knots;
  if (times == null || values == null || typeof times.length !== 'number' || typeof values.length !== 'number') {
    throw invalid(`${name} must be a number, a function of t, or { times, values }`);
  }
  if (times.length < 1 || times.length !== values.length) {
    throw invalid(`${name}.times and ${name}.values must have the same length >= 1`);
  }
  for (let k = 0; k < times.length; k++) {
    checkFinite(`${name}.times[${k}]`, times[k]);
    checkFinite(`${name}.values[${k}]`, values[k]);
    if (k > 0 && !(times[k] > times[k - 1])) throw invalid(`${name}.times must be increasing`);
  }
}

/** The value of piecewise-linear knots at time t. */
export function interpolate(knots: PiecewiseLinear, t: number): number {
  const { times, values } = knots;
  const last = times.length - 1;
  if (t <= times[0]) return values[0];
  if (t >= times[last]) return values[last];
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= t) lo = mid;
    else hi = mid;
  }
  const w = (t - times[lo]) / (times[hi] - times[lo]);
  return values[lo] + w * (values[hi] - values[lo]);
}

/**
 * The protocol at t = k·dt for k = 0..steps (a single value when constant), checked finite and, with
 * `nonNegative`, >= 0.
 */
export function sampleProtocol(
  name: string,
  value: ProtocolValue,
  steps: number,
  dt: number,
  nonNegative = false,
): Float32Array {
  const check = (label: string, x: unknown): number => {
    const v = checkFinite(label, x);
    if (nonNegative && v < 0) throw invalid(`${label} must be >= 0, got ${v}`);
    return v;
  };
  if (typeof value === 'number') return Float32Array.of(check(name, value));
  checkFits((steps + 1) * Float32Array.BYTES_PER_ELEMENT, `${name} at each of ${steps + 1} steps`);
  const out = new Float32Array(steps + 1);
  if (typeof value === 'function') {
    for (let k = 0; k <= steps; k++) out[k] = check(`${name}(${k * dt})`, value(k * dt));
    return out;
  }
  if (typeof value !== 'object' || value === null)
    throw invalid(`${name} must be a number, a function of t, or { times, values }`);
  checkKnots(name, value);
  for (let k = 0; k < value.values.length; k++) check(`${name}.values[${k}]`, value.values[k]);
  for (let k = 0; k <= steps; k++) out[k] = interpolate(value, k * dt);
  return out;
}
