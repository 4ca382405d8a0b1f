/**
 * Thermodynamic linear algebra: one simulated device solve of thermox's 50 × 50 Wishart system
 * (A = G Gᵀ/100, G 50 × 100 standard normal) with 10⁴ samples, setup included (spectrum, transition).
 * Report seconds per solve and samples/s.
 */
import * as tla from '../../tla';
import { SeededRandom } from '../../util/random';

export interface TlaCase {
  name: string;
  description: string;
  setup(): { op: () => unknown; samples: number; n: number };
}

export const tlaCases: TlaCase[] = [
  {
    name: 'tla.solve50',
    description: 'tla.solve on a 50 × 50 Wishart system, 10⁴ samples over 20 chains, float64 TypeScript',
    setup() {
      const n = 50;
      const m = 2 * n;
      const rng = new SeededRandom(1);
      const g = Float64Array.from({ length: n * m }, () => rng.normal());
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let k = 0; k < m; k++) sum += g[i * m + k] * g[j * m + k];
          a[i * n + j] = sum / m;
        }
      }
      const b = Float64Array.from({ length: n }, () => rng.normal());
      const samples = 10_000;
      return { op: () => tla.solve(a, b, { samples, seed: 1 }), samples, n };
    },
  },
];
