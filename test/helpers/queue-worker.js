// The queue tests' job handler, and a worker process running it (the compiled library).
//
// sampleBatches is real heatbath sampling: a seeded Ising model (a 16×16 king graph, or the 70×70 G12 torus of
// the serving benchmark), one seeded run per batch, each batch's spins emitted as one chunk, so a job's bytes
// depend on its data only.
// As a program, `node queue-worker.js '<worker options JSON>'` serves the queue until SIGTERM, which closes the
// worker gracefully (running jobs finish) and exits 0. It prints `ready` once it takes jobs.
const { graphs, IsingModel } = require('../../dist/lib');
const { startQueueWorker } = require('../../dist/lib/serve/queue');

const graphOf = { king16: () => graphs.king(16), g12: () => graphs.torus(70, { jumps: 'G12' }) };
const models = new Map();
function model(graph) {
  if (!models.has(graph)) models.set(graph, IsingModel.random(graphOf[graph](), { beta: 0.4, seed: 3 }));
  return models.get(graph);
}

/**
 * data: { seed, batches, graph = 'king16' | 'g12', chains = 8, sweeps = 20, threads = 1, pauseMs = 0,
 *         failAfter?, failWith? ('coded' | 'plain') }
 * pauseMs waits before each batch: a job that takes a while on any machine, for the fault tests.
 */
async function sampleBatches(data, { signal, emit }) {
  const {
    seed,
    batches,
    graph = 'king16',
    chains = 8,
    sweeps = 20,
    threads = 1,
    pauseMs = 0,
    failAfter,
    failWith,
  } = data;
  for (let b = 0; b < batches; b++) {
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    if (b === failAfter) {
      if (failWith === 'coded')
        throw Object.assign(new Error('labels must be in [0, 9], got 12'), { code: 'ERR_INVALID_ARGUMENT' });
      throw new Error('the handler broke');
    }
    const run = await model(graph).sample({
      chains,
      warmup: sweeps,
      samples: 1,
      thin: 1,
      seed: seed * 1000 + b,
      observe: ['states'],
      threads,
      signal,
    });
    await emit(Buffer.from(run.states.buffer, run.states.byteOffset, run.states.byteLength));
  }
}

/** The chunks of a job run directly, without the queue. */
async function directChunks(data) {
  const chunks = [];
  await sampleBatches(data, {
    signal: new AbortController().signal,
    emit: async (chunk) => void chunks.push(Buffer.from(chunk)),
  });
  return chunks;
}

module.exports = { sampleBatches, directChunks };

if (require.main === module) {
  (async () => {
    const worker = await startQueueWorker({ ...JSON.parse(process.argv[2]), handler: sampleBatches });
    process.once('SIGTERM', () => worker.close().then(() => process.exit(0)));
    console.log('ready');
  })().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
