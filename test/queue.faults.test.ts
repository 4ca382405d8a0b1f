/**
 * The queue under faults, with a real redis-server and worker processes: a worker killed with SIGKILL mid-job
 * (another worker redoes the job, the consumer gets exactly the bytes of an undisturbed run), a worker that
 * dies more often than allowed (a coded failure), SIGTERM (running jobs finish, then the worker exits 0), and
 * Redis killed mid-job (restarted: the job completes, same bytes; gone: ERR_QUEUE, never a hang).
 */
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { HeatbathError } from '../lib/errors';
import { createJobQueue, JobHandler, JobQueue, QueueWorker, startQueueWorker } from '../lib/serve/queue';
import { RedisServer } from './helpers/redis-server';

const { sampleBatches, directChunks } = require('./helpers/queue-worker') as {
  sampleBatches: JobHandler;
  directChunks(data: object): Promise<Buffer[]>;
};

/** Quick failure detection, so each test takes seconds: a dead worker's job is retried about 1-2 s later. */
const FAST = { lockDurationMs: 1000, stalledIntervalMs: 300 };

let redis: RedisServer;
const children = new Set<ChildProcess>();
const opened: { close(): Promise<void> }[] = [];

beforeEach(async () => {
  redis = await RedisServer.start();
});

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (!redis.running) await redis.restart(); // so that what is open can close
  for (const thing of opened.splice(0).reverse()) await thing.close();
  await redis.close();
});

interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
}

/** A worker process (test/helpers/queue-worker.js) on the test's Redis, once it takes jobs. */
async function workerProcess(options: object = {}): Promise<WorkerProcess> {
  const args = [
    path.join(__dirname, 'helpers', 'queue-worker.js'),
    JSON.stringify({ url: redis.url, ...FAST, ...options }),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => (children.delete(child), resolve(code))),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (data) => String(data).includes('ready') && resolve());
    void exited.then((code) => reject(new Error(`the worker process exited (${code}) before it was ready`)));
  });
  return { child, exited };
}

async function producer(options: object = {}): Promise<JobQueue> {
  const queue = await createJobQueue({ url: redis.url, pollMs: 200, ...options });
  opened.push(queue);
  return queue;
}

/** Reads a job's chunks, calling `after(k)` once the k-th chunk has arrived. */
async function collect(
  chunks: AsyncIterable<Buffer>,
  after: (k: number) => Promise<void> | void = () => undefined,
): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of chunks) {
    out.push(chunk);
    await after(out.length);
  }
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<HeatbathError> {
  try {
    await promise;
  } catch (err) {
    return err as HeatbathError;
  }
  throw new Error('the promise resolved');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a worker killed with SIGKILL mid-job: another worker redoes it; the consumer gets identical bytes', async () => {
  const data = { seed: 21, batches: 30, pauseMs: 30 };
  const first = await workerProcess();
  const queue = await producer();
  let second: WorkerProcess | undefined;
  let killedAfter = 0;
  const chunks = await collect(queue.submit(data), async (k) => {
    if (k === 3) {
      first.child.kill('SIGKILL');
      killedAfter = k;
      second = await workerProcess();
    }
  });
  expect(await first.exited).toBeNull(); // killed, not exited
  expect(second).toBeDefined();
  expect(killedAfter).toBe(3);
  expect(Buffer.concat(chunks).equals(Buffer.concat(await directChunks(data)))).toBe(true);
  expect(chunks).toEqual(await directChunks(data));
});

test('a job whose workers die more often than maxStalledCount fails with a coded error', async () => {
  const first = await workerProcess({ maxStalledCount: 0 });
  const queue = await producer();
  const started = Date.now();
  const err = await rejection(
    collect(queue.submit({ seed: 22, batches: 100, pauseMs: 30 }), async (k) => {
      if (k === 2) {
        first.child.kill('SIGKILL');
        await workerProcess({ maxStalledCount: 0 }); // its stalled-job check fails the job
      }
    }),
  );
  expect(err.code).toBe('ERR_JOB_FAILED');
  expect(err.message).toMatch(/failed: job stalled more than allowable limit/);
  expect(Date.now() - started).toBeLessThan(20000);
});

test('SIGTERM: the worker finishes its running job, takes no new one, and exits 0', async () => {
  const worker = await workerProcess();
  const queue = await producer();
  const data = { seed: 23, batches: 15, pauseMs: 30 };
  const later = { seed: 24, batches: 2 };
  let laterChunks = 0;
  let exitedWith: number | null | undefined;
  let laterJob: Promise<Buffer[]> | undefined;
  const chunks = await collect(queue.submit(data), (k) => {
    if (k === 2) {
      worker.child.kill('SIGTERM');
      void worker.exited.then((code) => (exitedWith = code));
      laterJob = collect(queue.submit(later), () => void laterChunks++);
    }
  });
  expect(chunks).toEqual(await directChunks(data));
  expect(await worker.exited).toBe(0);
  expect([exitedWith, laterChunks]).toEqual([0, 0]); // the later job waited for another worker
  await workerProcess();
  expect(await laterJob).toEqual(await directChunks(later));
});

describe('Redis killed during a job', () => {
  let worker: QueueWorker;
  beforeEach(async () => {
    worker = await startQueueWorker({ url: redis.url, handler: sampleBatches, ...FAST, onError: () => undefined });
    opened.push(worker);
  });

  test('restarted (empty: nothing persisted): the job is resubmitted and completes with identical bytes', async () => {
    const data = { seed: 25, batches: 30, pauseMs: 30 };
    const queue = await producer({ unavailableMs: 5000 });
    const started = Date.now();
    const chunks = await collect(queue.submit(data), async (k) => {
      if (k === 5) {
        await redis.stop('SIGKILL');
        await sleep(300);
        await redis.restart();
      }
    });
    expect(chunks).toEqual(await directChunks(data));
    expect(Date.now() - started).toBeLessThan(30000);
  });

  test('gone for good: ERR_QUEUE once it has been unreachable for unavailableMs', async () => {
    const queue = await producer({ unavailableMs: 1000 });
    let stoppedAt = 0;
    const err = await rejection(
      collect(queue.submit({ seed: 26, batches: 100, pauseMs: 30 }), async (k) => {
        if (k === 2) {
          await redis.stop('SIGKILL');
          stoppedAt = Date.now();
        }
      }),
    );
    expect(err.code).toBe('ERR_QUEUE');
    expect(err.message).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer within 1000 ms/);
    expect(Date.now() - stoppedAt).toBeLessThan(1000 + 200 + 2000); // unavailableMs + pollMs + slack
  });
});
