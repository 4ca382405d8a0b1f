/**
 * Schedule strings as the CLI's --lr reads them: valid forms with hostile numbers, deep warmup nesting,
 * very long text and garbage.
 */
import { CaseRandom } from '../random';

const NUMBERS = [
  '0',
  '0.05',
  '1',
  '-1',
  '1e9',
  '1e400',
  '-0',
  '.5',
  '5.',
  '1e-400',
  '0x10',
  'NaN',
  'Infinity',
  '',
  ' ',
  '1_0',
  '１',
  '+1',
  '1e',
  'e1',
];
const KINDS = [
  'constant',
  'linear',
  'cosine',
  'step',
  'warmup',
  'COSINE',
  'exp',
  '',
  '__proto__',
  'constructor',
  'toString',
];

function form(rng: CaseRandom, depth: number): string {
  const kind = rng.pick(KINDS);
  if (kind.toLowerCase() === 'warmup' && depth < 4) return `${kind}:${rng.pick(NUMBERS)}:${form(rng, depth + 1)}`;
  const args = Array.from({ length: rng.int(5) }, () => rng.pick(NUMBERS));
  return rng.chance(0.2) ? rng.pick(NUMBERS) : [kind, ...args].join(':');
}

function garbage(rng: CaseRandom): string {
  const length = rng.pick([1, 10, 1000]);
  return Array.from({ length }, () =>
    String.fromCharCode(rng.pick([rng.between(0x20, 0x7e), 0x3a, 0x00, 0x0a, 0xe9, 0x2028, 0xd800])),
  ).join('');
}

export function scheduleString(rng: CaseRandom): string {
  switch (rng.int(6)) {
    case 0: {
      const depth = rng.pick([100, 10_000, 100_000]);
      return 'warmup:1:'.repeat(depth) + 'cosine:0.05:0.001';
    }
    case 1:
      return rng.pick([
        '1'.repeat(1_000_000),
        `0.${'0'.repeat(100_000)}1`,
        ':'.repeat(100_000),
        'linear:1:2:'.repeat(10_000),
      ]);
    case 2:
      return garbage(rng);
    default:
      return form(rng, 0);
  }
}
