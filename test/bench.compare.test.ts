import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compareRecords, readBenchFile } from '../bench/compare';
import { native } from '../lib/native';

const rec = (name: string, value: number, ceiling = 100) => ({ name, value, unit: 'flips/ns', ratio: value / ceiling });

test('a fall of more than 10 % is flagged, a smaller one is not', () => {
  const result = compareRecords(
    [rec('a', 10), rec('b', 10), rec('gone', 1)],
    [rec('a', 8.9), rec('b', 9.1), rec('new', 1)],
  );
  const byName = Object.fromEntries(result.map((c) => [c.name, c]));
  expect(byName.a.regressed).toBe(true);
  expect(byName.b.regressed).toBe(false);
  expect(byName.gone.new).toBeUndefined();
  expect(byName.new.old).toBeUndefined();
});

test('ratios to the ceiling are compared, so a slower machine is not a regression', () => {
  // Same code on a machine half as fast: values halve, ratios stay.
  const [c] = compareRecords([rec('a', 10, 100)], [rec('a', 5, 50)]);
  expect(c.basis).toBe('ratio');
  expect(c.regressed).toBe(false);
});

test('malformed files get a clear error', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-bench-'));
  try {
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"records": [{"name": 3}]}');
    fs.writeFileSync(path.join(dir, 'broken.json'), '{nope');
    expect(() => readBenchFile(path.join(dir, 'bad.json'))).toThrow(/not a heatbath benchmark file/);
    expect(() => readBenchFile(path.join(dir, 'broken.json'))).toThrow(/cannot read/);
    expect(() => readBenchFile(path.join(dir, 'missing.json'))).toThrow(/cannot read/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the ceiling is positive and its arguments are checked', () => {
  const c = native().measureCeiling({ threads: 1, seconds: 0.05 });
  expect(c.fmaPerNs).toBeGreaterThan(0);
  expect(Number.isFinite(c.fmaPerNs)).toBe(true);
  for (const threads of [0, -1, 'x', 1.5]) {
    expect(() => native().measureCeiling({ threads: threads as number })).toThrow();
  }
  expect(() => native().measureCeiling({ seconds: 0 })).toThrow();
});
