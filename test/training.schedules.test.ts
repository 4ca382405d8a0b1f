import { betaPerSweep, linearBeta } from '../lib/engines/sweeps';
import { constant, cosine, describeSchedule, linear, parseSchedule, stepDecay, warmup } from '../lib/engines/schedules';

function expectValues(
  schedule: (step: number, total: number) => number,
  total: number,
  expected: Record<number, number>,
): void {
  for (const [step, value] of Object.entries(expected)) expect(schedule(Number(step), total)).toBeCloseTo(value, 12);
}

describe('schedules', () => {
  test('values at given steps', () => {
    expectValues(constant(0.5), 10, { 0: 0.5, 9: 0.5 });
    expectValues(linear(0.1, 1), 10, { 0: 0.1, 3: 0.4, 9: 1, 20: 1 });
    expectValues(linear(2, 0), 1, { 0: 0 }); // a one-step run is at its end
    expectValues(cosine(0.05, 0.001), 11, { 0: 0.05, 5: 0.0255, 10: 0.001 });
    expectValues(cosine(1, 0), 5, { 1: (1 + Math.cos(Math.PI / 4)) / 2, 3: (1 + Math.cos((3 * Math.PI) / 4)) / 2 });
    expectValues(stepDecay(0.1, 0.5, 10), 100, { 0: 0.1, 9: 0.1, 10: 0.05, 25: 0.025 });
    // Warm-up from 0 over 100 steps, then the cosine over the remaining 1000.
    expectValues(warmup(100, cosine(0.05, 0.001)), 1100, { 0: 0, 50: 0.025, 99: 0.0495, 100: 0.05, 1099: 0.001 });
  });

  test('text forms: parse reads what describe writes', () => {
    const cases: [text: string, step: number, total: number, value: number][] = [
      ['0.05', 3, 10, 0.05],
      ['2', 0, 10, 2], // constant:2 is described as 2
      ['linear:0.1:1', 9, 10, 1],
      ['cosine:0.05:0.001', 0, 10, 0.05],
      ['step:0.1:0.5:10', 10, 100, 0.05],
      ['warmup:100:cosine:0.05:0.001', 50, 1100, 0.025],
    ];
    for (const [text, step, total, value] of cases) {
      const schedule = parseSchedule(text);
      expect(schedule(step, total)).toBeCloseTo(value, 12);
      expect(describeSchedule(schedule)).toBe(text);
    }
    expect(describeSchedule(warmup(100, cosine(0.05, 0.001)))).toBe('warmup:100:cosine:0.05:0.001');
    expect(describeSchedule(stepDecay(0.1, 0.5, 10))).toBe('step:0.1:0.5:10');
    expect(describeSchedule(0.3)).toBe('0.3');
    expect(describeSchedule(() => 1)).toBe('custom');
    expect(parseSchedule(' Cosine : 1e-2 : 0 ')(0, 10)).toBe(0.01);
    expect(describeSchedule(parseSchedule('constant:2'))).toBe('2');
  });

  test('parse errors say what is wrong', () => {
    const bad = (text: string, message: RegExp) =>
      expect(() => parseSchedule(text)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(message) }),
      );
    bad('', /value must be a number, got ""/);
    bad('fast', /value must be a number, got "fast"/);
    bad('0x10', /must be a number/);
    bad('1e999', /out of range/);
    bad('cosine:0.05', /cosine takes 2 value\(s\) \(cosine:from:to\), got 1/);
    bad('cosine:a:b', /from must be a number, got "a"/);
    bad('step:0.1:0.5:2.5', /every must be an integer/);
    bad('step:0.1:0:10', /factor must be > 0/);
    bad('linear:-1:1', /from must be >= 0/);
    bad('warmup:10', /warmup takes warmup:steps:<schedule>/);
    bad('warmup:0:cosine:1:0', /steps must be an integer in \[1/);
    bad('warmup:10:cosine:1', /cosine takes 2/);
    bad('bogus:1', /unknown kind "bogus".*expected a number, constant:v/);
    expect(() => parseSchedule(3 as never)).toThrow(/must be text/);
  });

  test('constructors validate their arguments', () => {
    expect(() => constant(NaN)).toThrow(expect.objectContaining({ code: 'ERR_NOT_FINITE' }));
    expect(() => cosine(1, -0.1)).toThrow(/to must be >= 0/);
    expect(() => stepDecay(1, 0.5, 0)).toThrow(/every/);
    expect(() => warmup(10, 0.5 as never)).toThrow(/needs the schedule/);
  });

  test('schedules serve as β schedules; linearBeta is the linear schedule', () => {
    expect(Array.from(betaPerSweep(cosine(1, 0), 3))).toEqual([1, 0.5, 0]);
    expectValues(linearBeta(0.2, 1), 5, { 0: 0.2, 2: 0.6, 4: 1 });
    expect(linearBeta(0.2, 1)(3, Infinity)).toBe(0.2); // streams pass an unbounded total
    expect(() => linearBeta(-1, 1)).toThrow(/from must be >= 0 \(an inverse temperature\)/);
  });
});
