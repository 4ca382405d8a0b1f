/**
 * Line plots as RGB PNG: a grid of panels, each with a title, axes with "nice" ticks (1, 2, 5 × 10^k),
 * axis labels and a legend below the axes. Text uses the built-in 5×7 bitmap font. Series take colours
 * from a fixed palette by name, in order of first appearance, so legends agree across panels.
 * Points with a non-finite x or y (or y <= 0 on a log axis) break the line; isolated points draw as dots.
 */
import { HeatbathError } from '../errors';
import { checkInteger, invalid } from '../util/validate';
import { writeFileAtomic } from './atomic';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphColumns } from './bitmap-font';

export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

export interface PlotPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** 'linear' (default) or 'log' y axis (log needs y > 0; non-positive points are skipped). */
  yScale?: 'linear' | 'log';
}

export interface LinePlotOptions {
  /** Panels per row (default 2, fewer if there are fewer panels). */
  columns?: number;
  /** Size of one panel in pixels (default 480 × 320). */
  panelWidth?: number;
  panelHeight?: number;
}

/** A colour as red, green, blue in 0…255. @inline */
export type Rgb = readonly [number, number, number];

/** Series colours, used in order; more than ten names reuse them. */
export const PLOT_PALETTE: readonly Rgb[] = [
  [31, 119, 180], // blue
  [255, 127, 14], // orange
  [44, 160, 44], // green
  [214, 39, 40], // red
  [148, 103, 189], // purple
  [140, 86, 75], // brown
  [227, 119, 194], // pink
  [127, 127, 127], // grey
  [188, 189, 34], // olive
  [23, 190, 207], // cyan
];

const TEXT: Rgb = [34, 34, 34];
const AXIS: Rgb = [68, 68, 68];
const GRID: Rgb = [230, 230, 230];

const MIN_PANEL_WIDTH = 160;
const MIN_PANEL_HEIGHT = 120;
const MAX_PANEL_SIZE = 4096;
const MAX_PIXELS = 1 << 26;
const PAD = 8; // space between the panel edge and its content
const TICK = 4; // tick mark length
const LINE_HALF_WIDTH = 1; // lines are 2 px wide
const DOT_RADIUS = 2.5;
const SWATCH = 14;
const LEGEND_ROW = GLYPH_HEIGHT + 4;
const LEGEND_GAP = 12;
const MIN_PLOT_HEIGHT = 40;

/** Half-open pixel rectangle: left <= x < right, top <= y < bottom. */
interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

// ---- Pixels and text ----------------------------------------------------------------------------

class Canvas {
  readonly data: Buffer;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = Buffer.alloc(width * height * 3, 255); // white RGB
  }

  blend(clip: Rect, x: number, y: number, colour: Rgb, alpha = 1): void {
    if (x < clip.left || x >= clip.right || y < clip.top || y >= clip.bottom) return;
    const o = 3 * (y * this.width + x);
    for (let c = 0; c < 3; c++) this.data[o + c] = Math.round(this.data[o + c] * (1 - alpha) + colour[c] * alpha);
  }

  fill(clip: Rect, x: number, y: number, w: number, h: number, colour: Rgb): void {
    for (let j = y; j < y + h; j++) for (let i = x; i < x + w; i++) this.blend(clip, i, j, colour);
  }
}

function textWidth(text: string, scale = 1): number {
  return text.length === 0 ? 0 : (text.length * GLYPH_ADVANCE - 1) * scale;
}

/** Shortens text with '...' so it is at most maxWidth pixels wide. */
function fitText(text: string, maxWidth: number, scale = 1): string {
  if (textWidth(text, scale) <= maxWidth) return text;
  const chars = Math.floor((maxWidth / scale + 1) / GLYPH_ADVANCE) - 3;
  return chars > 0 ? `${text.slice(0, chars)}...` : '';
}

/** Draws text with its top-left corner at (x, y); `upward` turns it 90° to read bottom to top from (x, y). */
function drawText(canvas: Canvas, clip: Rect, text: string, x: number, y: number, scale = 1, upward = false): void {
  for (let k = 0; k < text.length; k++) {
    const columns = glyphColumns(text[k]);
    for (let c = 0; c < GLYPH_WIDTH; c++) {
      for (let r = 0; r < GLYPH_HEIGHT; r++) {
        if (((columns[c] >> r) & 1) === 0) continue;
        const along = (k * GLYPH_ADVANCE + c) * scale;
        const across = r * scale;
        if (upward) canvas.fill(clip, x + across, y - along - scale + 1, scale, scale, TEXT);
        else canvas.fill(clip, x + along, y + across, scale, scale, TEXT);
      }
    }
  }
}

// ---- Axes ---------------------------------------------------------------------------------------

/** A data axis: `lo`…`hi` in plotted units (log10 of the data on a log axis) and ticks in the same units. */
interface Axis {
  lo: number;
  hi: number;
  ticks: number[];
  labels: string[];
}

function formatTick(value: number, step: number): string {
  if (value === 0) return '0';
  const stepExponent = Math.floor(Math.log10(step) + 1e-9);
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) {
    const exponent = Math.floor(Math.log10(abs) + 1e-9);
    return `${(value / 10 ** exponent).toFixed(Math.max(0, exponent - stepExponent))}e${exponent}`;
  }
  return value.toFixed(Math.max(0, -stepExponent));
}

function checkDrawable(lo: number, hi: number): void {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw invalid('plot values are too large to draw');
}

/** Widens a data range by 5 % each side; a (nearly) constant range gets a fixed pad instead. */
function padRange(lo: number, hi: number, constantPad: (mid: number) => number): [number, number] {
  checkDrawable(0, hi - lo);
  if (hi - lo > Math.max(1e-300, 1e-9 * Math.max(Math.abs(lo), Math.abs(hi)))) {
    const margin = 0.05 * (hi - lo);
    checkDrawable(lo - margin, hi + margin);
    return [lo - margin, hi + margin];
  }
  const mid = (lo + hi) / 2;
  const pad = constantPad(mid);
  checkDrawable(mid - pad, mid + pad);
  return [mid - pad, mid + pad];
}

function niceSteps(span: number): number[] {
  const top = Math.floor(Math.log10(span));
  const steps: number[] = [];
  for (const k of [top - 2, top - 1, top, top + 1]) for (const m of [1, 2, 5]) steps.push(m * 10 ** k);
  return steps;
}

function ticksOf(lo: number, hi: number, step: number): number[] {
  const [first, last] = [Math.ceil(lo / step - 1e-9), Math.floor(hi / step + 1e-9)];
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => (first + i) * step);
}

/** Nice linear ticks: 4-6 inside [lo, hi]; else widen the range by up to 30 % to a multiple of a step;
 *  else the step whose tick count inside [lo, hi] is closest to 5. Returns the range and the step. */
function chooseLinearTicks(lo: number, hi: number, mayWiden: boolean): { lo: number; hi: number; step: number } {
  const steps = niceSteps(hi - lo);
  const countOf = (step: number) => ticksOf(lo, hi, step).length;
  const byCloseness = (a: number, b: number) => Math.abs(countOf(a) - 5) - Math.abs(countOf(b) - 5);
  const inside = steps.filter((s) => countOf(s) >= 4 && countOf(s) <= 6).sort(byCloseness);
  if (inside.length > 0) return { lo, hi, step: inside[0] };
  if (mayWiden) {
    for (const step of steps) {
      const [wideLo, wideHi] = [Math.floor(lo / step) * step, Math.ceil(hi / step) * step];
      const count = Math.round((wideHi - wideLo) / step) + 1;
      if (count >= 4 && count <= 6 && wideHi - wideLo <= 1.3 * (hi - lo)) return { lo: wideLo, hi: wideHi, step };
    }
  }
  return { lo, hi, step: [...steps].sort(byCloseness)[0] };
}

function linearAxis(dataLo: number, dataHi: number): Axis {
  const [paddedLo, paddedHi] = padRange(dataLo, dataHi, (mid) => (mid === 0 ? 1 : 0.1 * Math.abs(mid)));
  const { lo, hi, step } = chooseLinearTicks(paddedLo, paddedHi, true);
  const ticks = ticksOf(lo, hi, step);
  return { lo, hi, ticks, labels: ticks.map((t) => formatTick(t, step)) };
}

/** Log axis over log10 values: decade ticks when the range spans several decades, else 1-2-5 or linear ticks. */
function logAxis(dataLo: number, dataHi: number): Axis {
  const [lo, hi] = padRange(dataLo, dataHi, () => 0.5);
  const decades = (every: number) => ticksOf(lo, hi, every);
  const decadeAxis = (): Axis => {
    const every = niceSteps(hi - lo).find((step) => step >= 1 && decades(step).length <= 6) ?? 1;
    const ticks = decades(every);
    return { lo, hi, ticks, labels: ticks.map((t) => formatTick(10 ** t, 10 ** t)) };
  };
  const valued = (values: number[], step: (v: number) => number): Axis => ({
    lo,
    hi,
    ticks: values.map(Math.log10),
    labels: values.map((v) => formatTick(v, step(v))),
  });
  if (decades(1).length >= 3) return decadeAxis();
  const oneTwoFive: number[] = [];
  for (let k = Math.floor(lo); k <= Math.ceil(hi); k++) {
    for (const m of [1, 2, 5]) {
      const u = Math.log10(m) + k;
      if (u >= lo - 1e-9 && u <= hi + 1e-9) oneTwoFive.push(m * 10 ** k);
    }
  }
  if (oneTwoFive.length >= 3 && oneTwoFive.length <= 7) {
    return valued(oneTwoFive, (v) => 10 ** Math.floor(Math.log10(v) + 1e-9));
  }
  if (decades(1).length >= 2) return decadeAxis();
  const [linearLo, linearHi] = [10 ** lo, Math.min(10 ** hi, Number.MAX_VALUE)];
  const { step } = chooseLinearTicks(linearLo, linearHi, false);
  return valued(ticksOf(linearLo, linearHi, step), () => step);
}

// ---- Series geometry ----------------------------------------------------------------------------

/** A series in plotted units: x and y (log10 y on a log axis), NaN where the point is skipped. */
interface Curve {
  name: string;
  x: Float64Array;
  y: Float64Array;
}

function toCurve(series: LineSeries, log: boolean): Curve {
  const n = series.x.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const [px, py] = [series.x[k], series.y[k]];
    const ok = Number.isFinite(px) && Number.isFinite(py) && (!log || py > 0);
    x[k] = ok ? px : NaN;
    y[k] = ok ? (log ? Math.log10(py) : py) : NaN;
  }
  return { name: series.name, x, y };
}

function extent(arrays: Float64Array[]): [number, number] | undefined {
  let [lo, hi] = [Infinity, -Infinity];
  for (const a of arrays) {
    for (const v of a) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : undefined;
}

function distanceToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const [dx, dy] = [bx - ax, by - ay];
  const lengthSquared = dx * dx + dy * dy;
  const t = lengthSquared > 0 ? Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / lengthSquared)) : 0;
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/** Per-pixel coverage of one series in the plot area; kept as a maximum so joints are not painted twice.
 *  Painting clears it again, so one buffer serves every series of a panel. */
class Coverage {
  private readonly alpha: Float32Array;
  private readonly width: number;
  private touched = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };

  constructor(private readonly area: Rect) {
    this.width = area.right - area.left;
    this.alpha = new Float32Array(this.width * (area.bottom - area.top));
  }

  private mark(i: number, j: number, distance: number, radius: number): void {
    const { left, top, right, bottom } = this.area;
    if (i < left || i >= right || j < top || j >= bottom) return;
    const a = Math.min(1, Math.max(0, radius + 0.5 - distance)); // 1-px anti-aliased edge
    if (a === 0) return;
    const k = (j - top) * this.width + (i - left);
    if (a > this.alpha[k]) this.alpha[k] = a;
    const t = this.touched;
    if (i < t.left) t.left = i;
    if (i >= t.right) t.right = i + 1;
    if (j < t.top) t.top = j;
    if (j >= t.bottom) t.bottom = j + 1;
  }

  /** A round-capped segment: scans the major axis and a few pixels either side of the line. */
  segment(ax: number, ay: number, bx: number, by: number, halfWidth: number): void {
    const steep = Math.abs(by - ay) > Math.abs(bx - ax);
    const [a0, a1, b0, b1] = steep ? [ay, by, ax, bx] : [ax, bx, ay, by];
    const reach = halfWidth + 1;
    const slope = a1 === a0 ? 0 : (b1 - b0) / (a1 - a0);
    for (let m = Math.floor(Math.min(a0, a1) - reach); m <= Math.floor(Math.max(a0, a1) + reach); m++) {
      const along = Math.min(Math.max(a0, a1), Math.max(Math.min(a0, a1), m + 0.5));
      const centre = b0 + slope * (along - a0);
      for (let n = Math.floor(centre - 1.5 * reach); n <= Math.floor(centre + 1.5 * reach); n++) {
        const i = steep ? n : m;
        const j = steep ? m : n;
        this.mark(i, j, distanceToSegment(i + 0.5, j + 0.5, ax, ay, bx, by), halfWidth);
      }
    }
  }

  dot(cx: number, cy: number, radius: number): void {
    for (let j = Math.floor(cy - radius - 1); j <= Math.floor(cy + radius + 1); j++) {
      for (let i = Math.floor(cx - radius - 1); i <= Math.floor(cx + radius + 1); i++) {
        this.mark(i, j, Math.hypot(i + 0.5 - cx, j + 0.5 - cy), radius);
      }
    }
  }

  paintAndClear(canvas: Canvas, colour: Rgb): void {
    const { left, top, right, bottom } = this.touched;
    for (let j = top; j < bottom; j++) {
      for (let i = left; i < right; i++) {
        const k = (j - this.area.top) * this.width + (i - this.area.left);
        if (this.alpha[k] > 0) canvas.blend(this.area, i, j, colour, this.alpha[k]);
        this.alpha[k] = 0;
      }
    }
    this.touched = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
  }
}

function strokeCurve(canvas: Canvas, coverage: Coverage, px: Float64Array, py: Float64Array, colour: Rgb): void {
  for (let start = 0; start < px.length;) {
    if (Number.isNaN(px[start])) {
      start++;
      continue;
    }
    let end = start;
    while (end + 1 < px.length && !Number.isNaN(px[end + 1])) end++;
    if (end === start) coverage.dot(px[start], py[start], DOT_RADIUS);
    for (let k = start; k < end; k++) coverage.segment(px[k], py[k], px[k + 1], py[k + 1], LINE_HALF_WIDTH);
    start = end + 1;
  }
  coverage.paintAndClear(canvas, colour);
}

// ---- Legend -------------------------------------------------------------------------------------

interface LegendEntry {
  name: string;
  colour: Rgb;
}

function entryWidth(entry: LegendEntry): number {
  return SWATCH + 4 + textWidth(entry.name);
}

function rowWidth(row: LegendEntry[]): number {
  return row.reduce((sum, e) => sum + entryWidth(e), 0) + LEGEND_GAP * Math.max(0, row.length - 1);
}

/** Greedy rows of entries; entries beyond maxRows are summarised as "+N more" on the last row. */
function layoutLegend(entries: LegendEntry[], width: number, maxRows: number): { rows: LegendEntry[][]; more: string } {
  const rows: LegendEntry[][] = [];
  let placed = 0;
  for (const entry of entries) {
    const row = rows[rows.length - 1];
    if (row && rowWidth([...row, entry]) <= width) row.push(entry);
    else if (rows.length < maxRows) rows.push([entry]);
    else break;
    placed++;
  }
  let omitted = entries.length - placed;
  const more = () => (omitted > 0 ? `+${omitted} more` : '');
  const last = rows[rows.length - 1];
  while (omitted > 0 && last.length > 0 && rowWidth(last) + LEGEND_GAP + textWidth(more()) > width) {
    last.pop();
    omitted++;
  }
  return { rows: rows.filter((row) => row.length > 0), more: more() };
}

function drawLegend(canvas: Canvas, frame: Rect, rows: LegendEntry[][], more: string, top: number): void {
  rows.forEach((row, r) => {
    const moreWidth = more && r === rows.length - 1 ? LEGEND_GAP + textWidth(more) : 0;
    let x = Math.round((frame.left + frame.right - rowWidth(row) - moreWidth) / 2);
    const y = top + r * LEGEND_ROW;
    for (const entry of row) {
      canvas.fill(frame, x, y + 2, SWATCH, 3, entry.colour);
      drawText(canvas, frame, entry.name, x + SWATCH + 4, y);
      x += entryWidth(entry) + LEGEND_GAP;
    }
    if (moreWidth > 0) drawText(canvas, frame, more, x, y);
  });
}

// ---- Panels -------------------------------------------------------------------------------------

function drawPanel(canvas: Canvas, frame: Rect, panel: PlotPanel, colourOf: (name: string) => Rgb): void {
  const log = panel.yScale === 'log';
  const curves = panel.series.map((s) => toCurve(s, log));
  const [xLo, xHi] = extent(curves.map((c) => c.x)) ?? [0, 1];
  const [yLo, yHi] = extent(curves.map((c) => c.y)) ?? [0, 1];
  const xAxis = linearAxis(xLo, xHi);
  const yAxis = log ? logAxis(yLo, yHi) : linearAxis(yLo, yHi);
  const frameWidth = frame.right - frame.left;

  // Vertical layout: title, plot area, tick labels, x label, legend.
  const titleScale = textWidth(panel.title, 2) <= frameWidth - 2 * PAD ? 2 : 1;
  const areaTop = frame.top + PAD + GLYPH_HEIGHT * titleScale + 8;
  const belowArea = 1 + TICK + 3 + GLYPH_HEIGHT + 4 + GLYPH_HEIGHT + PAD;
  const legendRoom = frame.bottom - belowArea - 4 - areaTop - MIN_PLOT_HEIGHT;
  const entries = curves.map((c) => ({
    name: fitText(c.name, frameWidth - 2 * PAD - SWATCH - 4),
    colour: colourOf(c.name),
  }));
  const legend = layoutLegend(entries, frameWidth - 2 * PAD, Math.max(1, Math.floor(legendRoom / LEGEND_ROW)));
  const legendHeight = legend.rows.length > 0 ? 8 + legend.rows.length * LEGEND_ROW - 4 : 0;
  const areaBottom = frame.bottom - belowArea - legendHeight;

  // Horizontal layout: y label (turned upward), y tick labels, plot area.
  const yLabelWidth = Math.max(0, ...yAxis.labels.map((l) => textWidth(l)));
  const areaLeft = frame.left + PAD + GLYPH_HEIGHT + 6 + yLabelWidth + 3 + TICK + 1;
  const lastXLabel = textWidth(xAxis.labels[xAxis.labels.length - 1] ?? '');
  const areaRight = frame.right - Math.max(PAD, Math.ceil(lastXLabel / 2) + 2) - 1;
  const area: Rect = { left: areaLeft, top: areaTop, right: areaRight, bottom: areaBottom };
  const mapX = (v: number) => area.left + ((v - xAxis.lo) / (xAxis.hi - xAxis.lo)) * (area.right - area.left);
  const mapY = (v: number) => area.bottom - ((v - yAxis.lo) / (yAxis.hi - yAxis.lo)) * (area.bottom - area.top);
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const xTicks = xAxis.ticks.map((t) => clamp(Math.floor(mapX(t)), area.left, area.right - 1));
  const yTicks = yAxis.ticks.map((t) => clamp(Math.floor(mapY(t)), area.top, area.bottom - 1));

  for (const i of xTicks) canvas.fill(area, i, area.top, 1, area.bottom - area.top, GRID);
  for (const j of yTicks) canvas.fill(area, area.left, j, area.right - area.left, 1, GRID);
  const coverage = new Coverage(area);
  curves.forEach((c) => strokeCurve(canvas, coverage, c.x.map(mapX), c.y.map(mapY), colourOf(c.name)));

  const [boxWidth, boxHeight] = [area.right - area.left + 2, area.bottom - area.top + 2];
  canvas.fill(frame, area.left - 1, area.top - 1, boxWidth, 1, AXIS);
  canvas.fill(frame, area.left - 1, area.bottom, boxWidth, 1, AXIS);
  canvas.fill(frame, area.left - 1, area.top - 1, 1, boxHeight, AXIS);
  canvas.fill(frame, area.right, area.top - 1, 1, boxHeight, AXIS);

  const xLabelTop = area.bottom + 1 + TICK + 3;
  xTicks.forEach((i, k) => {
    canvas.fill(frame, i, area.bottom + 1, 1, TICK, AXIS);
    drawText(canvas, frame, xAxis.labels[k], i - Math.floor(textWidth(xAxis.labels[k]) / 2), xLabelTop);
  });
  yTicks.forEach((j, k) => {
    canvas.fill(frame, area.left - 1 - TICK, j, TICK, 1, AXIS);
    drawText(canvas, frame, yAxis.labels[k], area.left - 1 - TICK - 3 - textWidth(yAxis.labels[k]), j - 3);
  });

  const areaWidth = area.right - area.left;
  const centreX = (text: string, scale = 1) => Math.round((area.left + area.right - textWidth(text, scale)) / 2);
  const title = fitText(panel.title, frameWidth - 2 * PAD, titleScale);
  const titleLeft = clamp(
    centreX(title, titleScale),
    frame.left + PAD,
    frame.right - PAD - textWidth(title, titleScale),
  );
  drawText(canvas, frame, title, titleLeft, frame.top + PAD, titleScale);
  const xLabel = fitText(panel.xLabel, areaWidth);
  const xLabelRow = xLabelTop + GLYPH_HEIGHT + 4;
  drawText(canvas, frame, xLabel, centreX(xLabel), xLabelRow);
  const yLabel = fitText(panel.yLabel, area.bottom - area.top);
  const yLabelBottom = Math.round((area.top + area.bottom + textWidth(yLabel)) / 2) - 1;
  drawText(canvas, frame, yLabel, frame.left + PAD, yLabelBottom, 1, true);
  drawLegend(canvas, frame, legend.rows, legend.more, xLabelRow + GLYPH_HEIGHT + 8);
}

// ---- Input checks and entry points --------------------------------------------------------------

function checkSeries(series: unknown, where: string, names: Set<string>): void {
  const s = series as Partial<LineSeries> | null;
  if (typeof s !== 'object' || s === null) throw invalid(`${where} must be an object`);
  if (typeof s.name !== 'string' || s.name.length === 0) throw invalid(`${where}.name must be a non-empty string`);
  if (names.has(s.name)) throw invalid(`${where}.name '${s.name}' is used twice in one panel`);
  names.add(s.name);
  for (const key of ['x', 'y'] as const) {
    const values = s[key];
    if (values == null || typeof values !== 'object' || typeof values.length !== 'number') {
      throw invalid(`${where}.${key} must be an array of numbers`);
    }
    for (let k = 0; k < values.length; k++) {
      if (typeof values[k] !== 'number')
        throw invalid(`${where}.${key}[${k}] must be a number, got ${typeof values[k]}`);
    }
  }
  if (s.x!.length !== s.y!.length) throw invalid(`${where} has ${s.x!.length} x values but ${s.y!.length} y values`);
}

function checkPanels(panels: unknown): asserts panels is PlotPanel[] {
  if (!Array.isArray(panels) || panels.length === 0) throw invalid('a line plot needs at least one panel');
  panels.forEach((value, p) => {
    const panel = value as Partial<PlotPanel> | null;
    const where = `panels[${p}]`;
    if (typeof panel !== 'object' || panel === null) throw invalid(`${where} must be an object`);
    for (const key of ['title', 'xLabel', 'yLabel'] as const) {
      if (typeof panel[key] !== 'string') throw invalid(`${where}.${key} must be a string`);
    }
    if (panel.yScale !== undefined && panel.yScale !== 'linear' && panel.yScale !== 'log') {
      throw invalid(`${where}.yScale must be 'linear' or 'log', got ${String(panel.yScale)}`);
    }
    if (!Array.isArray(panel.series)) throw invalid(`${where}.series must be an array`);
    const names = new Set<string>();
    panel.series.forEach((s, k) => checkSeries(s, `${where}.series[${k}]`, names));
  });
}

export function encodeLinePlot(panels: PlotPanel[], options: LinePlotOptions = {}): Buffer {
  checkPanels(panels);
  if (typeof options !== 'object' || options === null) throw invalid('line plot options must be an object');
  const columns = Math.min(panels.length, checkInteger('columns', options.columns ?? 2, 1, 64));
  const panelWidth = checkInteger('panelWidth', options.panelWidth ?? 480, MIN_PANEL_WIDTH, MAX_PANEL_SIZE);
  const panelHeight = checkInteger('panelHeight', options.panelHeight ?? 320, MIN_PANEL_HEIGHT, MAX_PANEL_SIZE);
  const rows = Math.ceil(panels.length / columns);
  if (columns * panelWidth * rows * panelHeight > MAX_PIXELS) {
    throw new HeatbathError(
      'ERR_TOO_LARGE',
      `a ${columns * panelWidth}×${rows * panelHeight} plot has too many pixels`,
    );
  }

  const colourIndex = new Map<string, number>();
  for (const panel of panels) {
    for (const s of panel.series) if (!colourIndex.has(s.name)) colourIndex.set(s.name, colourIndex.size);
  }
  const colourOf = (name: string) => PLOT_PALETTE[colourIndex.get(name)! % PLOT_PALETTE.length];

  const canvas = new Canvas(columns * panelWidth, rows * panelHeight);
  panels.forEach((panel, k) => {
    const left = (k % columns) * panelWidth;
    const top = Math.floor(k / columns) * panelHeight;
    drawPanel(canvas, { left, top, right: left + panelWidth, bottom: top + panelHeight }, panel, colourOf);
  });
  const format = { colorType: 2, inputColorType: 2, inputHasAlpha: false } as const;
  const { PNG } = require('pngjs') as typeof import('pngjs'); // on first use: require('heatbath') stays light
  const png = new PNG({ width: canvas.width, height: canvas.height, ...format });
  png.data = canvas.data;
  // The "Up" filter alone: smallest for plots, and much faster than trying every filter on each row.
  return PNG.sync.write(png, { ...format, filterType: 2 });
}

/** Encodes the plot and writes it atomically (the previous file survives a failure). */
export async function writeLinePlot(file: string, panels: PlotPanel[], options?: LinePlotOptions): Promise<void> {
  await writeFileAtomic(file, encodeLinePlot(panels, options));
}
