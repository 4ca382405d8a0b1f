/** Standard normal numbers in bulk from a SeededRandom, by Box–Muller using both outputs of each pair. */
import type { SeededRandom } from './random';

const { sqrt, log, cos, sin, PI } = Math; // local aliases: global lookups are slow in vm contexts (jest)

/** Fills out[0 .. count) with independent N(0, 1) draws. */
export function fillNormals(rng: SeededRandom, out: Float64Array, count = out.length): Float64Array {
  for (let k = 0; k < count; k += 2) {
    const radius = sqrt(-2 * log(1 - rng.float()));
    const angle = 2 * PI * rng.float();
    out[k] = radius * cos(angle);
    if (k + 1 < count) out[k + 1] = radius * sin(angle);
  }
  return out;
}
