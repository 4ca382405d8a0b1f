/**
 * How the generative computer's visible states become pixels. Images enter as fields
 * s = (pixel − pixelMean) / pixelStd; what comes out is a state x per visible unit. The rule back is
 * the conditional mean E[pixel | x] over the training images' image states (the ends of noising phase 1),
 * tabulated on bins of x, made non-decreasing, and interpolated linearly (held constant past the ends).
 */
import { badFile } from '../io/bytes';

export interface GtcDecoder {
  /** s = (pixel − pixelMean) / pixelStd is the field that writes an image (SCIENCE.md §5). */
  pixelMean: number;
  pixelStd: number;
  /** The states at the table's first and last entries. */
  from: number;
  to: number;
  /** E[pixel | x] at evenly spaced x from `from` to `to` (at least 2 entries, in [0, 1]). */
  pixels: number[];
}

/** Before any training: pixels linear in x over [−1, 1]. */
export const IDENTITY_DECODER: GtcDecoder = { pixelMean: 0, pixelStd: 1, from: -1, to: 1, pixels: [0, 1] };

export function decodeStates(decoder: GtcDecoder, states: Float32Array): Float32Array {
  const { from, to, pixels } = decoder;
  const last = pixels.length - 1;
  const perUnit = last / (to - from);
  return states.map((x) => {
    const u = (x - from) * perUnit;
    if (!(u > 0)) return pixels[0];
    if (u >= last) return pixels[last];
    const k = Math.floor(u);
    return pixels[k] + (u - k) * (pixels[k + 1] - pixels[k]);
  });
}

export function checkDecoder(value: unknown): GtcDecoder {
  const d = value as Partial<GtcDecoder> | undefined;
  const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  if (
    typeof d !== 'object' ||
    d === null ||
    !finite(d.pixelMean) ||
    !finite(d.pixelStd) ||
    !(d.pixelStd > 0) ||
    !finite(d.from) ||
    !finite(d.to) ||
    !(d.to > d.from) ||
    !Array.isArray(d.pixels) ||
    d.pixels.length < 2 ||
    !d.pixels.every((p) => finite(p) && p >= 0 && p <= 1)
  ) {
    throw badFile('the gtc file needs a decoder { pixelMean, pixelStd > 0, from < to, pixels: ≥ 2 values in [0, 1] }');
  }
  return { pixelMean: d.pixelMean, pixelStd: d.pixelStd, from: d.from, to: d.to, pixels: [...d.pixels] };
}

const RANGE = 4;
const BINS = 161;

/** Accumulates E[pixel | x] on bins of width 0.05 over x ∈ [−4, 4]. */
export class DecoderFit {
  private readonly count = new Float64Array(BINS);
  private readonly sum = new Float64Array(BINS);

  /** Adds the visible units of `batch` states (rows of `units` values) with their pixels (rows of `visible`). */
  add(states: Float32Array, pixels: Float32Array, batch: number, visible: number, units: number): void {
    const perUnit = (BINS - 1) / (2 * RANGE);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < visible; i++) {
        const bin = Math.round((states[b * units + i] + RANGE) * perUnit);
        const k = Math.min(BINS - 1, Math.max(0, bin));
        this.count[k]++;
        this.sum[k] += pixels[b * visible + i];
      }
    }
  }

  /** The table over the occupied bins (empty ones interpolated), non-decreasing. */
  result(pixelMean: number, pixelStd: number): GtcDecoder {
    let first = this.count.findIndex((c) => c > 0);
    let last = BINS - 1 - [...this.count].reverse().findIndex((c) => c > 0);
    if (first < 0) return { ...IDENTITY_DECODER, pixelMean, pixelStd };
    if (first === last) {
      first = Math.max(0, first - 1);
      last = Math.min(BINS - 1, last + 1);
    }
    const pixels: number[] = [];
    for (let k = first; k <= last; k++) {
      if (this.count[k] > 0) {
        pixels.push(this.sum[k] / this.count[k]);
        continue;
      }
      let next = k + 1;
      while (next <= last && this.count[next] === 0) next++;
      const right = next <= last ? this.sum[next] / this.count[next] : (pixels[pixels.length - 1] ?? 0);
      const left = pixels.length > 0 ? pixels[pixels.length - 1] : right;
      pixels.push(left + (right - left) / (next - k + 1));
    }
    for (let k = 1; k < pixels.length; k++) pixels[k] = Math.max(pixels[k], pixels[k - 1]);
    const width = (2 * RANGE) / (BINS - 1);
    return { pixelMean, pixelStd, from: -RANGE + first * width, to: -RANGE + last * width, pixels };
  }
}
