/**
 * The generative thermodynamic computer's sampling protocol (SCIENCE.md §5) on its full size: 784 visible +
 * 512 hidden units, U = Σ(x² + x⁴) − ½ xᵀJx (quadratic 2, quartic 4), visible–hidden and hidden–hidden
 * couplings of realistic size (|J| ~ 0.02). One sample: from x = 0, 2,500 Euler–Maruyama steps with the
 * couplings switched off (thermal noise; no products), then 2,500 steps with them on, observing the heat;
 * kT = 0.1, Δt = 10⁻³. A batch of chains is timed as one op.
 */
import { LangevinChains, LangevinNetwork } from '../../engines/langevin';
import { SeededRandom } from '../../util/random';

export const GTC_VISIBLE = 784;
export const GTC_HIDDEN = 512;
const PHASE_STEPS = 2500;
const COUPLING_SIZE = 0.02;

/** Multiply-adds of one generated sample's coupled phase: (2·784·512 + 512²) per step. */
export const GTC_FMA_PER_SAMPLE = (2 * GTC_VISIBLE * GTC_HIDDEN + GTC_HIDDEN * GTC_HIDDEN) * PHASE_STEPS;

export interface GtcCase {
  name: string;
  description: string;
  /** Builds the network and chains once; op generates `samples` samples. */
  setup(threads?: number): { op: () => unknown; samples: number; fma: number; [shape: string]: unknown };
}

/** Visible–hidden W (784 × 512) and a symmetric hidden–hidden K with zero diagonal, entries uniform in ±0.02. */
export function gtcNetwork(seed: number): LangevinNetwork {
  const rng = new SeededRandom(seed);
  const weight = () => COUPLING_SIZE * (2 * rng.float() - 1);
  const w = Float32Array.from({ length: GTC_VISIBLE * GTC_HIDDEN }, weight);
  const k = new Float32Array(GTC_HIDDEN * GTC_HIDDEN);
  for (let i = 0; i < GTC_HIDDEN; i++)
    for (let j = i + 1; j < GTC_HIDDEN; j++) k[i * GTC_HIDDEN + j] = k[j * GTC_HIDDEN + i] = weight();
  return new LangevinNetwork({
    units: GTC_VISIBLE + GTC_HIDDEN,
    quadratic: 2,
    quartic: 4,
    couplings: {
      kind: 'blocks',
      blocks: [
        { rows: [0, GTC_VISIBLE], cols: [GTC_VISIBLE, GTC_HIDDEN], weights: w },
        { rows: [GTC_VISIBLE, GTC_HIDDEN], cols: [GTC_VISIBLE, GTC_HIDDEN], weights: k },
      ],
    },
  });
}

export const gtcCases: GtcCase[] = [
  {
    name: 'gtc.sample',
    description: `generative thermodynamic computer, 784 + 512 units: ${PHASE_STEPS} uncoupled + ${PHASE_STEPS} coupled EM steps per sample (heat observed), 250 samples per op`,
    setup(threads) {
      const samples = 250;
      const chains = new LangevinChains(gtcNetwork(1), { chains: samples, seed: 1 });
      const zero = new Float32Array(GTC_VISIBLE + GTC_HIDDEN);
      const common = { dt: 1e-3, kT: 0.1, integrator: 'euler-maruyama' as const, threads };
      return {
        op: () => {
          chains.setState(zero);
          chains.runSync({ ...common, steps: PHASE_STEPS, couplingScale: 0 });
          return chains.runSync({ ...common, steps: PHASE_STEPS, observe: ['heat'] });
        },
        samples,
        fma: samples * GTC_FMA_PER_SAMPLE,
        units: GTC_VISIBLE + GTC_HIDDEN,
        stepsPerPhase: PHASE_STEPS,
      };
    },
  },
];
