/** Schedule strings are read in one pass, with a length and a nesting limit: hostile ones are refused at once. */
import { MAX_SCHEDULE_DEPTH, MAX_SCHEDULE_LENGTH, parseSchedule } from '../lib/engines/schedules';

const refused = (pattern: RegExp) =>
  expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(pattern) });

function nested(depth: number, inner = '0.1'): string {
  return `${'warmup:1:'.repeat(depth)}${inner}`;
}

function millisecondsOf(body: () => void): number {
  const started = process.hrtime.bigint();
  body();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

test('a warmup nested 20,000 deep is refused in milliseconds, not parsed for seconds', () => {
  const text = nested(20000);
  // Parsing it took ~20 s and 2 GB before the limits; the refusal reads no more than the limit allows.
  const ms = millisecondsOf(() => expect(() => parseSchedule(text)).toThrow(refused(/longer than 1000 characters/)));
  expect(ms).toBeLessThan(200);
  expect(() => parseSchedule(text)).toThrow(refused(/^schedule "warmup:1:warmup:1:.{30,}…": /));
});

test('nesting is limited to MAX_SCHEDULE_DEPTH warmups; up to it the schedule works', () => {
  const deepest = parseSchedule(nested(MAX_SCHEDULE_DEPTH, 'cosine:0.2:0.1'));
  expect(deepest.description).toBe(nested(MAX_SCHEDULE_DEPTH, 'cosine:0.2:0.1'));
  expect(deepest(MAX_SCHEDULE_DEPTH, 100)).toBeCloseTo(0.2, 12); // warm-ups done: the cosine's first value
  expect(() => parseSchedule(nested(MAX_SCHEDULE_DEPTH + 1))).toThrow(refused(/nested more than 8 deep/));
});

test('the longest accepted text parses, one character more is refused', () => {
  const value = `0.${'1'.repeat(MAX_SCHEDULE_LENGTH - 2)}`;
  expect(value).toHaveLength(MAX_SCHEDULE_LENGTH);
  expect(parseSchedule(value)(0, 1)).toBeCloseTo(0.1111111, 6);
  expect(() => parseSchedule(`${value}1`)).toThrow(refused(/longer than/));
});

test('a form with too many values is refused by counting them', () => {
  expect(() => parseSchedule(`step:${'1:'.repeat(490)}1`)).toThrow(
    refused(/step takes 3 value\(s\) \(step:v0:factor:every\), got 491/),
  );
});

test('numbers in schedules are decimal only', () => {
  expect(() => parseSchedule('0x10')).toThrow(refused(/value must be a number, got "0x10" \(decimal notation only\)/));
  expect(() => parseSchedule('cosine:0b1:0')).toThrow(refused(/from must be a number/));
  expect(() => parseSchedule('warmup:1e1:0.1').description).not.toThrow();
});
