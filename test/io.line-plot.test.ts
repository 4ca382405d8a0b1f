import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphColumns } from '../lib/io/bitmap-font';
import { encodeLinePlot, LineSeries, PLOT_PALETTE, PlotPanel, Rgb, writeLinePlot } from '../lib/io/line-plot';

interface Box {
  left: number;
  top: number;
  right: number; // exclusive
  bottom: number; // exclusive
}

class Image {
  readonly png: PNG;

  constructor(bytes: Buffer) {
    this.png = PNG.sync.read(bytes);
  }

  rgb(x: number, y: number): [number, number, number] {
    const o = 4 * (y * this.png.width + x);
    return [this.png.data[o], this.png.data[o + 1], this.png.data[o + 2]];
  }

  is(x: number, y: number, colour: Rgb): boolean {
    const [r, g, b] = this.rgb(x, y);
    return r === colour[0] && g === colour[1] && b === colour[2];
  }

  count(box: Box, test: (x: number, y: number) => boolean): number {
    let n = 0;
    for (let y = box.top; y < box.bottom; y++) for (let x = box.left; x < box.right; x++) if (test(x, y)) n++;
    return n;
  }

  countColour(box: Box, colour: Rgb): number {
    return this.count(box, (x, y) => this.is(x, y, colour));
  }

  /** Centroid row of the pixels of one colour inside a box. */
  meanRow(box: Box, colour: Rgb): number {
    let [sum, n] = [0, 0];
    for (let y = box.top; y < box.bottom; y++) {
      for (let x = box.left; x < box.right; x++) if (this.is(x, y, colour)) [sum, n] = [sum + y, n + 1];
    }
    return sum / n;
  }

  /** The inside of a panel's axes box, found as the two longest lines of the axis grey. */
  plotArea(panel: Box): Box {
    const axis: Rgb = [68, 68, 68];
    const columns = new Map<number, number>();
    const rows = new Map<number, number>();
    for (let y = panel.top; y < panel.bottom; y++) {
      for (let x = panel.left; x < panel.right; x++) {
        if (!this.is(x, y, axis)) continue;
        columns.set(x, (columns.get(x) ?? 0) + 1);
        rows.set(y, (rows.get(y) ?? 0) + 1);
      }
    }
    const longestTwo = (counts: Map<number, number>) =>
      [...counts.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 2)
        .map(([k]) => k)
        .sort((a, b) => a - b);
    const [left, right] = longestTwo(columns);
    const [top, bottom] = longestTwo(rows);
    return { left: left + 1, top: top + 1, right, bottom };
  }

  /** Top-left corners of every place where `text` is drawn inside a box: the glyphs' dark pixels, blank
   *  pixels between them and 3 blank columns either side (so '0' does not match inside '50'). */
  findText(box: Box, text: string): { x: number; y: number }[] {
    const dark = (x: number, y: number) => this.rgb(x, y).every((v) => v < 50);
    const width = text.length * GLYPH_ADVANCE - 1;
    const hits: { x: number; y: number }[] = [];
    for (let y = box.top; y + GLYPH_HEIGHT <= box.bottom; y++) {
      for (let x = box.left; x + width <= box.right; x++) {
        let match = true;
        for (const side of [x - 3, x - 2, x - 1, x + width, x + width + 1, x + width + 2]) {
          for (let r = 0; r < GLYPH_HEIGHT && match; r++)
            match = side < box.left || side >= box.right || !dark(side, y + r);
        }
        for (let k = 0; k < text.length && match; k++) {
          const columns = glyphColumns(text[k]);
          for (let c = 0; c < GLYPH_WIDTH && match; c++) {
            for (let r = 0; r < GLYPH_HEIGHT && match; r++) {
              match = dark(x + k * GLYPH_ADVANCE + c, y + r) === (((columns[c] >> r) & 1) === 1);
            }
          }
        }
        if (match) hits.push({ x, y });
      }
    }
    return hits;
  }
}

const FULL_PANEL: Box = { left: 0, top: 0, right: 480, bottom: 320 };
const series = (name: string, x: number[], y: number[]): LineSeries => ({ name, x, y });
const panel = (s: LineSeries[], extra: Partial<PlotPanel> = {}): PlotPanel => ({
  title: 'title',
  xLabel: 'x',
  yLabel: 'y',
  series: s,
  ...extra,
});
const quadrants = (a: Box) => {
  const [mx, my] = [Math.floor((a.left + a.right) / 2), Math.floor((a.top + a.bottom) / 2)];
  return {
    upperLeft: { left: a.left, top: a.top, right: mx - 4, bottom: my - 4 },
    upperRight: { left: mx + 4, top: a.top, right: a.right, bottom: my - 4 },
    lowerLeft: { left: a.left, top: my + 4, right: mx - 4, bottom: a.bottom },
    lowerRight: { left: mx + 4, top: my + 4, right: a.right, bottom: a.bottom },
  };
};

describe('layout', () => {
  test('panels sit in a grid of the requested size on white', () => {
    const one = new Image(encodeLinePlot([panel([series('a', [0, 1], [0, 1])])]));
    expect([one.png.width, one.png.height]).toEqual([480, 320]);
    const three = new Image(
      encodeLinePlot([panel([]), panel([]), panel([])], { columns: 2, panelWidth: 300, panelHeight: 200 }),
    );
    expect([three.png.width, three.png.height]).toEqual([600, 400]);
    const white: Rgb = [255, 255, 255];
    const emptySlot = { left: 300, top: 200, right: 600, bottom: 400 };
    expect(three.countColour(emptySlot, white)).toBe(300 * 200);
    expect(three.countColour({ left: 0, top: 0, right: 600, bottom: 400 }, white)).toBeGreaterThan(0.85 * 600 * 400);
    const wide = new Image(encodeLinePlot([panel([]), panel([])], { columns: 1 }));
    expect([wide.png.width, wide.png.height]).toEqual([480, 640]);
  });

  test('a rising diagonal crosses the lower-left and upper-right of the plot area, not the other corners', () => {
    const image = new Image(encodeLinePlot([panel([series('rising', [0, 1], [0, 1])])]));
    const area = image.plotArea(FULL_PANEL);
    expect(area.right - area.left).toBeGreaterThan(350);
    expect(area.bottom - area.top).toBeGreaterThan(200);
    const blue = PLOT_PALETTE[0];
    const q = quadrants(area);
    expect(image.countColour(q.lowerLeft, blue)).toBeGreaterThan(100);
    expect(image.countColour(q.upperRight, blue)).toBeGreaterThan(100);
    expect(image.countColour(q.upperLeft, blue)).toBe(0);
    expect(image.countColour(q.lowerRight, blue)).toBe(0);
    // With 5 % margins the line runs from 1/22 to 21/22 of the area, through its centre, about 2 px wide.
    const cx = Math.floor((area.left + area.right) / 2);
    const column = { left: cx, top: area.top, right: cx + 1, bottom: area.bottom };
    expect(Math.abs(image.meanRow(column, blue) - (area.top + area.bottom) / 2)).toBeLessThan(2);
    const inkInColumn = image.count(column, (x, y) => !image.rgb(x, y).every((v) => v >= 230));
    expect(inkInColumn).toBeGreaterThanOrEqual(2);
    expect(inkInColumn).toBeLessThanOrEqual(5);
    const startColumn = Math.round(area.left + (area.right - area.left) / 22);
    expect(image.countColour({ ...column, left: startColumn - 6, right: startColumn - 3 }, blue)).toBe(0);
    expect(image.countColour({ ...column, left: startColumn + 1, right: startColumn + 4 }, blue)).toBeGreaterThan(0);
  });

  test('x ticks are nice numbers, labelled under equally spaced tick marks', () => {
    const image = new Image(encodeLinePlot([panel([series('s', [0, 200], [0.1, 0.9])])]));
    const area = image.plotArea(FULL_PANEL);
    const below = { left: 0, top: area.bottom, right: 480, bottom: area.bottom + 20 };
    const centres = ['0', '50', '100', '150', '200'].map((label) => {
      const hits = image.findText(below, label);
      expect(hits).toHaveLength(1);
      return hits[0].x + (label.length * GLYPH_ADVANCE - 1) / 2;
    });
    const gaps = centres.slice(1).map((c, k) => c - centres[k]);
    for (const gap of gaps) expect(Math.abs(gap - gaps[0])).toBeLessThanOrEqual(1);
    expect(image.findText(below, '250')).toHaveLength(0);
    const left = { left: 0, top: area.top, right: area.left, bottom: area.bottom };
    for (const label of ['0.2', '0.4', '0.6', '0.8']) expect(image.findText(left, label)).toHaveLength(1);
  });

  test('every axis range gets 3-7 tick marks, mostly 4-6', () => {
    let withinFourToSix = 0;
    const ranges = [
      [0, 1],
      [0, 7],
      [-3, 3],
      [0.31, 0.37],
      [1e-4, 3e-4],
      [17, 3000],
      [-250, 9],
      [1e6, 1.3e6],
      [2, 2.5],
      [0.9, 42],
    ];
    for (const [lo, hi] of ranges) {
      const image = new Image(encodeLinePlot([panel([series('s', [lo, hi], [0, 1])])]));
      const area = image.plotArea(FULL_PANEL);
      const marks = image.countColour(
        { left: area.left - 1, top: area.bottom + 2, right: area.right + 1, bottom: area.bottom + 3 },
        [68, 68, 68],
      );
      expect(marks).toBeGreaterThanOrEqual(3);
      expect(marks).toBeLessThanOrEqual(7);
      if (marks >= 4 && marks <= 6) withinFourToSix++;
    }
    expect(withinFourToSix).toBeGreaterThanOrEqual(8);
  });

  test('panel titles and axis labels are drawn in the font, long ones shortened', () => {
    const long = 'a title far too long to fit across a single panel of the plot, even when drawn at the smaller size';
    const image = new Image(encodeLinePlot([panel([], { title: long, xLabel: 'iteration', yLabel: 'loss' })]));
    expect(image.findText(FULL_PANEL, 'iteration')).toHaveLength(1);
    expect(image.findText({ left: 0, top: 0, right: 480, bottom: 20 }, 'a title far')).toHaveLength(1); // 1× when 2× is too wide
    const dark = (x: number, y: number) => image.rgb(x, y).every((v) => v < 50);
    expect(image.count({ left: 472, top: 0, right: 480, bottom: 20 }, dark)).toBe(0); // shortened, not overflowing
    expect(image.count({ left: 440, top: 0, right: 472, bottom: 20 }, dark)).toBeGreaterThan(0);
  });
});

describe('series', () => {
  test('colours follow the palette by name, the same in every panel and legend', () => {
    const image = new Image(
      encodeLinePlot([
        panel([series('SGD', [0, 1], [0, 1]), series('Adam', [0, 1], [1, 0])]),
        panel([series('Adam', [0, 1], [0, 1]), series('TNGD', [0, 1], [1, 0])]),
      ]),
    );
    const [first, second] = [FULL_PANEL, { ...FULL_PANEL, left: 480, right: 960 }];
    expect(image.countColour(first, PLOT_PALETTE[0])).toBeGreaterThan(100);
    expect(image.countColour(first, PLOT_PALETTE[1])).toBeGreaterThan(100);
    expect(image.countColour(second, PLOT_PALETTE[0])).toBe(0);
    expect(image.countColour(second, PLOT_PALETTE[1])).toBeGreaterThan(100);
    expect(image.countColour(second, PLOT_PALETTE[2])).toBeGreaterThan(100);
    // Legend: a swatch of the series colour just left of its name, below the plot area.
    const area = image.plotArea(second);
    const [hit] = image.findText({ ...second, top: area.bottom }, 'Adam');
    expect(hit).toBeDefined();
    expect(image.is(hit.x - 8, hit.y + 3, PLOT_PALETTE[1])).toBe(true);
    expect(image.findText({ ...second, top: area.bottom }, 'TNGD')).toHaveLength(1);
  });

  test('a log axis places 1, 10 and 100 equally spaced; a linear axis does not', () => {
    const dots = [1, 10, 100].map((v, k) => series(`v${k}`, [0], [v]));
    const nonPositive = series('skipped', [0, 1], [0, -5]);
    const log = new Image(encodeLinePlot([panel([...dots, nonPositive], { yScale: 'log' })]));
    const area = log.plotArea(FULL_PANEL);
    const rows = PLOT_PALETTE.slice(0, 3).map((c) => log.meanRow(area, c));
    expect(rows[0]).toBeGreaterThan(rows[1]); // larger values are higher up
    expect(Math.abs(rows[0] - rows[1] - (rows[1] - rows[2]))).toBeLessThan(0.5);
    expect(log.countColour(area, PLOT_PALETTE[3])).toBe(0);
    const labels = ['1', '10', '100'].map((l) =>
      log.findText({ left: 0, top: area.top, right: area.left, bottom: area.bottom }, l),
    );
    labels.forEach((hits) => expect(hits).toHaveLength(1));
    expect(Math.abs(labels[0][0].y - labels[1][0].y - (labels[1][0].y - labels[2][0].y))).toBeLessThanOrEqual(1);

    const linear = new Image(encodeLinePlot([panel(dots)]));
    const linearArea = linear.plotArea(FULL_PANEL);
    const linearRows = PLOT_PALETTE.slice(0, 3).map((c) => linear.meanRow(linearArea, c));
    expect(linearRows[1] - linearRows[2]).toBeGreaterThan(5 * (linearRows[0] - linearRows[1]));
  });

  test('a single point draws a dot at its place', () => {
    const image = new Image(encodeLinePlot([panel([series('point', [3], [7])])]));
    const area = image.plotArea(FULL_PANEL);
    const dot = image.countColour(area, PLOT_PALETTE[0]);
    expect(dot).toBeGreaterThanOrEqual(12); // a disc of radius 2.5
    expect(dot).toBeLessThanOrEqual(30);
    expect(Math.abs(image.meanRow(area, PLOT_PALETTE[0]) - (area.top + area.bottom) / 2)).toBeLessThan(1.5);
  });

  test('NaN and Infinity break the line', () => {
    const x = [0, 1, 2, 3, 4];
    const whole = new Image(encodeLinePlot([panel([series('s', x, [0, 1, 2, 3, 4])])]));
    const broken = new Image(
      encodeLinePlot([panel([series('s', x, [0, 1, NaN, 3, 4]), series('t', x, [4, Infinity, 2, 1, 0])])]),
    );
    const area = whole.plotArea(FULL_PANEL);
    expect(broken.plotArea(FULL_PANEL)).toEqual(area);
    const at = (v: number) => Math.floor(area.left + ((v + 0.2) / 4.4) * (area.right - area.left));
    const columns = (v: number) => ({ left: at(v) - 3, top: area.top, right: at(v) + 4, bottom: area.bottom });
    const [s, t] = PLOT_PALETTE;
    expect(whole.countColour(columns(1.5), s)).toBeGreaterThan(0);
    expect(whole.countColour(columns(2.5), s)).toBeGreaterThan(0);
    // Points 1 and 3 still join their other neighbours: the gap spans (1, 3) for s.
    expect(broken.countColour(columns(0.5), s)).toBeGreaterThan(0);
    expect(broken.countColour(columns(1.5), s)).toBe(0);
    expect(broken.countColour(columns(2), s)).toBe(0);
    expect(broken.countColour(columns(2.5), s)).toBe(0);
    expect(broken.countColour(columns(3.5), s)).toBeGreaterThan(0);
    // For t the isolated point at x = 0 becomes a dot, the gap spans (0, 2).
    expect(broken.countColour(columns(0), t)).toBeGreaterThan(0);
    expect(broken.countColour(columns(1), t)).toBe(0);
    expect(broken.countColour(columns(3), t)).toBeGreaterThan(0);
  });

  test('constant series and all-NaN series draw without dividing by zero', () => {
    const flat = new Image(encodeLinePlot([panel([series('flat', [0, 1, 2], [5, 5, 5])])]));
    const area = flat.plotArea(FULL_PANEL);
    expect(Math.abs(flat.meanRow(area, PLOT_PALETTE[0]) - (area.top + area.bottom) / 2)).toBeLessThan(1.5);
    const upright = new Image(
      encodeLinePlot([panel([series('upright', [2, 2], [0, 0]), series('zero', [0, 0], [0, 1])])]),
    );
    expect(upright.countColour(FULL_PANEL, PLOT_PALETTE[1])).toBeGreaterThan(100);
    const nothing = new Image(encodeLinePlot([panel([series('nan', [NaN, 1], [1, NaN])], { yScale: 'log' })]));
    expect(nothing.countColour(nothing.plotArea(FULL_PANEL), PLOT_PALETTE[0])).toBe(0);
  });

  test('a legend too long for the panel ends with "+N more"', () => {
    const many = Array.from({ length: 40 }, (_, k) => series(`series number ${k}`, [0, 1], [k, k + 1]));
    const image = new Image(encodeLinePlot([panel(many)], { panelWidth: 240, panelHeight: 160 }));
    const small = { left: 0, top: 0, right: 240, bottom: 160 };
    expect(image.findText(small, 'more')).toHaveLength(1);
    const area = image.plotArea(small);
    expect(area.bottom - area.top).toBeGreaterThanOrEqual(40);
  });
});

test('the font has a distinct, visible glyph for every printable character', () => {
  const seen = new Set<string>();
  for (let code = 33; code <= 126; code++) {
    const columns = glyphColumns(String.fromCharCode(code));
    expect(columns.some((c) => c !== 0)).toBe(true);
    expect(columns.every((c) => c < 1 << GLYPH_HEIGHT)).toBe(true);
    seen.add(Array.from(columns).join(','));
  }
  expect(seen.size).toBe(94);
  expect(Array.from(glyphColumns(' '))).toEqual([0, 0, 0, 0, 0]);
  expect(Array.from(glyphColumns('\u00e9'))).toEqual(Array.from(glyphColumns('?')));
  // Drawn text is findable character by character: 'Il1' and 'lI1' render differently.
  const image = new Image(encodeLinePlot([panel([], { title: 'Il1 O0 5S' })]));
  expect(image.findText(FULL_PANEL, 'Il1')).toHaveLength(0); // titles are drawn at twice the size
  const small = new Image(encodeLinePlot([panel([], { title: '', xLabel: 'Il1 O0 5S' })]));
  expect(small.findText(FULL_PANEL, 'Il1 O0 5S')).toHaveLength(1);
  expect(small.findText(FULL_PANEL, 'lI1 0O S5')).toHaveLength(0);
});

describe('bad input', () => {
  const good = [panel([series('a', [0, 1], [0, 1])])];
  const code = { code: 'ERR_INVALID_ARGUMENT' };

  test.each([
    ['no panels', () => encodeLinePlot([])],
    ['not an array', () => encodeLinePlot(undefined as unknown as PlotPanel[])],
    ['x/y length mismatch', () => encodeLinePlot([panel([series('a', [0, 1, 2], [0, 1])])])],
    ['empty name', () => encodeLinePlot([panel([series('', [0], [0])])])],
    ['duplicate name in a panel', () => encodeLinePlot([panel([series('a', [0], [0]), series('a', [1], [1])])])],
    ['a non-number value', () => encodeLinePlot([panel([series('a', [0, '1' as unknown as number], [0, 1])])])],
    ['missing y', () => encodeLinePlot([panel([{ name: 'a', x: [0] } as unknown as LineSeries])])],
    ['missing title', () => encodeLinePlot([{ ...panel([]), title: undefined as unknown as string }])],
    ['unknown scale', () => encodeLinePlot([panel([], { yScale: 'ln' as 'log' })])],
    ['zero width', () => encodeLinePlot(good, { panelWidth: 0 })],
    ['negative height', () => encodeLinePlot(good, { panelHeight: -320 })],
    ['fractional columns', () => encodeLinePlot(good, { columns: 1.5 })],
    ['zero columns', () => encodeLinePlot(good, { columns: 0 })],
  ])('%s', (_, call) => {
    expect(call).toThrow(expect.objectContaining(code));
  });

  test('values near the largest double draw or are refused, never hang', () => {
    const huge = [1e308, 1.7e308];
    for (const yScale of ['linear', 'log'] as const) {
      expect(encodeLinePlot([panel([series('h', [0, 1], huge)], { yScale })]).length).toBeGreaterThan(0);
    }
    expect(() => encodeLinePlot([panel([series('h', [-1.7e308, 1.7e308], [0, 1])])])).toThrow(
      expect.objectContaining(code),
    );
  });

  test('a plot with too many pixels is refused', () => {
    const panels = Array.from({ length: 64 }, () => panel([]));
    expect(() => encodeLinePlot(panels, { columns: 8, panelWidth: 4096, panelHeight: 4096 })).toThrow(
      expect.objectContaining({ code: 'ERR_TOO_LARGE' }),
    );
  });
});

describe('writeLinePlot', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-plot-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const panels = [panel([series('a', [0, 1], [0, 1])])];

  test('writes a PNG, replacing an old file', async () => {
    const file = path.join(dir, 'curves.png');
    fs.writeFileSync(file, 'old');
    await writeLinePlot(file, panels);
    expect(new Image(fs.readFileSync(file)).png.width).toBe(480);
    expect(fs.readdirSync(dir)).toEqual(['curves.png']);
  });

  test('a failed write leaves the old file intact', async () => {
    const sub = path.join(dir, 'sub');
    fs.mkdirSync(sub);
    const file = path.join(sub, 'curves.png');
    fs.writeFileSync(file, 'old');
    await expect(writeLinePlot(file, [])).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    // The target is a directory: the rename fails and the directory's content survives.
    const blocked = path.join(sub, 'blocked.png');
    fs.mkdirSync(blocked);
    fs.writeFileSync(path.join(blocked, 'inside'), 'keep');
    await expect(writeLinePlot(blocked, panels)).rejects.toMatchObject({ code: 'ERR_IO' });
    expect(fs.readFileSync(path.join(blocked, 'inside'), 'utf8')).toBe('keep');
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(fs.readdirSync(sub).sort()).toEqual(['blocked.png', 'curves.png']);
    // The directory removed: nothing can be written.
    fs.rmSync(sub, { recursive: true });
    await expect(writeLinePlot(file, panels)).rejects.toMatchObject({ code: 'ERR_IO' });
    expect(fs.existsSync(sub)).toBe(false);
  });
});
