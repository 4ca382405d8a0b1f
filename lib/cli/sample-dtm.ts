/**
 * `heatbath sample` for denoising thermodynamic models: digits from noise through the T reverse steps,
 * optionally class-conditional or inpainting held-out digits, a picture of the denoising path, and the
 * energy ledger (models/dtm-energy.ts) in words.
 */
import { bundledDigits } from '../io/mnist';
import { DenoisingModel } from '../models/dtm';
import { DtmEnergyLedger } from '../models/dtm-energy';
import { invalid } from '../util/validate';

export type InpaintRegion = 'top' | 'bottom' | 'left' | 'right';

/**
 * Inpainting: `count` bundled digits spread over the classes, with the pixels of `region` (half the
 * image) held fixed. Returns the held pixel indices and their values for each digit, and the originals.
 */
export function inpaintingTask(
  model: DenoisingModel,
  region: string,
  count: number,
): { pixels: number[]; values: Uint8Array; originals: Float32Array } {
  if (!['top', 'bottom', 'left', 'right'].includes(region))
    throw invalid(`--inpaint must be top, bottom, left or right, not "${region}"`);
  const digits = bundledDigits();
  const { imageRows: rows, imageCols: cols } = model;
  if (digits.rows !== rows || digits.cols !== cols)
    throw invalid(
      `--inpaint uses the bundled ${digits.rows}×${digits.cols} digits; the model draws ${rows}×${cols} images`,
    );
  const pixels: number[] = [];
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const held =
        region === 'top'
          ? y < rows / 2
          : region === 'bottom'
            ? y >= rows / 2
            : region === 'left'
              ? x < cols / 2
              : x >= cols / 2;
      if (held) pixels.push(y * cols + x);
    }
  }
  const size = rows * cols;
  const originals = new Float32Array(count * size);
  const values = new Uint8Array(count * pixels.length);
  for (let c = 0; c < count; c++) {
    // The last image of evenly spaced stretches: the bundled set is sorted by class.
    const i = Math.floor(((c + 1) * digits.count) / count) - 1;
    for (let p = 0; p < size; p++) originals[c * size + p] = digits.images[i * size + p] >= 0.5 ? 1 : 0;
    pixels.forEach((p, j) => (values[c * pixels.length + j] = originals[c * size + p]));
  }
  return { pixels, values, originals };
}

/** The denoising path as one grid: a row per step (x^T at the top, x^0 at the bottom), `columns` samples wide. */
export function pathGrid(path: Float32Array[], pixels: number, columns: number): Float32Array[] {
  const rows: Float32Array[] = [];
  for (const step of path) for (let c = 0; c < columns; c++) rows.push(step.subarray(c * pixels, (c + 1) * pixels));
  return rows;
}

export function formatDtmLedger(ledger: DtmEnergyLedger): string {
  return (
    `energy per sample on p-bit hardware: T·K·N·E_cell = ${ledger.steps}·${ledger.sweepsPerStep}·${ledger.nodes}·${ledger.cellJoules.toExponential(1)} J = ` +
    `${ledger.joulesPerSample.toExponential(2)} J; the simulation: ${(ledger.flipsPerSample / 1e6).toFixed(1)} M spin updates and ` +
    `${(1e3 * ledger.cpuSecondsPerSample).toFixed(1)} ms of CPU per sample`
  );
}
