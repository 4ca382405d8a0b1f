import { Readable } from 'stream';
import { Worker } from 'worker_threads';
import * as path from 'path';
import { graphs, IsingModel } from '../lib';

const graph = graphs.king(64, 64);
const model = IsingModel.random(graph, { beta: 0.4, seed: 2, couplingScale: 0.3 });

describe('async runs', () => {
  test('an AbortSignal cancels a long run within a few ms', async () => {
    const controller = new AbortController();
    // About 10 s of work: cancellation must cut it short.
    const run = model.sample({ chains: 256, warmup: 200000, samples: 1, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const abortedAt = process.hrtime.bigint();
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    const latencyMs = Number(process.hrtime.bigint() - abortedAt) / 1e6;
    // The engine checks between kernel calls of ~2^21 spin updates (< 1 ms here); allow for a busy CI machine.
    expect(latencyMs).toBeLessThan(50);
  });

  test('an already aborted signal rejects at once', async () => {
    await expect(model.sample({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  test('the event loop stays free while sampling', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await model.sample({ chains: 64, warmup: 400, samples: 1, observe: [] });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(2);
  });

  test('chains running an async job refuse other calls until it settles', async () => {
    const chains = model.chains({ chains: 16, seed: 1 });
    const pending = chains.run({ warmup: 2000, samples: 1 });
    expect(() => chains.runSync({ samples: 1 })).toThrow(expect.objectContaining({ code: 'ERR_BUSY' }));
    await pending;
    expect(chains.runSync({ warmup: 1, samples: 1 }).sweeps).toBe(1);
  });
});

describe('streaming', () => {
  test('batches continue the same chains and β schedule: two batches equal one longer run', async () => {
    const beta = Float32Array.from({ length: 10 + 9 * 3 }, (_, k) => 0.1 + 0.01 * k); // an annealing ramp
    const opts = { chains: 8, warmup: 10, thin: 3, seed: 4, beta, observe: ['states' as const] };
    const batches = [];
    for await (const batch of model.stream({ ...opts, batch: 5 })) {
      batches.push(batch);
      if (batches.length === 2) break; // break must end the generator cleanly
    }
    const whole = model.sampleSync({ ...opts, samples: 10 });
    const n = graph.numNodes;
    const bytes = (a: Int8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    expect(bytes(batches[0].states!).equals(bytes(whole.states!.subarray(0, 5 * 8 * n)))).toBe(true);
    expect(bytes(batches[1].states!).equals(bytes(whole.states!.subarray(5 * 8 * n)))).toBe(true);
    expect(batches[1].sweeps).toBe(5 * 3);
  });

  test('a Readable built from the stream delivers batches with backpressure', async () => {
    const readable = Readable.from(
      model.stream({ chains: 8, warmup: 5, batch: 2, maxBatches: 3, observe: ['magnetization'] }),
      {
        highWaterMark: 1,
      },
    );
    const seen: number[] = [];
    for await (const batch of readable) seen.push(batch.magnetization.length);
    expect(seen).toEqual([16, 16, 16]);
  });
});

describe('worker_threads', () => {
  // The worker runs the compiled library (dist/), which `npm install` builds.
  test('the addon loads and samples in a worker while the main thread samples too', async () => {
    const opts = { chains: 16, warmup: 50, samples: 4, thin: 2, seed: 11, observe: ['states'] };
    const worker = new Worker(path.join(__dirname, 'helpers', 'sample-worker.js'), { workerData: opts });
    const fromWorker = new Promise<Int8Array>((resolve, reject) => {
      worker.once('message', (states: Int8Array) => resolve(states));
      worker.once('error', reject);
    });
    const here = await model.sample(opts as never);
    const there = await fromWorker;
    await worker.terminate();
    expect(Buffer.from(there.buffer, there.byteOffset, there.byteLength)).toEqual(
      Buffer.from(here.states!.buffer, here.states!.byteOffset, here.states!.byteLength),
    );
  });
});
