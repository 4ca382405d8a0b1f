/**
 * Heat maps as RGB PNG: panels of labelled cells, each coloured by its value on the panel's range
 * (dark blue at the low end, yellow at the high end) with its text written inside. Cells without a
 * value are left grey. Used by the precision study (`heatbath study bits`).
 */
import { checkInteger, invalid } from '../util/validate';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphColumns } from './bitmap-font';
import { writeFileAtomic } from './atomic';
import { Rgb } from './line-plot';

export interface HeatPanel {
  title: string;
  /** Labels of the rows (top to bottom) and columns (left to right), and what each axis means. */
  rows: string[];
  columns: string[];
  rowTitle: string;
  columnTitle: string;
  /** values[r][c], or null for no value. */
  values: (number | null)[][];
  /** Text of each cell (default: the value to 3 significant digits). */
  text?: string[][];
  /** Colour range [low, high] (default: the panel's smallest and largest value). */
  range?: [number, number];
  /** Low values are good: the ramp runs the other way (yellow at the low end). */
  lowIsGood?: boolean;
}

const CELL_W = 44;
const CELL_H = 22;
const MARGIN = 10;
const TEXT: Rgb = [20, 20, 20];
const EMPTY: Rgb = [200, 200, 200];
// A few anchors of a perceptual ramp (viridis), interpolated linearly.
const RAMP: Rgb[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

function rampColour(t: number): Rgb {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const k = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - k;
  return [0, 1, 2].map((c) => Math.round(RAMP[k][c] * (1 - f) + RAMP[k + 1][c] * f)) as unknown as Rgb;
}

function textWidth(text: string): number {
  return text.length === 0 ? 0 : text.length * GLYPH_ADVANCE - 1;
}

class Canvas {
  readonly data: Buffer;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = Buffer.alloc(width * height * 3, 255);
  }
  set(x: number, y: number, colour: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    this.data.set(colour, 3 * (y * this.width + x));
  }
  fill(x: number, y: number, w: number, h: number, colour: Rgb): void {
    for (let j = y; j < y + h; j++) for (let i = x; i < x + w; i++) this.set(i, j, colour);
  }
  text(text: string, left: number, top: number, colour: Rgb = TEXT): void {
    const x = Math.round(left);
    const y = Math.round(top);
    for (let k = 0; k < text.length; k++) {
      const columns = glyphColumns(text[k]);
      for (let c = 0; c < GLYPH_WIDTH; c++)
        for (let r = 0; r < GLYPH_HEIGHT; r++)
          if ((columns[c] >> r) & 1) this.set(x + k * GLYPH_ADVANCE + c, y + r, colour);
    }
  }
}

function checkPanel(panel: HeatPanel, k: number): void {
  if (typeof panel !== 'object' || panel === null) throw invalid(`heat map panel ${k} must be an object`);
  checkInteger(`panel ${k} rows`, panel.rows?.length, 1, 64);
  checkInteger(`panel ${k} columns`, panel.columns?.length, 1, 64);
  if (
    !Array.isArray(panel.values) ||
    panel.values.length !== panel.rows.length ||
    panel.values.some((row) => !Array.isArray(row) || row.length !== panel.columns.length)
  ) {
    throw invalid(`heat map panel ${k} needs ${panel.rows.length} rows of ${panel.columns.length} values`);
  }
}

/** The panels side by side, `perRow` to a row (default 2). */
export function encodeHeatMaps(panels: HeatPanel[], perRow = 2): Buffer {
  if (!Array.isArray(panels) || panels.length === 0) throw invalid('a heat map needs at least one panel');
  panels.forEach(checkPanel);
  checkInteger('perRow', perRow, 1, 16);
  const labelWidth = Math.max(...panels.flatMap((p) => p.rows.map(textWidth))) + 8;
  const gridWidth = GLYPH_HEIGHT + 6 + labelWidth + Math.max(...panels.map((p) => p.columns.length)) * CELL_W;
  const panelW = MARGIN * 3 + Math.max(gridWidth, ...panels.map((p) => textWidth(p.title)));
  const panelH = MARGIN * 2 + 4 * (GLYPH_HEIGHT + 6) + Math.max(...panels.map((p) => p.rows.length)) * CELL_H;
  const columns = Math.min(perRow, panels.length);
  const canvas = new Canvas(columns * panelW, Math.ceil(panels.length / columns) * panelH);
  panels.forEach((panel, k) => {
    const x0 = (k % columns) * panelW + MARGIN;
    const y0 = Math.floor(k / columns) * panelH + MARGIN;
    const finite = panel.values.flat().filter((v): v is number => v !== null && Number.isFinite(v));
    const [lo, hi] = panel.range ?? [Math.min(...finite), Math.max(...finite)];
    canvas.text(panel.title, x0, y0);
    const gridX = x0 + GLYPH_HEIGHT + 6 + labelWidth;
    const gridY = y0 + 3 * (GLYPH_HEIGHT + 6);
    canvas.text(panel.columnTitle, gridX, y0 + GLYPH_HEIGHT + 6);
    panel.columns.forEach((label, c) =>
      canvas.text(label, gridX + c * CELL_W + (CELL_W - textWidth(label)) / 2, gridY - GLYPH_HEIGHT - 3),
    );
    // The row title, written downward one letter per line beside the row labels.
    [...panel.rowTitle]
      .slice(0, Math.floor((panel.rows.length * CELL_H) / (GLYPH_HEIGHT + 1)))
      .forEach((ch, i) => canvas.text(ch, x0, gridY + i * (GLYPH_HEIGHT + 1)));
    panel.rows.forEach((label, r) => {
      canvas.text(label, gridX - textWidth(label) - 6, gridY + r * CELL_H + (CELL_H - GLYPH_HEIGHT) / 2);
      panel.columns.forEach((_, c) => {
        const v = panel.values[r][c];
        const linear = v === null || !(hi > lo) ? 0.5 : (v - lo) / (hi - lo);
        const t = panel.lowIsGood ? 1 - linear : linear;
        const colour = v === null ? EMPTY : rampColour(t);
        canvas.fill(gridX + c * CELL_W + 1, gridY + r * CELL_H + 1, CELL_W - 2, CELL_H - 2, colour);
        const text = panel.text?.[r]?.[c] ?? (v === null ? '' : v.toPrecision(3));
        const ink: Rgb = v !== null && t < 0.55 ? [255, 255, 255] : TEXT;
        canvas.text(
          text,
          Math.round(gridX + c * CELL_W + (CELL_W - textWidth(text)) / 2),
          gridY + r * CELL_H + (CELL_H - GLYPH_HEIGHT) / 2,
          ink,
        );
      });
    });
  });
  const format = { colorType: 2, inputColorType: 2, inputHasAlpha: false } as const;
  const { PNG } = require('pngjs') as typeof import('pngjs'); // on first use: require('heatbath') stays light
  const png = new PNG({ width: canvas.width, height: canvas.height, ...format });
  png.data = canvas.data;
  return PNG.sync.write(png, { ...format, filterType: 2 });
}

/** Encodes the heat maps and writes them atomically. */
export async function writeHeatMaps(file: string, panels: HeatPanel[], perRow?: number): Promise<void> {
  await writeFileAtomic(file, encodeHeatMaps(panels, perRow));
}
