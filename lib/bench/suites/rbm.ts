/**
 * Dense-engine benchmarks: RBM Gibbs sweeps (784 visible × 500 hidden, 256 chains) and the matrix
 * product behind them. flips/ns = sweeps × (V + H) × chains / ns; fma/ns counts the multiply-adds a
 * dense product would need (2·V·H per chain and sweep), so the active-row path, which skips inactive
 * inputs, can go beyond the machine's multiply-add ceiling.
 */
import { gemm, RbmChains } from '../../engines/rbm';
import { SeededRandom } from '../../util/random';

export interface DenseCase {
  name: string;
  description: string;
  /** Builds the workload once; returns the op to time, its multiply-adds and (for samplers) its unit updates. */
  setup(threads?: number): { op: () => unknown; fma: number; flips?: number; [shape: string]: unknown };
}

const logit = (p: number) => Math.log(p / (1 - p));

/** Chains whose layers stay near the given activity: small random weights, biases at logit(activity). */
function sweepCase(name: string, description: string, visibleActivity: number, hiddenActivity: number): DenseCase {
  const V = 784;
  const H = 500;
  const chains = 256;
  const sweeps = 20;
  return {
    name,
    description,
    setup(threads) {
      const rng = new SeededRandom(1);
      const rbm = new RbmChains(V, H, chains, 1);
      rbm.setParameters(
        Float32Array.from({ length: V * H }, () => 0.02 * (rng.float() - 0.5)),
        new Float32Array(V).fill(logit(visibleActivity)),
        new Float32Array(H).fill(logit(hiddenActivity)),
      );
      rbm.setVisible(Float32Array.from({ length: chains * V }, () => (rng.float() < visibleActivity ? 1 : 0)));
      const options = { sweeps, beta: 1, threads };
      return {
        op: () => rbm.runSync(options),
        fma: sweeps * 2 * V * H * chains,
        flips: sweeps * (V + H) * chains,
        chains,
        visible: V,
        hidden: H,
        sweeps,
      };
    },
  };
}

export const denseCases: DenseCase[] = [
  sweepCase('rbm.784x500.dense', 'RBM 784×500, 256 chains, ~50 % of units active: dense products', 0.5, 0.5),
  sweepCase(
    'rbm.784x500.sparse',
    'RBM 784×500, 256 chains, ~20 % of units active (MNIST-like): active-row sums',
    0.2,
    0.2,
  ),
  {
    name: 'gemm.256x784x500',
    description: 'C = A·B, A 256×784, B 784×500, float32 (B packed per call)',
    setup(threads) {
      const [m, k, n] = [256, 784, 500];
      const rng = new SeededRandom(2);
      const a = Float32Array.from({ length: m * k }, () => rng.float() - 0.5);
      const b = Float32Array.from({ length: k * n }, () => rng.float() - 0.5);
      const c = new Float32Array(m * n);
      return { op: () => gemm(false, false, m, n, k, 1, a, b, 0, c, threads), fma: m * n * k, m, n, k };
    },
  },
];
