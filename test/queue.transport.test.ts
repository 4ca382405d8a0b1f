/**
 * The queue transport against a real redis-server on loopback: results come back byte for byte as a direct run
 * gives them, jobs run concurrently, big results stay bounded in Redis, errors keep their codes, aborts and time
 * limits cancel jobs, nothing is left in Redis after the jobs, and loading the package does not load bullmq.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { Redis } from 'ioredis';
import { HeatbathError } from '../lib/errors';
import {
  createJobQueue,
  JobHandler,
  JobQueue,
  QueueWorker,
  QueueWorkerOptions,
  startQueueWorker,
} from '../lib/serve/queue';
import { RedisServer } from './helpers/redis-server';

const { sampleBatches, directChunks } = require('./helpers/queue-worker') as {
  sampleBatches: JobHandler;
  directChunks(data: object): Promise<Buffer[]>;
};

let redis: RedisServer;
let admin: Redis;
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
  admin = new Redis(redis.url);
});

afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await thing.close();
});

afterAll(async () => {
  admin?.disconnect();
  await redis?.close();
});

let queues = 0;
/** A producer and workers on a queue of their own. */
async function setup(
  workers: Partial<QueueWorkerOptions>[] = [{}],
  producer: { timeoutMs?: number; keepFailed?: number } = {},
): Promise<{ name: string; queue: JobQueue; workers: QueueWorker[] }> {
  const name = `q${++queues}`;
  const started: QueueWorker[] = [];
  for (const options of workers) {
    const worker = await startQueueWorker({ url: redis.url, name, handler: sampleBatches, ...options });
    opened.push(worker);
    started.push(worker);
  }
  const queue = await createJobQueue({ url: redis.url, name, pollMs: 200, ...producer });
  opened.push(queue);
  return { name, queue, workers: started };
}

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of chunks) out.push(chunk);
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

/** Waits until `check` holds (the workers finish their bookkeeping after the consumer has its result). */
async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** The keys of a queue that are not BullMQ's fixed per-queue keys (a job, its result, its cancel flag…). */
async function jobKeys(name: string): Promise<string[]> {
  const fixed = new Set(['meta', 'id', 'events', 'stalled-check', 'marker', 'wait', 'active', 'failed', 'completed']);
  const keys = await admin.keys(`bull:${name}:*`);
  return keys.filter((key) => !fixed.has(key.slice(`bull:${name}:`.length)));
}

test('a job round trip: the same chunks, in order, as the handler run directly', async () => {
  const { queue } = await setup();
  const data = { seed: 11, batches: 12 };
  const chunks = await collect(queue.submit(data));
  const direct = await directChunks(data);
  expect(chunks.length).toBe(12);
  expect(chunks).toEqual(direct);
});

test('jobs run concurrently on a worker of concurrency 3, each with its own result', async () => {
  let running = 0;
  let most = 0;
  const counting: JobHandler = async (data, context) => {
    most = Math.max(most, ++running);
    try {
      await sampleBatches(data, context);
    } finally {
      running--;
    }
  };
  const { queue } = await setup([{ concurrency: 3, handler: counting }]);
  const jobs = [1, 2, 3, 4, 5, 6].map((seed) => ({ seed, batches: 6, sweeps: 200 }));
  const results = await Promise.all(jobs.map((data) => collect(queue.submit(data))));
  for (let k = 0; k < jobs.length; k++) expect(results[k]).toEqual(await directChunks(jobs[k]));
  expect(most).toBe(3);
});

test('a big result stays bounded in Redis: the worker waits while the consumer is behind', async () => {
  // 200 chunks of 64 KiB from a seeded generator (13 MB in all); the consumer reads slowly.
  const bytes = (seed: number, k: number) => {
    const out = Buffer.alloc(65536);
    for (let i = 0; i < out.length; i += 4)
      out.writeUInt32LE(((seed * 2654435761 + k * 40503 + i) * 2246822519) >>> 0, i);
    return out;
  };
  const big: JobHandler = async (data, { emit }) => {
    for (let k = 0; k < 200; k++) await emit(bytes((data as { seed: number }).seed, k));
  };
  const { name, queue } = await setup([{ handler: big, maxBufferedChunks: 8 }]);
  let longest = 0;
  let received = 0;
  let same = true;
  for await (const chunk of queue.submit({ seed: 5 }, { jobId: 'big' })) {
    same &&= chunk.equals(bytes(5, received++));
    if (received % 10 === 0) {
      longest = Math.max(longest, await admin.xlen(`bull:${name}:result:big`));
      await sleep(5);
    }
  }
  expect([received, same]).toEqual([200, true]);
  expect(longest).toBeGreaterThan(0);
  expect(longest).toBeLessThanOrEqual(8 + 1); // the limit, plus the chunk that found it reached
});

test("a handler's error reaches the consumer with its code; failed jobs are kept up to keepFailed", async () => {
  const { name, queue } = await setup([{}], { keepFailed: 2 });
  const coded = await rejection(collect(queue.submit({ seed: 1, batches: 5, failAfter: 2, failWith: 'coded' })));
  expect([coded.code, coded.message]).toEqual(['ERR_INVALID_ARGUMENT', 'labels must be in [0, 9], got 12']);
  for (let k = 0; k < 3; k++) {
    const plain = await rejection(collect(queue.submit({ seed: 1, batches: 5, failAfter: 0 })));
    expect(plain.code).toBe('ERR_JOB_FAILED');
    expect(plain.message).toMatch(/failed on its worker: the handler broke/);
  }
  expect(await eventually(async () => (await admin.zcard(`bull:${name}:failed`)) === 2)).toBe(true);
  // Only the kept failed jobs remain: no result streams, no cancel flags.
  expect(await eventually(async () => (await jobKeys(name)).length === 2)).toBe(true);
});

test('emit() refuses what is not bytes, with a coded error the consumer gets', async () => {
  const wrong: JobHandler = async (_data, { emit }) => emit('text' as unknown as Uint8Array);
  const { queue } = await setup([{ handler: wrong }]);
  const err = await rejection(collect(queue.submit({})));
  expect([err.code, err.message]).toEqual(['ERR_INVALID_ARGUMENT', 'emit() takes a Buffer or a Uint8Array']);
});

describe('cancelling', () => {
  test('an abort stops the running handler promptly and leaves nothing in Redis', async () => {
    let stopped: unknown;
    const watched: JobHandler = async (data, context) => {
      try {
        await sampleBatches(data, context);
      } catch (err) {
        stopped = err;
        throw err;
      }
    };
    const { name, queue } = await setup([{ handler: watched }]);
    const controller = new AbortController();
    let received = 0;
    const abortedAt = { ms: 0 };
    const err = await rejection(
      (async () => {
        for await (const _chunk of queue.submit(
          { seed: 2, batches: 10000, sweeps: 50 },
          { signal: controller.signal },
        )) {
          if (++received === 2) {
            abortedAt.ms = Date.now();
            controller.abort();
          }
        }
      })(),
    );
    expect(err.code).toBe('ERR_ABORTED');
    expect(Date.now() - abortedAt.ms).toBeLessThan(1000);
    expect(await eventually(async () => stopped !== undefined)).toBe(true);
    expect((stopped as HeatbathError).code).toBe('ERR_ABORTED');
    expect(await eventually(async () => (await jobKeys(name)).length === 0)).toBe(true);
  });

  test('leaving the loop early cancels the job too', async () => {
    const { name, queue } = await setup();
    for await (const _chunk of queue.submit({ seed: 3, batches: 10000, sweeps: 50 })) break;
    expect(await eventually(async () => (await jobKeys(name)).length === 0)).toBe(true);
    expect(await admin.llen(`bull:${name}:active`)).toBe(0);
  });

  test('a job still waiting is removed; an aborted signal adds nothing', async () => {
    const { name, queue } = await setup([]); // no worker: the job waits
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const err = await rejection(collect(queue.submit({ seed: 4, batches: 1 }, { signal: controller.signal })));
    expect(err.code).toBe('ERR_ABORTED');
    expect(await jobKeys(name)).toEqual([]);
    expect(await admin.llen(`bull:${name}:wait`)).toBe(0);
    const fresh = await setup([]);
    const early = await rejection(
      collect(fresh.queue.submit({ seed: 4, batches: 1 }, { signal: AbortSignal.abort() })),
    );
    expect(early.code).toBe('ERR_ABORTED');
    expect(await admin.keys(`bull:${fresh.name}:*`)).toEqual([]);
  });

  test('a job that outlives its time limit fails with ERR_TIMEOUT and is removed', async () => {
    const { name, queue } = await setup([]);
    const started = Date.now();
    const err = await rejection(collect(queue.submit({ seed: 4, batches: 1 }, { timeoutMs: 400 })));
    expect(err.code).toBe('ERR_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await jobKeys(name)).toEqual([]);
  });
});

test('after many jobs, Redis holds only the queue’s fixed keys', async () => {
  const { name, queue } = await setup([{ concurrency: 2 }]);
  await Promise.all(Array.from({ length: 30 }, (_, seed) => collect(queue.submit({ seed, batches: 2 }))));
  expect(await eventually(async () => (await jobKeys(name)).length === 0)).toBe(true);
  expect((await admin.keys(`bull:${name}:*`)).length).toBeLessThanOrEqual(6);
});

describe('bad input and no Redis', () => {
  test('options and job data are checked', async () => {
    await expect(createJobQueue({ url: 'http://localhost' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(createJobQueue({ url: redis.url, name: 'a:b' })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    await expect(startQueueWorker({ url: redis.url, handler: 'no' as unknown as JobHandler })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    await expect(startQueueWorker({ url: redis.url, handler: sampleBatches, concurrency: 0 })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    const { queue } = await setup([]);
    await expect(collect(queue.submit({ n: 1n }))).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(collect(queue.submit(undefined))).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(collect(queue.submit({}, { jobId: 'a:b' }))).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(collect(queue.submit({}, { jobId: '42' }))).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  test('a Redis nobody answers on: ERR_QUEUE after unavailableMs, the password not shown', async () => {
    const nobody = await RedisServer.start();
    await nobody.close(); // a port that was free a moment ago, now closed
    const url = `redis://user:secret@127.0.0.1:${nobody.port}`;
    const started = Date.now();
    const err = await rejection(createJobQueue({ url, unavailableMs: 500 }));
    expect(err.code).toBe('ERR_QUEUE');
    expect(err.message).toMatch(
      /^Redis at redis:\/\/user:\*\*\*@127\.0\.0\.1:\d+ did not answer within 500 ms \(.*ECONNREFUSED/,
    );
    expect(Date.now() - started).toBeLessThan(3000);
    const workerErr = await rejection(startQueueWorker({ url, handler: sampleBatches, unavailableMs: 500 }));
    expect(workerErr.code).toBe('ERR_QUEUE');
  });
});

test('loading heatbath or the queue module loads neither bullmq nor ioredis', () => {
  const root = path.resolve(__dirname, '..');
  const loaded = execFileSync(
    process.execPath,
    [
      '-e',
      "require('./dist/lib'); require('./dist/lib/serve/queue');" +
        'console.log(Object.keys(require.cache).filter((f) => /node_modules[\\\\/](bullmq|ioredis)[\\\\/]/.test(f)).length)',
    ],
    { cwd: root, encoding: 'utf8' },
  );
  expect(loaded.trim()).toBe('0');
});
