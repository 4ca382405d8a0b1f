/**
 * Langevin-engine benchmarks. unit-steps/ns = steps × units × chains / ns of wall time, whole machine.
 * The dense case counts N² multiply-adds per unit-step row (one product J·x per chain and step) and
 * reports them beside the machine's ceiling; the sparse and uncoupled cases are bound by the Gaussian
 * generator, whose own speed is measured per core (normals/ns, one thread).
 */
import { LangevinChains, LangevinNetwork, randomNormals } from '../../engines/langevin';
import { SeededRandom } from '../../util/random';

export interface LangevinCase {
  name: string;
  description: string;
  /** Builds the workload once; returns the op, its unit-steps (or normals) and multiply-adds. */
  setup(threads?: number): {
    op: () => unknown;
    unitSteps?: number;
    normals?: number;
    fma?: number;
    [shape: string]: unknown;
  };
}

/** A symmetric random matrix with zero diagonal, entries ±scale/√N. */
function denseCouplings(n: number, scale: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  const j = new Float32Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) j[a * n + b] = j[b * n + a] = (scale * (2 * rng.float() - 1)) / Math.sqrt(n);
  }
  return j;
}

/** A ring where each unit couples to the `half` nearest units on either side: degree 2·half. */
function ringCsr(n: number, half: number, weight: number) {
  const rowPtr = new Int32Array(n + 1);
  const cols = new Int32Array(n * 2 * half);
  const values = new Float32Array(n * 2 * half).fill(weight);
  let k = 0;
  for (let i = 0; i < n; i++) {
    for (let d = -half; d <= half; d++) if (d !== 0) cols[k++] = (i + d + n) % n;
    rowPtr[i + 1] = k;
  }
  return { kind: 'sparse' as const, rowPtr, cols, values };
}

function runCase(
  name: string,
  description: string,
  build: () => LangevinNetwork,
  chains: number,
  steps: number,
  dense: boolean,
): LangevinCase {
  return {
    name,
    description,
    setup(threads) {
      const network = build();
      const n = network.units;
      const set = new LangevinChains(network, { chains, seed: 1 });
      const options = { steps, dt: 1e-3, kT: 0.1, integrator: 'euler-maruyama' as const, threads };
      return {
        op: () => set.runSync(options),
        unitSteps: steps * n * chains,
        fma: dense ? steps * n * n * chains : undefined,
        units: n,
        chains,
        steps,
      };
    },
  };
}

export const langevinCases: LangevinCase[] = [
  runCase(
    'langevin.dense1296',
    'N = 1,296 (784 + 512) dense symmetric couplings, 96 chains, Euler–Maruyama, x² + x⁴ wells',
    () =>
      new LangevinNetwork({
        units: 1296,
        quadratic: 2,
        quartic: 4,
        couplings: { kind: 'dense', matrix: denseCouplings(1296, 0.5, 1) },
      }),
    96,
    20,
    true,
  ),
  runCase(
    'langevin.sparse',
    'N = 65,536 on a ring, degree 16 CSR couplings, 8 chains, Euler–Maruyama: ns per unit-step',
    () => new LangevinNetwork({ units: 65536, quadratic: 2, quartic: 4, couplings: ringCsr(65536, 8, 0.05) }),
    8,
    20,
    false,
  ),
  runCase(
    'langevin.uncoupled',
    'N = 65,536 uncoupled x² + x⁴ wells, 8 chains, Euler–Maruyama: ns per unit-step',
    () => new LangevinNetwork({ units: 65536, quadratic: 2, quartic: 4 }),
    8,
    20,
    false,
  ),
  {
    name: 'langevin.normals',
    description: 'Box–Muller standard normals (polynomial log and sin/cos), one stream, one thread',
    setup() {
      const count = 1 << 22;
      const out = new Float32Array(count);
      return { op: () => randomNormals(out, 1, 0), normals: count, count };
    },
  },
];
