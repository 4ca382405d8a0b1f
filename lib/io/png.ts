/**
 * Grids of images as greyscale PNG. Pixel values map to grey as:
 *   Int8Array spins: +1 → white, −1 → black;  Uint8Array: 0/1 → black/white, or 0…255 grey;
 *   Float32Array / Float64Array: [0, 1] → black…white (clamped).
 */
import { invalid } from '../util/validate';
import { writeFileAtomic } from './atomic';

/** One picture's pixels, row-major. @inline */
export type Image = Int8Array | Uint8Array | Float32Array | Float64Array;

/** @inline */
export interface GridOptions {
  width: number;
  height: number;
  /** Images per row (default: ⌈√count⌉). */
  columns?: number;
  /** Pixel magnification (default 1). */
  scale?: number;
  /** Grey gap between images, in output pixels (default 2). */
  padding?: number;
}

function greyOf(image: Image): (k: number) => number {
  if (image instanceof Int8Array) return (k) => (image[k] > 0 ? 255 : 0);
  if (image instanceof Uint8Array) {
    const binary = image.every((v) => v <= 1);
    return binary ? (k) => image[k] * 255 : (k) => image[k];
  }
  return (k) => Math.round(255 * Math.min(1, Math.max(0, image[k])));
}

/** The images of a flat count × pixels array, as views (the tiles of a grid). */
export function splitImages(flat: Float32Array, pixels: number): Float32Array[] {
  return Array.from({ length: flat.length / pixels }, (_, k) => flat.subarray(k * pixels, (k + 1) * pixels));
}

export function encodeGrid(images: Image[], options: GridOptions): Buffer {
  const { width, height } = options;
  if (!Array.isArray(images) || images.length === 0) throw invalid('encodeGrid needs at least one image');
  for (const [name, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw invalid(`${name} must be a positive integer`);
  }
  const scale = options.scale ?? 1;
  const padding = options.padding ?? 2;
  const columns = options.columns ?? Math.ceil(Math.sqrt(images.length));
  if (!Number.isInteger(scale) || scale < 1) throw invalid('scale must be a positive integer');
  if (!Number.isInteger(padding) || padding < 0) throw invalid('padding must be a non-negative integer');
  if (!Number.isInteger(columns) || columns < 1) throw invalid('columns must be a positive integer');
  images.forEach((image, k) => {
    if (image?.length !== width * height)
      throw invalid(`image ${k} has ${image?.length} pixels, expected ${width * height}`);
  });
  const rows = Math.ceil(images.length / columns);
  const cellW = width * scale;
  const cellH = height * scale;
  // pngjs is required here, on first use, so that require('heatbath') does not load it.
  const { PNG } = require('pngjs') as typeof import('pngjs');
  const png = new PNG({
    width: columns * cellW + (columns + 1) * padding,
    height: rows * cellH + (rows + 1) * padding,
    colorType: 0,
    inputColorType: 0,
    inputHasAlpha: false,
  });
  png.data = Buffer.alloc(png.width * png.height, 128); // grey gaps
  images.forEach((image, k) => {
    const grey = greyOf(image);
    const x0 = padding + (k % columns) * (cellW + padding);
    const y0 = padding + Math.floor(k / columns) * (cellH + padding);
    for (let y = 0; y < cellH; y++) {
      for (let x = 0; x < cellW; x++) {
        png.data[(y0 + y) * png.width + x0 + x] = grey(Math.floor(y / scale) * width + Math.floor(x / scale));
      }
    }
  });
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}

/** Encodes the grid and writes it atomically (the previous file survives a failure). */
export async function writePngGrid(path: string, images: Image[], options: GridOptions): Promise<void> {
  await writeFileAtomic(path, encodeGrid(images, options));
}
