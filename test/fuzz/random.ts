/** The fuzzer's choices: one seeded stream per case, so case i is the same input whatever ran before it. */
import { SeededRandom } from '../../lib/util/random';

export class CaseRandom {
  private readonly rng: SeededRandom;

  constructor(seed: number, index: number) {
    // Distinct streams per (seed, case); both stay far below 2^53.
    this.rng = new SeededRandom(seed * 1_000_003 + index);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return n <= 1 ? 0 : this.rng.int(n);
  }

  /** Uniform integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.rng.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  byte(): number {
    return this.int(256);
  }
}
