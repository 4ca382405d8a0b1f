/**
 * Sample arrays as pixel intensities in [0, 1], read by what they hold rather than by their dtype alone
 * (a bool array arrives from .npy as uint8 0/1, which is not a grey level 1/255):
 *   only 0 and 1, any dtype (bool, uint8, int8, float)   → as they are: binary images
 *   only −1 and +1, any dtype (spins)                    → (x + 1) / 2
 *   integers in 0…255 in an integer dtype (grey levels)  → x / 255
 *   floats in [0, 1]                                     → as they are
 * Anything else is refused. A grey-level image whose levels are all 0 or 1 reads as binary.
 */
import { NdArray } from '../io/npy';
import { invalid } from '../util/validate';

export function toIntensities(name: string, array: NdArray): Float32Array {
  const { data, dtype } = array;
  let binary = true;
  let spins = true;
  let levels = dtype !== 'f4' && dtype !== 'f8';
  let unit = !levels;
  for (let k = 0; k < data.length; k++) {
    const v = data[k];
    if (v !== 0 && v !== 1) binary = false;
    if (v !== -1 && v !== 1) spins = false;
    if (!(v >= 0 && v <= 255)) levels = false;
    if (!(v >= 0 && v <= 1)) unit = false;
    if (!binary && !spins && !levels && !unit) {
      throw invalid(
        `${name}: value ${k} is ${v}; samples must be 0/1, ±1, integer grey levels 0…255 or floats in [0, 1]`,
      );
    }
  }
  if (spins && !binary) return Float32Array.from(data, (x) => (x + 1) / 2);
  if (levels && !binary) return Float32Array.from(data, (x) => x / 255);
  return Float32Array.from(data); // 0/1 or floats in [0, 1]
}
