/**
 * `heatbath serve` end to end on 127.0.0.1: every route and answer format, determinism, the coded errors of bad
 * requests, path-traversing names, reload (good and bad files), bearer auth, rate limits, health and metrics.
 */
import * as fs from 'fs';
import * as path from 'path';
import { decodeNpy } from '../lib/io/npy';
import { Server } from '../lib/serve/server';
import { call, modelsDir, serve } from './helpers/serve';

let dir: string;
let server: Server;

beforeAll(async () => {
  dir = await modelsDir();
  server = await serve(dir);
});
afterAll(async () => {
  await server?.drain();
  fs.rmSync(dir, { recursive: true, force: true });
});

const samples = (name: string, body: unknown, accept?: string) =>
  call(`${server.url}/v1/models/${name}/samples`, { method: 'POST', body, accept });

describe('models', () => {
  test('GET /v1/models lists every model with its kind', async () => {
    const answer = await call(`${server.url}/v1/models`);
    expect(answer.status).toBe(200);
    const models = answer.json().models.map((m: { name: string; kind: string; ok: boolean }) => [m.name, m.kind, m.ok]);
    expect(models).toEqual([
      ['dtm', 'dtm', true],
      ['gtc', 'gtc', true],
      ['langevin', 'langevin', true],
      ['lattice', 'ising', true],
      ['rbm', 'rbm', true],
      ['ring', 'ising', true],
    ]);
  });

  test('GET /v1/models/:name describes sizes, accepted fields and formats', async () => {
    const ring = (await call(`${server.url}/v1/models/ring`)).json();
    expect(ring).toMatchObject({
      name: 'ring',
      kind: 'ising',
      sizes: { nodes: 32, edges: 32, blocks: 2 },
      formats: ['json', 'npy', 'ndjson'],
      defaults: { beta: 0.5 },
    });
    expect(ring.accepts).toEqual(expect.arrayContaining(['n', 'seed', 'sweeps', 'beta', 'anneal', 'clamp', 'observe']));
    const dtm = (await call(`${server.url}/v1/models/dtm`)).json();
    expect(dtm).toMatchObject({ kind: 'dtm', sizes: { pixels: 16, classes: 2, steps: 2 } });
    expect(dtm.accepts).toEqual(expect.arrayContaining(['labels', 'inpaint', 'anneal']));
    expect((await call(`${server.url}/v1/models/lattice`)).json().formats).toContain('png');
  });
});

describe('samples in every format', () => {
  test('JSON: n rows of ±1 spins with observed energies; the same request gives the same samples', async () => {
    const body = { n: 10, seed: 7, sweeps: 20, observe: ['energy', 'magnetization'] };
    const a = await samples('ring', body);
    expect(a.status).toBe(200);
    expect(a.type).toMatch(/^application\/json/);
    const json = a.json();
    expect(json).toMatchObject({ model: 'ring', kind: 'ising', n: 10, seed: 7, dtype: 'i1', shape: [10, 32] });
    expect(json.samples).toHaveLength(10);
    for (const row of json.samples) expect(row.every((s: number) => s === 1 || s === -1)).toBe(true);
    expect(json.energy).toHaveLength(10);
    expect(json.magnetization[0]).toBeCloseTo(json.samples[0].reduce((x: number, y: number) => x + y, 0) / 32, 6);
    const b = (await samples('ring', body)).json();
    expect(b.samples).toEqual(json.samples);
    expect(b.energy).toEqual(json.energy);
    expect((await samples('ring', { ...body, seed: 8 })).json().samples).not.toEqual(json.samples);
  });

  test('threads do not change the samples; batches are part of the parameters', async () => {
    const body = { n: 24, seed: 3, sweeps: 30, batch: 8 };
    const one = (await samples('lattice', { ...body, threads: 1 })).json().samples;
    const two = (await samples('lattice', { ...body, threads: 2 })).json().samples;
    expect(two).toEqual(one);
  });

  test('.npy: the same samples as bytes NumPy reads', async () => {
    const body = { n: 6, seed: 1, sweeps: 15 };
    const npy = await samples('ring', body, 'application/x-npy');
    expect(npy.status).toBe(200);
    expect(npy.type).toBe('application/x-npy');
    const array = decodeNpy(npy.bytes);
    expect(array).toMatchObject({ dtype: 'i1', shape: [6, 32] });
    expect(Array.from(array.data)).toEqual((await samples('ring', body)).json().samples.flat());
  });

  test('PNG: a grid of lattice spins or RBM visible units; refused (406) for samples that are not pictures', async () => {
    for (const name of ['lattice', 'rbm', 'dtm', 'gtc']) {
      const png = await samples(name, { n: 4, seed: 2, ...(name === 'gtc' ? {} : { sweeps: 5 }) }, 'image/png');
      expect([name, png.status, png.type]).toEqual([name, 200, 'image/png']);
      expect(png.bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    }
    const refused = await samples('langevin', { n: 2 }, 'image/png');
    expect([refused.status, refused.json().error.code]).toEqual([406, 'ERR_NOT_ACCEPTABLE']);
    const none = await samples('ring', { n: 2 }, 'text/html');
    expect([none.status, none.json().error.code]).toEqual([406, 'ERR_NOT_ACCEPTABLE']);
  });

  test('NDJSON: one line per batch as computed, then a summary; the rows equal the JSON answer', async () => {
    const body = { n: 20, seed: 5, sweeps: 10, batch: 8 };
    const stream = await samples('ring', body, 'application/x-ndjson');
    expect(stream.type).toMatch(/^application\/x-ndjson/);
    const lines = stream.bytes
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.batch, l.offset, l.count])).toEqual([
      [0, 0, 8],
      [1, 8, 8],
      [2, 16, 4],
      [undefined, undefined, undefined],
    ]);
    expect(lines[3]).toMatchObject({ done: true, n: 20, seed: 5, kind: 'ising' });
    expect(lines.slice(0, 3).flatMap((l) => l.samples)).toEqual((await samples('ring', body)).json().samples);
  });

  test('every kind: rbm with clamp and probabilities, dtm with labels and inpainting, gtc with labels, langevin with clamp and energy', async () => {
    const rbm = (
      await samples('rbm', { n: 3, sweeps: 5, clamp: { nodes: [0, 1], values: [1, 0] }, observe: ['probabilities'] })
    ).json();
    expect(rbm.samples.map((r: number[]) => [r[0], r[1]])).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
    ]);
    expect(rbm.probabilities).toHaveLength(3);
    const dtm = (
      await samples('dtm', { n: 2, sweeps: 4, labels: [0, 1], inpaint: { pixels: [0, 5], values: [1, 1] } })
    ).json();
    expect(dtm.samples.map((r: number[]) => [r[0], r[5]])).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect((await samples('gtc', { n: 2, labels: 1 })).json().shape).toEqual([2, 16]);
    const lv = (
      await samples('langevin', { n: 2, steps: 50, beta: 2, clamp: { nodes: [3], values: [0.5] }, observe: ['energy'] })
    ).json();
    expect(lv.samples.map((r: number[]) => r[3])).toEqual([0.5, 0.5]);
    expect(lv.energy).toHaveLength(2);
    // A time step far too large diverges: the engine stops it, and the client is told why.
    const diverged = await samples('langevin', { n: 1, steps: 200, dt: 1e5 });
    expect([diverged.status, diverged.json().error.code]).toEqual([422, 'ERR_NOT_FINITE']);
  });
});

describe('bad requests get a 4xx with a coded JSON error', () => {
  test.each([
    ['wrong type', 'ring', { n: 'ten' }, 400, 'ERR_BAD_REQUEST'],
    ['unknown field', 'ring', { n: 1, colour: 'red' }, 400, 'ERR_BAD_REQUEST'],
    ['negative', 'ring', { sweeps: -1 }, 400, 'ERR_BAD_REQUEST'],
    ['a field the kind does not take', 'ring', { steps: 5 }, 422, 'ERR_INVALID_ARGUMENT'],
    ['beta and anneal', 'ring', { beta: 1, anneal: { from: 0, to: 1 } }, 422, 'ERR_INVALID_ARGUMENT'],
    ['clamp node outside the model', 'ring', { clamp: { nodes: [32], values: [1] } }, 422, 'ERR_INVALID_ARGUMENT'],
    [
      'clamp values of the wrong length',
      'ring',
      { n: 2, clamp: { nodes: [0, 1], values: [1, 1, 1] } },
      422,
      'ERR_INVALID_ARGUMENT',
    ],
    ['spin values that are not ±1', 'ring', { clamp: { nodes: [0], values: [0.5] } }, 422, 'ERR_INVALID_ARGUMENT'],
    ['label out of range', 'dtm', { labels: 2 }, 422, 'ERR_INVALID_ARGUMENT'],
    ['labels of the wrong count', 'gtc', { n: 3, labels: [0, 1] }, 422, 'ERR_INVALID_ARGUMENT'],
    ['observe a kind cannot', 'rbm', { observe: ['energy'] }, 422, 'ERR_INVALID_ARGUMENT'],
    ['beta 0 for Langevin', 'langevin', { beta: 0 }, 422, 'ERR_INVALID_ARGUMENT'],
    ['over the compute budget', 'ring', { n: 1000000, sweeps: 1000000 }, 413, 'ERR_OVER_BUDGET'],
    ['unknown model', 'nope', { n: 1 }, 404, 'ERR_NOT_FOUND'],
  ])('%s', async (_what, name, body, status, code) => {
    const answer = await samples(name, body);
    expect([answer.status, answer.json().error.code]).toEqual([status, code]);
  });

  test('malformed JSON, a wrong content type, and a body over the limit', async () => {
    const url = `${server.url}/v1/models/ring/samples`;
    const broken = await call(url, {
      method: 'POST',
      body: '{"n": 1',
      headers: { 'content-type': 'application/json' },
    });
    expect([broken.status, broken.json().error.code]).toEqual([400, 'ERR_BAD_REQUEST']);
    const text = await call(url, { method: 'POST', body: '<n>1</n>', headers: { 'content-type': 'application/xml' } });
    expect([text.status, text.json().error.code]).toEqual([415, 'ERR_UNSUPPORTED_MEDIA_TYPE']);
    const big = await call(url, {
      method: 'POST',
      body: JSON.stringify({ clamp: { nodes: [], values: new Array(600000).fill(1) } }),
      headers: { 'content-type': 'application/json' },
    });
    expect([big.status, big.json().error.code]).toEqual([413, 'ERR_BODY_TOO_LARGE']);
  });

  test.each([
    '../../etc/passwd',
    '..%2F..%2Fetc%2Fpasswd',
    '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '..%252F..%252Fetc%252Fpasswd',
    '%2Fetc%2Fpasswd',
    'ring%00',
    '.',
    '..',
  ])('a model name reaching outside the directory (%s) is 404 and names no path', async (name) => {
    for (const url of [`${server.url}/v1/models/${name}`, `${server.url}/v1/models/${name}/samples`]) {
      const answer = await call(url, {
        method: url.endsWith('samples') ? 'POST' : 'GET',
        body: url.endsWith('samples') ? { n: 1 } : undefined,
      });
      expect(answer.status).toBe(404);
      expect(answer.json().error.code).toBe('ERR_NOT_FOUND');
      expect(answer.bytes.toString()).not.toMatch(/etc|passwd|\/tmp|heatbath-serve/);
    }
  });
});

describe('reload', () => {
  test('new files appear, a bad file is a coded error for that model only, removed files go', async () => {
    fs.copyFileSync(path.join(dir, 'ring.safetensors'), path.join(dir, 'ring2.safetensors'));
    fs.writeFileSync(path.join(dir, 'broken.safetensors'), 'not a model');
    const report = (await call(`${server.url}/v1/models/reload`, { method: 'POST' })).json();
    expect(report.loaded).toEqual(['broken', 'ring2'].filter((n) => n !== 'broken'));
    expect(report.failed).toEqual(['broken']);
    const broken = await samples('broken', { n: 1 });
    expect([broken.status, broken.json().error.code]).toEqual([409, 'ERR_BAD_FILE']);
    expect(broken.json().error.message).toMatch(/^model broken could not be loaded/);
    expect(broken.bytes.toString()).not.toContain(dir);
    expect((await samples('ring2', { n: 2, seed: 4, sweeps: 5 })).json().samples).toEqual(
      (await samples('ring', { n: 2, seed: 4, sweeps: 5 })).json().samples,
    );
    fs.rmSync(path.join(dir, 'ring2.safetensors'));
    fs.rmSync(path.join(dir, 'broken.safetensors'));
    expect((await call(`${server.url}/v1/models/reload`, { method: 'POST' })).json().removed).toEqual([
      'broken',
      'ring2',
    ]);
    expect((await samples('ring2', { n: 1 })).status).toBe(404);
  });

  test('requests in flight finish on the model they started with', async () => {
    const long = samples('lattice', { n: 64, sweeps: 20000, batch: 8 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    fs.rmSync(path.join(dir, 'lattice.safetensors'));
    await call(`${server.url}/v1/models/reload`, { method: 'POST' });
    const answer = await long;
    expect(answer.status).toBe(200);
    expect(answer.json().shape).toEqual([64, 64]);
  });
});

describe('health and metrics', () => {
  test('/healthz, /readyz, and /metrics in Prometheus text', async () => {
    expect((await call(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await call(`${server.url}/readyz`)).json()).toMatchObject({ status: 'ready' });
    const metrics = await call(`${server.url}/metrics`);
    expect(metrics.type).toMatch(/^text\/plain/);
    const text = metrics.bytes.toString();
    for (const name of [
      'heatbath_http_requests_total{route="/v1/models/:name/samples",method="POST",status="200"}',
      'heatbath_http_request_duration_seconds_bucket',
      'heatbath_queue_depth 0',
      'heatbath_queue_wait_seconds_count',
      'heatbath_engine_updates_total',
      'heatbath_engine_seconds_total',
      'heatbath_engine_updates_per_ns',
      'heatbath_engine_samples_per_second',
      'heatbath_samples_total{kind="ising"}',
      'heatbath_native_memory_bytes',
    ]) {
      expect(text).toContain(name);
    }
  });
});

describe('security', () => {
  test('with a token, every route but health needs "Bearer <token>" (401 otherwise)', async () => {
    const token = 'correct-horse-battery-staple';
    const guarded = await serve(dir, { token });
    try {
      for (const authorization of [
        undefined,
        'Bearer wrong-token-of-some-length',
        `Basic ${token}`,
        `Bearer ${token}x`,
        'Bearer',
      ]) {
        const answer = await call(`${guarded.url}/v1/models`, { headers: authorization ? { authorization } : {} });
        expect([answer.status, answer.json().error.code, answer.headers.get('www-authenticate')]).toEqual([
          401,
          'ERR_UNAUTHORIZED',
          'Bearer',
        ]);
      }
      expect((await call(`${guarded.url}/metrics`)).status).toBe(401);
      expect((await call(`${guarded.url}/healthz`)).status).toBe(200);
      expect((await call(`${guarded.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
        200,
      );
    } finally {
      await guarded.drain();
    }
  });

  test('a client over its rate gets 429 with Retry-After', async () => {
    const limited = await serve(dir, { limits: { ratePerMinute: 3 } });
    try {
      const statuses = [];
      for (let k = 0; k < 5; k++) statuses.push((await call(`${limited.url}/v1/models`)).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const answer = await call(`${limited.url}/v1/models`);
      expect(answer.json().error.code).toBe('ERR_RATE_LIMITED');
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.drain();
    }
  });

  test('the server listens on 127.0.0.1 unless told otherwise', () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
  });
});
