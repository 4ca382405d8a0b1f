/**
 * What the queue costs (issue target serve.queue), measured within one run so that a loaded machine cancels out:
 *   latency: tiny jobs one at a time through the queue (one worker process) against the handler called
 *            directly, interleaved; the added p50 should be ≤ 5 ms;
 *   throughput: the serving benchmark's job (70×70 G12, 256 chains × 200 sweeps) from 8 concurrent clients
 *            through 2 worker processes of 1 thread each, against the same jobs run in this process on 2 threads
 *            (a process runs its native jobs one at a time, each over its threads), passes alternated; the
 *            median ratio of a queued pass to the direct pass before it should be ≥ 0.85.
 * A measurement, not a check of the code: it runs only with HEATBATH_QUEUE_SPEED=1, e.g.
 *   HEATBATH_QUEUE_SPEED=1 taskset -c 0,1 npx jest test/queue.speed.test.ts
 */
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { createJobQueue, JobHandler, JobQueue } from '../lib/serve/queue';
import { RedisServer } from './helpers/redis-server';

const { sampleBatches } = require('./helpers/queue-worker') as { sampleBatches: JobHandler };

const measure = process.env.HEATBATH_QUEUE_SPEED === '1' ? describe : describe.skip;

const TINY_JOBS = 200;
const BIG_JOBS = 16;
const PASSES = 5;

let redis: RedisServer;
let queue: JobQueue;
const children: ChildProcess[] = [];

async function workerProcess(): Promise<void> {
  const args = [path.join(__dirname, 'helpers', 'queue-worker.js'), JSON.stringify({ url: redis.url })];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve) => child.stdout!.on('data', (data) => String(data).includes('ready') && resolve()));
}

const now = () => performance.now();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function direct(data: object): Promise<void> {
  await sampleBatches(data, { jobId: 'direct', signal: new AbortController().signal, emit: async () => undefined });
}

async function queued(data: object): Promise<void> {
  for await (const _chunk of queue.submit(data));
}

/** Runs `count` jobs from `clients` concurrent loops; returns the wall time in ms. */
async function pass(count: number, clients: number, run: (k: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) await run(next++);
    }),
  );
  return now() - started;
}

measure('serve.queue: the transport’s cost', () => {
  beforeAll(async () => {
    redis = await RedisServer.start();
    queue = await createJobQueue({ url: redis.url });
  });

  afterAll(async () => {
    const exited = children.map((child) => new Promise((resolve) => child.once('exit', resolve)));
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(exited);
    await queue?.close();
    await redis?.close();
  });

  test('added latency of tiny jobs', async () => {
    await workerProcess();
    const tiny = (seed: number) => ({ seed, batches: 1, sweeps: 1, chains: 8 });
    for (let k = 0; k < 20; k++) await Promise.all([direct(tiny(k)), queued(tiny(k))]); // warm-up
    const directMs: number[] = [];
    const queuedMs: number[] = [];
    for (let k = 0; k < TINY_JOBS; k++) {
      let t = now();
      await direct(tiny(k));
      directMs.push(now() - t);
      t = now();
      await queued(tiny(k));
      queuedMs.push(now() - t);
    }
    const figures = {
      jobs: TINY_JOBS,
      directP50Ms: median(directMs),
      queuedP50Ms: median(queuedMs),
      queuedP99Ms: quantile(queuedMs, 0.99),
      addedP50Ms: median(queuedMs) - median(directMs),
    };
    console.log(JSON.stringify(figures));
    expect(figures.addedP50Ms).toBeLessThanOrEqual(5);
  });

  test('throughput: 2 worker processes against the same jobs in this process', async () => {
    await workerProcess(); // the second
    const big = (seed: number, threads = 1) => ({ seed, batches: 1, graph: 'g12', chains: 256, sweeps: 200, threads });
    await Promise.all([direct(big(0)), queued(big(0)), queued(big(1))]); // builds the model in each process
    const directJobsPerS: number[] = [];
    const queuedJobsPerS: number[] = [];
    for (let p = 0; p < PASSES; p++) {
      directJobsPerS.push((1000 * BIG_JOBS) / (await pass(BIG_JOBS, 2, (k) => direct(big(k, 2)))));
      queuedJobsPerS.push((1000 * BIG_JOBS) / (await pass(BIG_JOBS, 8, (k) => queued(big(k)))));
    }
    const flipsPerJob = 4900 * 256 * 201; // nodes × chains × (warm-up + 1 sample) sweeps
    const figures = {
      directJobsPerS,
      queuedJobsPerS,
      directFlipsPerNs: (median(directJobsPerS) * flipsPerJob) / 1e9,
      queuedFlipsPerNs: (median(queuedJobsPerS) * flipsPerJob) / 1e9,
      // Each queued pass against the direct pass just before it: load that drifts between passes cancels out.
      ratio: median(queuedJobsPerS.map((q, p) => q / directJobsPerS[p])),
    };
    console.log(JSON.stringify(figures));
    expect(figures.ratio).toBeGreaterThanOrEqual(0.85);
  });
});
