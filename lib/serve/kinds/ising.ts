/** Serving Ising models: n chains, `sweeps` sweeps each, one sample per chain (its spins after the last sweep). */
import { IsingModel } from '../../models/ising';
import { linearBeta } from '../../engines/sweeps';
import type { Observable } from '../../engines/gibbs';
import { SampleRequest } from '../request-schema';
import {
  refuse,
  batchSeed,
  checkClamp,
  checkFields,
  clampSlice,
  ModelDescription,
  observablesOf,
  resultBytes,
  SamplePlan,
  ServedKind,
  splitBatches,
} from './plan';

const ACCEPTS = ['n', 'seed', 'sweeps', 'beta', 'anneal', 'clamp', 'observe', 'batch', 'threads'] as const;
const DEFAULT_SWEEPS = 100;

export const isingKind: ServedKind<IsingModel> = {
  kind: 'ising',
  is: (model): model is IsingModel => model instanceof IsingModel,

  describe(model): ModelDescription {
    const { graph } = model;
    return {
      kind: 'ising',
      sizes: { nodes: graph.numNodes, edges: graph.numEdges, blocks: graph.numBlocks },
      accepts: [...ACCEPTS],
      observe: observablesOf('ising'),
      formats: graph.shape ? ['json', 'npy', 'ndjson', 'png'] : ['json', 'npy', 'ndjson'],
      defaults: { n: 1, seed: 0, sweeps: DEFAULT_SWEEPS, beta: model.beta },
      settings: { graph: graph.name, ...(graph.shape ?? {}), beta: model.beta, clamp: 'nodes with values -1 or +1' },
    };
  },

  plan(model, request: SampleRequest): SamplePlan {
    checkFields('ising', request, ACCEPTS);
    if (request.beta !== undefined && request.anneal !== undefined) throw refuse('give beta or anneal, not both');
    const nodes = model.graph.numNodes;
    const n = request.n ?? 1;
    const sweeps = request.sweeps ?? DEFAULT_SWEEPS;
    const clamp = request.clamp && checkClamp('clamp', request.clamp, nodes, n, [-1, 1]);
    const observe = request.observe ?? [];
    const beta = request.anneal ? linearBeta(request.anneal.from, request.anneal.to) : (request.beta ?? model.beta);
    const seed = request.seed ?? 0;
    return {
      kind: 'ising',
      n,
      seed,
      width: nodes,
      dtype: 'i1',
      image: model.graph.shape && { rows: model.graph.shape.height, cols: model.graph.shape.width },
      observe,
      work: n * sweeps * nodes,
      resultBytes: resultBytes(n, nodes, 'i1', observe),
      batches: splitBatches(n, sweeps * nodes, nodes, request.batch),
      async runBatch(index, offset, count, run) {
        // Live chains rather than model.sample(): the answer needs the observed states, not a copy of the final ones.
        const chains = model.chains({
          chains: count,
          seed: batchSeed(seed, index),
          clamp: clamp && clampSlice(clamp, offset, count),
        });
        let result;
        try {
          result = await chains.run({
            warmup: sweeps,
            samples: 1,
            thin: 1,
            beta,
            observe: ['states', ...observe] as Observable[],
            threads: run.threads,
            signal: run.signal,
          });
        } finally {
          chains.dispose();
        }
        const extras: Record<string, Float64Array> = {};
        if (result.energy) extras.energy = result.energy;
        if (result.magnetization) extras.magnetization = result.magnetization;
        return { samples: result.states!, extras, work: sweeps * nodes * count, seconds: result.seconds };
      },
    };
  },
};
