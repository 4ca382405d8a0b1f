/**
 * `heatbath serve --queue` end to end: a server that computes on `heatbath worker` processes through a real
 * redis-server on 127.0.0.1 answers with the same bytes as a server computing locally, in every format, and
 * a worker killed mid-job (SIGKILL) loses nothing: another worker redoes the batch and the client gets the
 * samples it would have got.
 */
import * as fs from 'fs';
import { createJobQueue, JobQueue } from '../lib/serve/queue';
import { Server } from '../lib/serve/server';
import { CliProcess, killStarted, startCli } from './helpers/cli-process';
import { RedisServer } from './helpers/redis-server';
import { call, modelsDir, serve } from './helpers/serve';

jest.setTimeout(60_000);

let redis: RedisServer;
let dir: string;
let local: Server;
let queued: Server;
let queue: JobQueue;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A `heatbath worker` process, resolved once it has loaded the models and waits for jobs. */
async function startWorker(): Promise<CliProcess> {
  const worker = startCli(['worker', '--redis', redis.url, '--models', dir, '--threads', '1']);
  let stderr = '';
  worker.child.stderr!.on('data', (chunk) => (stderr += chunk));
  for (let k = 0; k < 400 && !stderr.includes('waiting for jobs'); k++) await sleep(25);
  if (!stderr.includes('waiting for jobs')) throw new Error(`the worker did not start: ${stderr}`);
  return worker;
}

beforeAll(async () => {
  redis = await RedisServer.start();
  dir = await modelsDir('heatbath-serve-queue-');
  local = await serve(dir, { limits: { threads: 1 } });
  queue = await createJobQueue({ url: redis.url, pollMs: 200 });
  queued = await serve(dir, { queue });
});
afterEach(killStarted);
afterAll(async () => {
  await queued?.drain();
  await queue?.close();
  await local?.drain();
  await redis?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const requests: [string, Record<string, unknown>, string][] = [
  ['ring', { n: 40, seed: 7, sweeps: 30, observe: ['energy', 'magnetization'], batch: 16 }, 'application/json'],
  ['lattice', { n: 20, seed: 3, sweeps: 10, anneal: { from: 0.1, to: 0.5 } }, 'application/x-npy'],
  ['rbm', { n: 12, seed: 5, sweeps: 4, observe: ['probabilities'] }, 'application/json'],
  ['dtm', { n: 6, seed: 2, sweeps: 5, labels: 1 }, 'image/png'],
  ['langevin', { n: 8, seed: 9, steps: 50 }, 'application/x-npy'],
];

test('queued answers are byte for byte the local ones, in every format', async () => {
  const worker = await startWorker();
  for (const [model, body, accept] of requests) {
    const path = `/v1/models/${model}/samples`;
    const [here, there] = await Promise.all([
      call(local.url + path, { method: 'POST', body, accept }),
      call(queued.url + path, { method: 'POST', body, accept }),
    ]);
    expect([model, there.status]).toEqual([model, 200]);
    if (accept === 'application/json') {
      // The stats (engine seconds) differ; the samples and observed figures may not.
      const { stats: _a, ...a } = here.json();
      const { stats: _b, ...b } = there.json();
      expect(b).toEqual(a);
    } else {
      expect(there.bytes.equals(here.bytes)).toBe(true);
    }
  }
  // A request the model refuses is refused before anything is queued, as locally.
  const refused = await call(`${queued.url}/v1/models/ring/samples`, { method: 'POST', body: { n: 2, labels: 1 } });
  expect(refused.status).toBe(422);
  worker.child.kill('SIGTERM');
  expect((await worker.ended).code).toBe(0);
});

test('a worker killed mid-batch loses nothing: another one redoes it and the client gets the same samples', async () => {
  // One batch of about a second on one thread.
  const body = { n: 64, seed: 11, sweeps: 600_000, batch: 64 };
  const path = '/v1/models/lattice/samples';
  const expected = await call(local.url + path, { method: 'POST', body, accept: 'application/x-npy' });
  expect(expected.status).toBe(200);

  const first = await startWorker();
  const answer = call(queued.url + path, { method: 'POST', body, accept: 'application/x-npy' });
  await sleep(300); // the job is on the first worker
  const second = await startWorker();
  first.child.kill('SIGKILL');
  const got = await answer;
  expect(got.status).toBe(200);
  expect(got.bytes.equals(expected.bytes)).toBe(true);
  second.child.kill('SIGTERM');
  expect((await second.ended).code).toBe(0);
});
