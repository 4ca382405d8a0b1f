/**
 * heatbath/client against a real server on 127.0.0.1: typed samples equal to the server's JSON answer,
 * streamed batches, coded errors, retries on 503, cancellation, and no native addon loaded.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { HeatbathClient, HeatbathServerError } from '../lib/client';
import { Server } from '../lib/serve/server';
import { call, modelsDir, serve } from './helpers/serve';

let dir: string;
let server: Server;
let client: HeatbathClient;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
beforeAll(async () => {
  dir = await modelsDir('heatbath-client-');
  server = await serve(dir, { limits: { threads: 1 } });
  client = new HeatbathClient(server.url, { retryDelayMs: 20 });
});
afterAll(async () => {
  await server?.drain();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('sample() gives typed arrays holding what the server answers', async () => {
  const request = { n: 10, seed: 4, sweeps: 20, observe: ['energy' as const], batch: 4 };
  const samples = await client.sample('ring', request);
  const answer = (await call(`${server.url}/v1/models/ring/samples`, { method: 'POST', body: request })).json();
  expect(samples.samples).toBeInstanceOf(Int8Array);
  expect([samples.count, samples.width, samples.n, samples.kind, samples.dtype]).toEqual([10, 32, 10, 'ising', 'i1']);
  expect(Array.from(samples.samples)).toEqual(answer.samples.flat());
  expect(Array.from(samples.energy!)).toEqual(answer.energy);
  expect(samples.stats.engineSeconds).toBeGreaterThan(0);
  const models = await client.models();
  expect(models.map((m) => m.name).sort()).toContain('ring');
  expect((await client.model('dtm')).kind).toBe('dtm');
});

test('batches() yields each batch as it is computed, and together they are the samples', async () => {
  const request = { n: 10, seed: 4, sweeps: 20, batch: 4 };
  const whole = await client.sample('ring', request);
  const seen: number[] = [];
  const joined = new Int8Array(whole.samples.length);
  for await (const batch of client.batches('ring', request)) {
    seen.push(batch.count);
    joined.set(batch.samples as Int8Array, batch.offset * batch.width);
  }
  expect(seen).toEqual([4, 4, 2]);
  expect(joined).toEqual(whole.samples);
});

test('errors carry the server status and code', async () => {
  await expect(client.sample('no-such-model')).rejects.toMatchObject({ status: 404, code: 'ERR_NOT_FOUND' });
  const refused = await client.sample('ring', { n: 2, labels: 3 }).catch((err) => err);
  expect(refused).toBeInstanceOf(HeatbathServerError);
  expect([refused.status, refused.code]).toEqual([422, 'ERR_INVALID_ARGUMENT']);
  expect(() => new HeatbathClient('ftp://x')).toThrow(/http/);
  // Nobody listens on port 9 (discard) of loopback: a refused connection, retried, then a coded error.
  await expect(
    new HeatbathClient('http://127.0.0.1:9', { retries: 1, retryDelayMs: 1 }).models(),
  ).rejects.toMatchObject({ code: 'ERR_IO' });
});

test('a full server (503) is retried with backoff until it has room', async () => {
  const small = await serve(dir, { limits: { threads: 1, maxRunning: 1, maxQueued: 0 } });
  try {
    const patient = new HeatbathClient(small.url, { retries: 400, retryDelayMs: 10, maxRetryDelayMs: 50 });
    const impatient = new HeatbathClient(small.url, { retries: 0 });
    // A request that holds the only place until it is cancelled, however fast the machine.
    const hog = new AbortController();
    const long = patient
      .sample('lattice', { n: 8, seed: 1, sweeps: 30_000_000 }, { signal: hog.signal })
      .catch((err) => err);
    await sleep(100);
    await expect(impatient.sample('ring', { n: 1 })).rejects.toMatchObject({ status: 503, code: 'ERR_QUEUE_FULL' });
    const waiting = patient.sample('ring', { n: 1, seed: 2 }); // refused, retried with backoff…
    await sleep(200);
    hog.abort(); // …until the place is free
    expect(await long).toMatchObject({ code: 'ERR_ABORTED' });
    expect((await waiting).n).toBe(1);
  } finally {
    await small.drain();
  }
});

test('an aborted request stops at once with ERR_ABORTED', async () => {
  const controller = new AbortController();
  const pending = client.sample('lattice', { n: 8, seed: 1, sweeps: 10_000_000 }, { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  const started = Date.now();
  await expect(pending).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  expect(Date.now() - started).toBeLessThan(2000);
});

test('heatbath/client loads no native addon', () => {
  const entry = path.resolve(__dirname, '..', 'dist', 'lib', 'client', 'index.js');
  const loaded = execFileSync(
    process.execPath,
    ['-e', `require(${JSON.stringify(entry)}); console.log(JSON.stringify(Object.keys(require.cache)))`],
    { encoding: 'utf8' },
  );
  const modules: string[] = JSON.parse(loaded);
  expect(modules.some((m) => m.includes(`${path.sep}client${path.sep}`))).toBe(true);
  expect(modules.filter((m) => m.includes(`${path.sep}native${path.sep}`) || m.endsWith('.node'))).toEqual([]);
});
