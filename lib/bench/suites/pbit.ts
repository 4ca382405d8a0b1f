/**
 * p-bit sampling benchmarks. flips/ns = sweeps × nodes × chains / ns of wall time, whole machine.
 * Each benny op is one native run of many sweeps (the way users sample), so call overhead is
 * amortised except in pbit.small, which measures it on purpose.
 */
import { Graph, graphs, IsingModel, QuantizedIsingModel, QuantizeOptions } from '../..';

export interface PbitCase {
  name: string;
  description: string;
  /** Builds the model once; returns the op to time and the spin updates it performs. */
  setup(threads?: number): { op: () => unknown; flips: number; chains: number; nodes: number; sweeps: number };
}

function sweepCase(
  name: string,
  description: string,
  build: () => Graph,
  chains: number,
  sweeps: number,
  sync = false,
  precision?: QuantizeOptions,
): PbitCase {
  return {
    name,
    description,
    setup(threads) {
      const graph = build();
      const model = IsingModel.random(graph, { beta: 0.4, seed: 1, couplingScale: 0.3, biasScale: 0.1 });
      // With a precision, the same model as a chip holds it, on the integer engine.
      const chainSet = (precision ? model.quantize(precision) : model).chains({ chains, seed: 1 });
      const options = { warmup: sweeps, samples: 0, observe: [], threads };
      // benny calls an async op once unawaited to probe its type, so each run waits for the previous.
      let previous: Promise<unknown> = Promise.resolve();
      const op = sync ? () => chainSet.runSync(options) : () => (previous = previous.then(() => chainSet.run(options)));
      return { op, flips: sweeps * graph.numNodes * chains, chains, nodes: graph.numNodes, sweeps };
    },
  };
}

/** King's graph 256², couplings ±1 (random signs), no biases, 8-bit draws: the multispin kernel's case. */
function kingPm1Case(chains: number, sweeps: number): PbitCase {
  return {
    name: 'pbit.king256.pm1',
    description: `king's graph 256×256, ±1 couplings, 8-bit random draws, ${chains} chains, multispin kernel`,
    setup(threads) {
      const graph = graphs.king(256);
      let state = 1;
      const couplings = Int32Array.from({ length: graph.numEdges }, () =>
        ((state = (state * 1103515245 + 12345) >>> 0) >>> 30) & 1 ? 1 : -1,
      );
      const model = new QuantizedIsingModel(graph, {
        couplings,
        biases: new Int32Array(graph.numNodes),
        scale: 1,
        randomBits: 8,
        beta: 0.4,
      });
      const chainSet = model.chains({ chains, seed: 1, kernel: 'multispin' });
      const options = { warmup: sweeps, samples: 0, observe: [], threads };
      let previous: Promise<unknown> = Promise.resolve();
      const op = () => (previous = previous.then(() => chainSet.run(options)));
      return { op, flips: sweeps * graph.numNodes * chains, chains, nodes: graph.numNodes, sweeps };
    },
  };
}

export const pbitCases: PbitCase[] = [
  sweepCase(
    'pbit.king256',
    "king's graph 256×256 (8 neighbours), 256 chains, float32 couplings",
    () => graphs.king(256),
    256,
    20,
  ),
  kingPm1Case(4096, 10),
  sweepCase(
    'pbit.g12x70',
    'DTM torus 70×70, jumps G12 (12 neighbours), 256 chains',
    () => graphs.torus(70, { jumps: 'G12' }),
    256,
    100,
  ),
  sweepCase(
    'pbit.g12x70.int8',
    'pbit.g12x70 quantized: 8-bit couplings and biases, 8-bit random draws, integer kernel',
    () => graphs.torus(70, { jumps: 'G12' }),
    256,
    100,
    false,
    { couplingBits: 8, fieldBits: 8, randomBits: 8 },
  ),
  sweepCase(
    'pbit.small',
    '32-spin model (random 4-regular), 1 chain, 200 sweeps per sync call',
    () => graphs.randomRegular(32, 4, { seed: 1 }),
    1,
    200,
    true,
  ),
];
