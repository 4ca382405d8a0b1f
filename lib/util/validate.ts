/** Argument checks for the public API: every failure is a HeatbathError naming the argument. */
import { HeatbathError } from '../errors';
import { preview } from './preview';

export function invalid(message: string): HeatbathError {
  return new HeatbathError('ERR_INVALID_ARGUMENT', message);
}

export function checkInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    // An object (an array nested too deeply for String, from a hostile file) is quoted safely.
    throw invalid(
      `${name} must be an integer in [${min}, ${max}], got ${typeof value === 'object' && value !== null ? preview(value) : String(value)}`,
    );
  }
  return value;
}

export function checkFinite(name: string, value: unknown): number {
  if (typeof value !== 'number') throw invalid(`${name} must be a number, got ${typeof value}`);
  if (!Number.isFinite(value)) throw new HeatbathError('ERR_NOT_FINITE', `${name} must be finite, got ${value}`);
  return value;
}

export function checkBeta(name: string, value: unknown): number {
  const beta = checkFinite(name, value);
  if (beta < 0) throw invalid(`${name} must be >= 0 (an inverse temperature), got ${beta}`);
  return beta;
}

/** Copies numbers into a Float32Array of the given length, rejecting NaN/Infinity (and float32 overflow). */
export function toFloat32(name: string, values: ArrayLike<number> | number, length: number): Float32Array {
  const out = new Float32Array(length);
  if (typeof values === 'number') {
    out.fill(checkFinite(name, values));
  } else {
    if (values == null || typeof values.length !== 'number') throw invalid(`${name} must be an array or a number`);
    if (values.length !== length) throw invalid(`${name} must have ${length} entries, got ${values.length}`);
    out.set(values);
  }
  for (let k = 0; k < length; k++) {
    if (!Number.isFinite(out[k])) {
      throw new HeatbathError('ERR_NOT_FINITE', `${name}[${k}] is ${typeof values === 'number' ? values : values[k]}`);
    }
  }
  return out;
}

/** Copies ±1 spins (any numeric array) into an Int8Array of the given length. */
export function toSpins(name: string, values: ArrayLike<number>, length: number): Int8Array {
  if (values == null || typeof values.length !== 'number') throw invalid(`${name} must be an array of +1/-1`);
  if (values.length !== length) throw invalid(`${name} must have ${length} entries, got ${values.length}`);
  const out = new Int8Array(length);
  for (let k = 0; k < length; k++) {
    const v = values[k];
    if (v !== 1 && v !== -1) throw invalid(`${name}[${k}] must be +1 or -1, got ${v}`);
    out[k] = v;
  }
  return out;
}

export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (typeof signal !== 'object' || signal === null || typeof (signal as AbortSignal).aborted !== 'boolean') {
    throw invalid('signal must be an AbortSignal');
  }
  return signal as AbortSignal;
}

/** The most chains one engine may run side by side (the addon's limit too). */
export const MAX_CHAINS = 2 ** 40;

/** The most threads one call may ask for (the core's pool grows to what is asked, up to this). */
export const MAX_THREADS = 1024;

/** An optional per-call thread count: undefined (all cores) or an integer in [1, MAX_THREADS]. */
export function checkThreads(threads: unknown): number | undefined {
  return threads === undefined ? undefined : checkInteger('threads', threads, 1, MAX_THREADS);
}
