/**
 * One seed derivation for every derived stream: deriveSeed(seed, tag, index) in lib/util/seed.ts and
 * native/core/seed.h agree, distinct (seed, tag, index) never give the same stream seed, and nothing in
 * lib/ derives seeds by arithmetic (seed + k, seed ^ c), which made streams of neighbouring seeds overlap.
 */
import * as fs from 'fs';
import * as path from 'path';
import { deriveSeed } from '../lib';
import { native } from '../lib/native';
import { SeededRandom } from '../lib/util/random';

describe('deriveSeed', () => {
  test('TypeScript and C++ compute the same seeds', () => {
    const random = new SeededRandom(2024);
    const tags = ['chain', 'dtm-generate', 'dtm-gradient', 'kl-negative', '', 'ü→β', 'a'.repeat(100)];
    const big = (): bigint => (BigInt(random.uint32()) << 32n) | BigInt(random.uint32());
    for (let k = 0; k < 2000; k++) {
      const tag = tags[k % tags.length];
      const seed = k % 3 === 0 ? big() : random.uint32() * (k % 2 ? 1 : 2 ** 20);
      const index = k % 5 === 0 ? big() : k;
      expect(deriveSeed(seed, tag, index)).toBe(native().deriveSeed(seed, tag, index));
    }
    expect(deriveSeed(0, 'chain')).toBe(native().deriveSeed(0, 'chain', 0));
    expect(deriveSeed(2n ** 64n - 1n, 'x', 2n ** 64n - 1n)).toBe(
      native().deriveSeed(2n ** 64n - 1n, 'x', 2n ** 64n - 1n),
    );
  });

  test('distinct (seed, tag, index) never coincide over a large sampled set', () => {
    const seen = new Set<bigint>();
    const tags = ['chain', 'dtm-generate', 'dtm-gradient', 'dtm-mixing', 'kl-positive', 'kl-negative'];
    let count = 0;
    for (const tag of tags) {
      for (let seed = 0; seed < 200; seed++) {
        for (let index = 0; index < 200; index++) {
          seen.add(deriveSeed(seed, tag, index));
          count++;
        }
      }
    }
    expect(seen.size).toBe(count); // 240,000 streams
  });

  test('neighbouring seeds and indices are unrelated: seed s at step k + 1 is not seed s + 1 at step k', () => {
    for (let s = 0; s < 50; s++) {
      for (let k = 0; k < 50; k++) {
        expect(deriveSeed(s, 'dtm-generate', k + 1)).not.toBe(deriveSeed(s + 1, 'dtm-generate', k));
        expect(deriveSeed(s, 'dtm-gradient', k)).not.toBe(deriveSeed(s, 'dtm-generate', k));
      }
    }
    // Every output bit flips about half the time between neighbouring seeds.
    let flipped = 0;
    const trials = 1000;
    for (let s = 0; s < trials; s++) {
      const x = deriveSeed(s, 'chain', 7) ^ deriveSeed(s + 1, 'chain', 7);
      flipped += x
        .toString(2)
        .split('')
        .filter((b) => b === '1').length;
    }
    const mean = flipped / trials; // 32 ± 4/√1000 in expectation (binomial(64, ½) has sd 4)
    expect(Math.abs(mean - 32)).toBeLessThan(5 * (4 / Math.sqrt(trials)));
  });

  test('bad seeds, tags and indices are coded errors', () => {
    expect(() => deriveSeed(-1, 'x')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => deriveSeed(1.5, 'x')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => deriveSeed(2n ** 64n, 'x')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => deriveSeed(1, 3 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => deriveSeed(1, 'x', -2)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('derived streams in lib/', () => {
  function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? sources(full) : entry.name.endsWith('.ts') ? [full] : [];
    });
  }

  test('no seed is derived by arithmetic (seed + k, seed ^ c, seed * k)', () => {
    const adHoc = /\bseed\w*\s*[-+^*]\s*[\w(]|[\w)]\s*[-+^*]\s*\w*[sS]eed\b/;
    const offenders: string[] = [];
    for (const file of sources(path.resolve(__dirname, '../lib'))) {
      fs.readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, k) => {
          const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
          if (adHoc.test(code)) offenders.push(`${path.relative(process.cwd(), file)}:${k + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});
