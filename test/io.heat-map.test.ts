/** Heat maps (lib/io/heat-map.ts): cells coloured by value on the panel's range, bad panels refused. */
import { PNG } from 'pngjs';
import { encodeHeatMaps, HeatPanel } from '../lib/io/heat-map';

const panel: HeatPanel = {
  title: 'quality',
  rows: ['3', '8'],
  columns: ['4', '16', 'float'],
  rowTitle: 'coupling bits',
  columnTitle: 'random bits',
  values: [
    [0, 1, null],
    [0.5, 1, 0.25],
  ],
};

/** The decoded image and the RGB of its pixel (x, y). */
function pixels(png: Buffer) {
  const image = PNG.sync.read(png);
  return {
    image,
    at: (x: number, y: number) =>
      Array.from(image.data.subarray(4 * (y * image.width + x), 4 * (y * image.width + x) + 3)),
  };
}

test('the low end of the range is dark blue, the high end yellow, no value grey; low-is-good flips the ramp', () => {
  const count = (png: Buffer, rgb: number[]) => {
    const { image, at } = pixels(png);
    let n = 0;
    for (let y = 0; y < image.height; y++)
      for (let x = 0; x < image.width; x++) if (at(x, y).join() === rgb.join()) n++;
    return n;
  };
  const plain = encodeHeatMaps([panel]);
  const flipped = encodeHeatMaps([{ ...panel, lowIsGood: true }]);
  const [low, high, none] = [
    [68, 1, 84],
    [253, 231, 37],
    [200, 200, 200],
  ];
  // Two cells at the top of the range, one at the bottom, one without a value (less the text inked into each).
  expect(count(plain, high)).toBeGreaterThan(1.5 * count(plain, low));
  expect(count(flipped, low)).toBeGreaterThan(1.5 * count(flipped, high));
  expect(count(plain, none)).toBeGreaterThan(0);
  expect(count(plain, none)).toBe(count(flipped, none));
});

test('two panels side by side; bad panels are refused with a coded error', () => {
  const one = PNG.sync.read(encodeHeatMaps([panel]));
  const two = PNG.sync.read(encodeHeatMaps([panel, panel]));
  expect(two.width).toBe(2 * one.width);
  expect(two.height).toBe(one.height);
  for (const bad of [
    [],
    [{ ...panel, values: [[1, 2, 3]] }],
    [{ ...panel, rows: [] }],
    [null],
  ] as unknown as HeatPanel[][]) {
    expect(() => encodeHeatMaps(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  }
});
