/**
 * The server under load, on 127.0.0.1: a disconnect cancels the engine's work within milliseconds, a full
 * queue answers 503 with Retry-After, a small request is not stuck behind a large one, and the event loop
 * stays responsive (p99 delay under 20 ms) while every core is busy.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { monitorEventLoopDelay } from 'perf_hooks';
import { promisify } from 'util';
import * as graphs from '../lib/graphs';
import { saveModel } from '../lib/io/model-file';
import { IsingModel } from '../lib/models/ising';
import { Server } from '../lib/serve/server';
import { call, modelsDir, serve } from './helpers/serve';

let dir: string;
beforeAll(async () => {
  dir = await modelsDir('heatbath-serve-load-');
  await saveModel(
    path.join(dir, 'big.safetensors'),
    IsingModel.random(graphs.torus(32, { jumps: 'G12' }), { beta: 0.5, seed: 5 }),
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function gauge(server: Server, name: string): Promise<number> {
  const text = (await call(`${server.url}/metrics`)).bytes.toString();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)![1]);
}

test('a client that disconnects cancels its job: the engine is free again within milliseconds', async () => {
  const server = await serve(dir);
  try {
    const controller = new AbortController();
    // One batch of 8 chains × 10^6 sweeps × 1024 spins: many seconds of compute if nothing stopped it.
    const pending = fetch(`${server.url}/v1/models/big/samples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ n: 8, sweeps: 1000000 }),
      signal: controller.signal,
    }).catch((err) => err);
    while ((await gauge(server, 'heatbath_requests_running')) === 0) await sleep(5);
    await sleep(100);
    const aborted = Date.now();
    controller.abort();
    await pending;
    while ((await gauge(server, 'heatbath_requests_running')) !== 0) await sleep(2);
    const small = Date.now();
    expect(
      (await call(`${server.url}/v1/models/ring/samples`, { method: 'POST', body: { n: 1, sweeps: 10 } })).status,
    ).toBe(200);
    // The job ended and the engine answered the next request soon after: nothing kept computing.
    expect(small - aborted).toBeLessThan(500);
    expect(Date.now() - small).toBeLessThan(500);
  } finally {
    await server.drain();
  }
});

test('a full queue answers 503 with Retry-After; the admitted requests complete', async () => {
  const server = await serve(dir, { limits: { maxRunning: 1, maxQueued: 1 } });
  try {
    const body = { n: 8, sweeps: 3000, batch: 8 };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => call(`${server.url}/v1/models/big/samples`, { method: 'POST', body })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 200, 503, 503, 503]);
    for (const a of answers.filter((x) => x.status === 503)) {
      expect(a.json().error.code).toBe('ERR_QUEUE_FULL');
      expect(a.headers.get('retry-after')).toBe('1');
    }
  } finally {
    await server.drain();
  }
});

test('a small request is not stuck behind a large one (least attained service)', async () => {
  const server = await serve(dir);
  try {
    const started = Date.now();
    const large = call(`${server.url}/v1/models/big/samples`, {
      method: 'POST',
      body: { n: 128, sweeps: 2000, batch: 8 },
      accept: 'application/x-npy',
    });
    while ((await gauge(server, 'heatbath_requests_running')) === 0) await sleep(5);
    const before = Date.now();
    expect(
      (await call(`${server.url}/v1/models/ring/samples`, { method: 'POST', body: { n: 4, sweeps: 100 } })).status,
    ).toBe(200);
    const small = Date.now() - before;
    expect((await large).status).toBe(200);
    const whole = Date.now() - started;
    expect(small).toBeLessThan(whole / 4);
  } finally {
    await server.drain();
  }
});

/**
 * The event-loop delay p99 (ms) of this process while the engine alone runs on `threads` threads for `ms`: how
 * long this machine makes a waiting JS thread wait for a core, before any server work is added.
 */
async function engineOnlyDelayP99(threads: number, ms: number): Promise<number> {
  const { loadModel } = await import('../lib/io/model-file');
  const model = (await loadModel(path.join(dir, 'big.safetensors'))) as IsingModel;
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const until = Date.now() + ms;
  while (Date.now() < until) await model.sample({ chains: 256, warmup: 50, samples: 1, observe: ['states'], threads });
  histogram.disable();
  return histogram.percentile(99) / 1e6;
}

test('event-loop delay p99 stays under 20 ms with 8 clients keeping the engine busy', async () => {
  const threads = Math.max(1, os.cpus().length - 1);
  // On a machine so oversubscribed that the engine alone already keeps the JS thread waiting for a core, the
  // figure measures the other processes, not the server: the check needs that baseline under 5 ms.
  const baseline = await engineOnlyDelayP99(threads, 1000);
  if (baseline > 5) {
    console.warn(
      `event-loop check not run: with the engine alone busy, this machine's event-loop p99 is ${baseline.toFixed(1)} ms (load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`,
    );
    return;
  }
  // The engine takes every core but one, which the event loop keeps (the setting docs/serving.md gives for latency).
  const server = await serve(dir, { limits: { threads } });
  try {
    const body = JSON.stringify({ n: 256, sweeps: 50 });
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const { stdout } = await promisify(execFile)(process.execPath, [
      path.join(__dirname, 'helpers', 'load-client.js'),
      `${server.url}/v1/models/big/samples`,
      body,
      '8',
      '3',
      'application/x-npy',
    ]);
    histogram.disable();
    const statuses = JSON.parse(stdout);
    expect(Object.keys(statuses)).toEqual(['200']);
    expect(statuses['200']).toBeGreaterThan(8);
    expect(histogram.percentile(99) / 1e6).toBeLessThan(20);
  } finally {
    await server.drain();
  }
});

test('a streaming client that stops reading and goes away releases its place (no batch left waiting to be read)', async () => {
  const server = await serve(dir);
  try {
    // Hundreds of NDJSON lines of 8 × 1024 spins: far more than the socket buffers hold.
    const body = JSON.stringify({ n: 4096, sweeps: 1, batch: 8 });
    const { request } = await import('http');
    const req = request(`${server.url}/v1/models/big/samples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' },
    });
    const answered = new Promise<import('http').IncomingMessage>((resolve) => req.on('response', resolve));
    req.on('error', () => {});
    req.end(body);
    const res = await answered;
    res.pause(); // reads nothing: the server's writes back up
    await sleep(300);
    expect(await gauge(server, 'heatbath_requests_running')).toBe(1);
    req.destroy();
    const gone = Date.now();
    while ((await gauge(server, 'heatbath_requests_running')) !== 0) {
      expect(Date.now() - gone).toBeLessThan(2000);
      await sleep(10);
    }
  } finally {
    await server.drain();
  }
});

test('a request over the timeout is cancelled with 503 ERR_TIMEOUT and frees the engine', async () => {
  const server = await serve(dir, { limits: { timeoutMs: 300 } });
  try {
    const started = Date.now();
    const answer = await call(`${server.url}/v1/models/big/samples`, {
      method: 'POST',
      body: { n: 8, sweeps: 1000000 },
    });
    expect([answer.status, answer.json().error.code]).toEqual([503, 'ERR_TIMEOUT']);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await gauge(server, 'heatbath_requests_running')).toBe(0);
  } finally {
    await server.drain();
  }
});
