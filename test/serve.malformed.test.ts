/**
 * 1,200 randomly malformed requests (seeded): broken JSON, wrong types, out-of-range and unknown fields, fields
 * a kind does not take, bad clamps and labels, over-budget sizes, hostile names and headers. Every answer is a
 * 4xx with a coded JSON error, none a 5xx, the server keeps serving, and its memory stays bounded.
 */
import * as fs from 'fs';
import { SeededRandom } from '../lib/util/random';
import { Server } from '../lib/serve/server';
import { call, modelsDir, serve } from './helpers/serve';

const COUNT = 1200;
let dir: string;
let server: Server;
beforeAll(async () => {
  dir = await modelsDir('heatbath-serve-fuzz-');
  server = await serve(dir, { limits: { ratePerMinute: 0, maxWork: 1e9 } });
});
afterAll(async () => {
  await server?.drain();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Bad {
  method: string;
  path: string;
  body?: string;
  headers: Record<string, string>;
}

const rng = new SeededRandom(20261208);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rng.float() * items.length)];
const junk = (): unknown =>
  pick([
    'x',
    '',
    -1,
    1.5,
    1e300,
    -1e300,
    true,
    null,
    [],
    {},
    [1, 'a'],
    { a: 1 },
    '1',
    'NaN',
    'Infinity',
    -0.5,
    2 ** 53,
    '🙂'.repeat(3),
  ]);
const MODELS = ['ring', 'lattice', 'rbm', 'dtm', 'gtc', 'langevin'];
const FIELDS = [
  'n',
  'seed',
  'sweeps',
  'steps',
  'dt',
  'beta',
  'anneal',
  'labels',
  'clamp',
  'inpaint',
  'observe',
  'batch',
  'threads',
];

/** A valid-looking base to corrupt. */
function base(): Record<string, unknown> {
  return { n: 1 + Math.floor(rng.float() * 4), seed: Math.floor(rng.float() * 100) };
}

/** Each maker returns a request that is wrong for a stated reason. */
const makers: Array<() => Bad> = [
  // JSON that does not parse
  () => {
    const text = JSON.stringify({ ...base(), sweeps: 5 });
    return {
      method: 'POST',
      path: `/v1/models/${pick(MODELS)}/samples`,
      body: text.slice(0, 1 + Math.floor(rng.float() * (text.length - 2))),
      headers: { 'content-type': 'application/json' },
    };
  },
  // a body that is not an object
  () => ({
    method: 'POST',
    path: `/v1/models/${pick(MODELS)}/samples`,
    body: JSON.stringify(pick([[], 5, 'n', null, true, [1, 2]])),
    headers: { 'content-type': 'application/json' },
  }),
  // a field of the wrong type or range
  () => {
    const field = pick(FIELDS);
    let value = junk();
    while (JSON.stringify(value) === JSON.stringify({}) && field === 'anneal') value = junk();
    return post(
      pick(MODELS),
      { ...base(), [field]: value },
      (b) => b[field] !== undefined && !acceptable(field, b[field]),
    );
  },
  // an unknown field
  () => post(pick(MODELS), { ...base(), [`f${Math.floor(rng.float() * 1e6)}`]: junk() }),
  // a field the kind does not take
  () => {
    const [model, field, value] = pick([
      ['ring', 'steps', 10],
      ['ring', 'labels', 1],
      ['ring', 'inpaint', { pixels: [0], values: [1] }],
      ['rbm', 'anneal', { from: 0.5, to: 1 }],
      ['dtm', 'clamp', { nodes: [0], values: [1] }],
      ['gtc', 'sweeps', 5],
      ['langevin', 'sweeps', 5],
      ['langevin', 'labels', 0],
      ['rbm', 'observe', ['energy']],
      ['gtc', 'observe', ['energy']],
    ] as const);
    return post(model, { ...base(), [field]: value });
  },
  // clamps that disagree with the model
  () => {
    const [model, clamp] = pick([
      ['ring', { nodes: [32], values: [1] }],
      ['ring', { nodes: [0], values: [0] }],
      ['ring', { nodes: [0, 1], values: [1] }],
      ['ring', { nodes: [0, 0], values: [1, 1] }],
      ['rbm', { nodes: [0], values: [-1] }],
      ['rbm', { nodes: [16], values: [1] }],
      ['langevin', { nodes: [4], values: [0.5] }],
      ['ring', { nodes: [-1], values: [1] }],
      ['ring', { nodes: [0] }],
    ] as const);
    return post(model, { n: 1, clamp });
  },
  // labels out of range or of the wrong count
  () => post(pick(['dtm', 'gtc']), { n: 3, labels: pick([2, 99, [0, 1], [0, 1, 5], -1, [0.5, 1, 1]]) }),
  // over budget or over the size limits
  () =>
    post(
      pick(['ring', 'lattice']),
      pick([{ n: 1 << 20, sweeps: 1e6 }, { n: 2e6 }, { sweeps: 2e9 }, { n: 1, batch: 1 << 21 }]),
    ),
  // unknown or path-traversing model names
  () => {
    const path = `/v1/models/${pick(['nope', '..%2F..%2Fetc%2Fpasswd', '../etc/passwd', '%2e%2e', 'ring%2F..%2Fring', '.hidden', 'ring.safetensors'])}`;
    return rng.float() < 0.5
      ? { method: 'GET', path, headers: {} }
      : { method: 'POST', path: `${path}/samples`, body: '{}', headers: { 'content-type': 'application/json' } };
  },
  // an Accept header the server cannot answer
  () => ({
    method: 'POST',
    path: `/v1/models/${pick(MODELS)}/samples`,
    body: JSON.stringify({ n: 1, ...(rng.float() < 0.5 ? {} : {}) }),
    headers: {
      'content-type': 'application/json',
      accept: pick(['text/html', 'application/xml', 'video/mp4;q=1, text/plain']),
    },
  }),
  // a content type the server does not parse
  () => ({
    method: 'POST',
    path: `/v1/models/${pick(MODELS)}/samples`,
    body: 'n=1',
    headers: {
      'content-type': pick(['application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x']),
    },
  }),
  // methods a route does not have
  () => ({
    method: pick(['PUT', 'DELETE', 'PATCH']),
    path: pick(['/v1/models', '/v1/models/ring', '/v1/models/ring/samples', '/metrics']),
    headers: {},
  }),
];

function acceptable(field: string, value: unknown): boolean {
  // The few junk values that happen to be valid for a field (then the maker picks again).
  if (['seed'].includes(field)) return Number.isSafeInteger(value) && (value as number) >= 0;
  return false;
}

function post(
  model: string,
  body: Record<string, unknown>,
  stillBad: (b: Record<string, unknown>) => boolean = () => true,
): Bad {
  if (!stillBad(body)) body = { ...body, n: 0 }; // n = 0 is always refused
  return {
    method: 'POST',
    path: `/v1/models/${model}/samples`,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  };
}

test(`${COUNT} malformed requests: every one a 4xx with a coded error, the server keeps serving, memory bounded`, async () => {
  const requests = Array.from({ length: COUNT }, () => pick(makers)());
  const statuses = new Map<number, number>();
  const offenders: string[] = [];
  const heapBefore = process.memoryUsage().heapUsed;
  for (let k = 0; k < requests.length; k += 24) {
    await Promise.all(
      requests.slice(k, k + 24).map(async (r) => {
        const answer = await call(`${server.url}${r.path}`, { method: r.method, body: r.body, headers: r.headers });
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        let code: unknown;
        try {
          code = answer.json().error?.code;
        } catch {
          code = undefined;
        }
        if (answer.status < 400 || answer.status >= 500 || typeof code !== 'string' || !code.startsWith('ERR_')) {
          offenders.push(
            `${r.method} ${r.path} ${r.body ?? ''} → ${answer.status} ${answer.bytes.toString().slice(0, 200)}`,
          );
        }
      }),
    );
  }
  expect(offenders).toEqual([]);
  expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
  // Still serving, and what the requests left behind is small.
  expect(
    (await call(`${server.url}/v1/models/ring/samples`, { method: 'POST', body: { n: 2, sweeps: 5 } })).status,
  ).toBe(200);
  global.gc?.();
  expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 2 ** 20);
});
