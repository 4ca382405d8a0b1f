/** Serving Langevin networks: n chains of `steps` steps at kT = 1/β; a sample is a chain's final state. */
import { LangevinChains, LangevinIntegrator, LangevinNetwork } from '../../engines/langevin';
import { SampleRequest } from '../request-schema';
import {
  batchSeed,
  checkClamp,
  checkFields,
  clampSlice,
  ModelDescription,
  observablesOf,
  refuse,
  resultBytes,
  SamplePlan,
  ServedKind,
  splitBatches,
} from './plan';

const ACCEPTS = ['n', 'seed', 'steps', 'dt', 'beta', 'clamp', 'observe', 'batch', 'threads'] as const;
const DEFAULT_STEPS = 1000;
const INTEGRATORS: readonly string[] = ['euler-maruyama', 'leimkuhler-matthews', 'baoab'];

/** The run settings a network's file may carry (info.dt, info.integrator, info.beta). */
function settings(network: LangevinNetwork): { dt: number; integrator: LangevinIntegrator; beta: number } {
  const { dt, integrator, beta } = network.info;
  return {
    dt: typeof dt === 'number' && dt > 0 && Number.isFinite(dt) ? dt : 0.01,
    integrator:
      typeof integrator === 'string' && INTEGRATORS.includes(integrator)
        ? (integrator as LangevinIntegrator)
        : 'euler-maruyama',
    beta: typeof beta === 'number' && beta > 0 && Number.isFinite(beta) ? beta : 1,
  };
}

export const langevinKind: ServedKind<LangevinNetwork> = {
  kind: 'langevin',
  is: (model): model is LangevinNetwork => model instanceof LangevinNetwork,

  describe(model): ModelDescription {
    const run = settings(model);
    return {
      kind: 'langevin',
      sizes: { units: model.units, blocks: model.blocks.length, sparse: model.sparse.length },
      accepts: [...ACCEPTS],
      observe: observablesOf('langevin'),
      formats: ['json', 'npy', 'ndjson'],
      defaults: { n: 1, seed: 0, steps: DEFAULT_STEPS, dt: run.dt, beta: run.beta },
      settings: { ...model.info, integrator: run.integrator, clamp: 'units with any finite values' },
    };
  },

  plan(model, request: SampleRequest): SamplePlan {
    checkFields('langevin', request, ACCEPTS);
    const run = settings(model);
    const units = model.units;
    const n = request.n ?? 1;
    const steps = request.steps ?? DEFAULT_STEPS;
    const beta = request.beta ?? run.beta;
    if (!(beta > 0)) throw refuse('beta must be > 0 for a Langevin network (kT = 1/β)');
    const clamp = request.clamp && checkClamp('clamp', request.clamp, units, n);
    const observe = request.observe ?? [];
    const seed = request.seed ?? 0;
    return {
      kind: 'langevin',
      n,
      seed,
      width: units,
      dtype: 'f4',
      observe,
      work: n * steps * units,
      resultBytes: resultBytes(n, units, 'f4', observe),
      batches: splitBatches(n, steps * units, units, request.batch),
      async runBatch(index, offset, count, job) {
        const held = clamp && clampSlice(clamp, offset, count);
        const chains = new LangevinChains(model, {
          chains: count,
          seed: batchSeed(seed, index),
          clamp: held && { units: held.nodes, values: held.values },
        });
        try {
          const result = await chains.run({
            steps,
            dt: request.dt ?? run.dt,
            integrator: run.integrator,
            kT: 1 / beta,
            threads: job.threads,
            signal: job.signal,
          });
          const extras = observe.includes('energy') ? { energy: chains.energies(1, 1) } : {};
          return { samples: chains.readState(), extras, work: count * steps * units, seconds: result.seconds };
        } finally {
          chains.dispose();
        }
      },
    };
  },
};
