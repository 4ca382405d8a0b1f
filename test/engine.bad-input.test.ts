import { graphs, HeatbathError, IsingModel } from '../lib';
import { native, NativeBeta } from '../lib/native';

/** Expects `body` to throw a HeatbathError (or native coded error) with this code. */
function expectCode(code: string, body: () => unknown): void {
  let caught: unknown;
  try {
    body();
  } catch (err) {
    caught = err;
  }
  // Errors straight from the addon belong to Node's realm, not jest's: check their shape.
  expect(typeof (caught as Error)?.message).toBe('string');
  expect((caught as HeatbathError).code).toBe(code);
}

describe('bad input gets a coded error, never a crash', () => {
  const graph = graphs.lattice2d(4, 4);
  const model = new IsingModel(graph, { couplings: 0.5, beta: 0.5 });

  test('non-finite couplings, biases and beta', () => {
    expectCode('ERR_NOT_FINITE', () => new IsingModel(graph, { couplings: NaN }));
    const j = new Float32Array(graph.numEdges).fill(0.1);
    j[3] = Infinity;
    expectCode('ERR_NOT_FINITE', () => new IsingModel(graph, { couplings: j }));
    expectCode('ERR_NOT_FINITE', () => new IsingModel(graph, { biases: [...Array(16).fill(0).slice(1), NaN] }));
    expectCode('ERR_NOT_FINITE', () => new IsingModel(graph, { couplings: 1e39 })); // overflows float32
    expectCode('ERR_NOT_FINITE', () => new IsingModel(graph, { beta: NaN }));
  });

  test('negative beta, in the model and in schedules', () => {
    expectCode('ERR_INVALID_ARGUMENT', () => new IsingModel(graph, { beta: -1 }));
    expectCode('ERR_INVALID_ARGUMENT', () => model.sampleSync({ beta: -0.1, samples: 1 }));
    expectCode('ERR_INVALID_ARGUMENT', () => model.sampleSync({ beta: [0.1, 0.2], warmup: 5, samples: 1 }));
    expectCode('ERR_INVALID_ARGUMENT', () => model.sampleSync({ beta: () => -1, warmup: 2, samples: 1 }));
  });

  test('arrays whose length does not match the graph', () => {
    expectCode('ERR_INVALID_ARGUMENT', () => new IsingModel(graph, { couplings: [1, 2, 3] }));
    expectCode('ERR_INVALID_ARGUMENT', () => new IsingModel(graph, { biases: new Float32Array(15) }));
    expectCode('ERR_INVALID_ARGUMENT', () => model.sampleSync({ init: new Int8Array(7).fill(1), samples: 1 }));
    expectCode('ERR_INVALID_ARGUMENT', () => model.sampleSync({ clamp: { nodes: [1, 2], values: [1] }, samples: 1 }));
    expectCode('ERR_INVALID_ARGUMENT', () => model.energy([1, -1]));
    const chains = model.chains({ chains: 2 });
    expectCode('ERR_INVALID_ARGUMENT', () => chains.spins(new Int8Array(31)));
    expectCode('ERR_INVALID_ARGUMENT', () => chains.spins(new Float32Array(32) as never));
  });

  test('bad chain counts: zero, fractional, and more than memory holds', () => {
    expectCode('ERR_INVALID_ARGUMENT', () => model.sampleSync({ chains: 0 }));
    expectCode('ERR_INVALID_ARGUMENT', () => model.sampleSync({ chains: 2.5 }));
    expectCode('ERR_TOO_LARGE', () => model.sampleSync({ chains: 2 ** 40, samples: 1 }));
    // States of 1e6 samples × 1e5 chains would need 1.6 TB.
    expectCode('ERR_TOO_LARGE', () => model.sampleSync({ chains: 100000, samples: 1e6, observe: ['states'] }));
  });

  test('bad graphs: out-of-range edges, self-loops, duplicates', () => {
    expectCode('ERR_INVALID_GRAPH', () => graphs.fromEdges(3, [[0, 3]]));
    expectCode('ERR_INVALID_GRAPH', () => graphs.fromEdges(3, [[1, 1]]));
    expectCode('ERR_INVALID_GRAPH', () =>
      graphs.fromEdges(3, [
        [0, 1],
        [1, 0],
      ]),
    );
    expectCode('ERR_INVALID_GRAPH', () => graphs.fromEdges(3, [[0, 1.5]]));
    // The native layer checks again, whatever the caller.
    const N = native();
    expectCode('ERR_INVALID_GRAPH', () => new N.Graph(3, Int32Array.of(0), Int32Array.of(3), 'dsatur'));
    expectCode('ERR_INVALID_GRAPH', () => new N.Graph(3, Int32Array.of(2), Int32Array.of(2), 'dsatur'));
    expectCode('ERR_INVALID_GRAPH', () => new N.Graph(3, Int32Array.of(0, 1), Int32Array.of(1, 0), 'dsatur'));
    expectCode('ERR_INVALID_ARGUMENT', () => new N.Graph(3, Int32Array.of(0, 1), Int32Array.of(1), 'dsatur'));
    expectCode('ERR_INVALID_ARGUMENT', () => new N.Graph(3, [0] as unknown as Int32Array, Int32Array.of(1), 'dsatur'));
  });

  test('the native layer validates calls that bypass the TypeScript checks', () => {
    const N = native();
    expectCode('ERR_INVALID_ARGUMENT', () => new N.GibbsChains(graph.handle, 0, 1));
    expectCode('ERR_INVALID_ARGUMENT', () => new N.GibbsChains({} as never, 8, 1));
    const chains = new N.GibbsChains(graph.handle, 8, 1);
    const j = new Float32Array(graph.numEdges);
    j[0] = NaN;
    expectCode('ERR_NOT_FINITE', () => chains.setParameters(j, new Float32Array(16)));
    expectCode('ERR_INVALID_ARGUMENT', () => chains.setParameters(new Float32Array(3), new Float32Array(16)));
    expectCode('ERR_INVALID_ARGUMENT', () => chains.setClamp(Int32Array.of(99), new Int8Array(8).fill(1)));
    expectCode('ERR_INVALID_ARGUMENT', () => chains.setClamp(Int32Array.of(1), new Int8Array(8).fill(3)));
    const table = (...values: number[]): NativeBeta => [
      Float64Array.of(5),
      Float32Array.from(values),
      0,
      values.length,
    ];
    const one: NativeBeta = [Float64Array.of(0, 1), undefined, 0, 1];
    expectCode('ERR_INVALID_ARGUMENT', () => chains.run(1, 1, 1, table(-1), 0));
    expectCode('ERR_INVALID_ARGUMENT', () => chains.run(5, 1, 1, table(1, 1), 0));
    expectCode('ERR_INVALID_ARGUMENT', () => chains.run(-1, 1, 1, one, 0));
    expectCode('ERR_INVALID_ARGUMENT', () => chains.run(1, 1, 1, [Float64Array.of(0, -1), undefined, 0, 1], 0));
    expectCode('ERR_INVALID_ARGUMENT', () => chains.run(1, 1, 1, Float32Array.of(1) as never, 0)); // the old per-sweep form
    expectCode('ERR_INVALID_ARGUMENT', () => chains.run(0, 1, 1, one, 0, 0));
    expectCode('ERR_INVALID_ARGUMENT', () => chains.run(0, 1, 1, one, 99));
    expectCode('ERR_INVALID_ARGUMENT', () => chains.run(0, 1, 1, one, 2, 1, Int32Array.of(0), Int32Array.of()));
    expectCode('ERR_INVALID_ARGUMENT', () => (chains.run as (...a: unknown[]) => unknown)());
    expectCode('ERR_INVALID_ARGUMENT', () => chains.readSpins(new Int8Array(8 * 16 - 1)));
    expectCode('ERR_INVALID_ARGUMENT', () => chains.readSpins(new Uint8Array(8 * 16) as never));
  });

  test('user blocks holding two neighbours are rejected with both named', () => {
    const blocks = new Int32Array(16); // everything in one block: a synchronous update
    expect(() => graphs.lattice2d(4, 4, { blocks })).toThrow(/nodes \d+ and \d+ are neighbours/);
    expectCode('ERR_INVALID_BLOCKS', () => graphs.lattice2d(4, 4, { blocks }));
    expectCode('ERR_INVALID_ARGUMENT', () => graphs.lattice2d(4, 4, { blocks: [1, 2] }));
  });
});
