/** Energy and |magnetization| per spin of the 2D Ising ferromagnet (J = 1), estimated over independent chains. */
import { graphs, IsingModel } from '../../lib';
import { chainEstimate, Estimate } from './stats';

export interface FerromagnetRun {
  L: number;
  beta: number;
  chains: number;
  warmup: number;
  samples: number;
  thin: number;
  seed: number;
  /** Start in the ordered (+) phase instead of random spins. */
  ordered: boolean;
}

export function measureFerromagnet(o: FerromagnetRun): { energy: Estimate; absM: Estimate } {
  const N = o.L * o.L;
  const run = new IsingModel(graphs.lattice2d(o.L), { couplings: 1, beta: o.beta }).sampleSync({
    chains: o.chains,
    warmup: o.warmup,
    samples: o.samples,
    thin: o.thin,
    seed: o.seed,
    init: o.ordered ? new Int8Array(N).fill(1) : 'random',
    observe: ['energy', 'magnetization'],
  });
  const energy = new Float64Array(o.chains);
  const absM = new Float64Array(o.chains);
  for (let s = 0; s < o.samples; s++) {
    for (let c = 0; c < o.chains; c++) {
      energy[c] += run.energy![s * o.chains + c] / N / o.samples;
      absM[c] += Math.abs(run.magnetization![s * o.chains + c]) / o.samples;
    }
  }
  return { energy: chainEstimate(energy), absM: chainEstimate(absM) };
}
