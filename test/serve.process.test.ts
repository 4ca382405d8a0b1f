/**
 * `heatbath serve` as its own process: the same request gives the same samples as another server with other
 * threads; SIGHUP reloads the directory; SIGTERM drains (no new requests, the one in flight completes) and
 * the process exits 0.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Server } from '../lib/serve/server';
import { killStarted, startCli } from './helpers/cli-process';
import { call, modelsDir, serve } from './helpers/serve';

let dir: string;
let local: Server;
beforeAll(async () => {
  dir = await modelsDir('heatbath-serve-process-');
  local = await serve(dir, { limits: { threads: 2 } });
});
afterEach(killStarted);
afterAll(async () => {
  await local?.drain();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for pino's "Server listening at <url>" line. */
async function listening(output: () => string): Promise<string> {
  for (let k = 0; k < 400; k++) {
    const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output());
    if (match) return match[1];
    await sleep(25);
  }
  throw new Error(`the server did not start: ${output()}`);
}

test('same samples as another process; SIGHUP reloads; SIGTERM finishes the request in flight and exits 0', async () => {
  const cli = startCli(['serve', '--models', dir, '--port', '0', '--threads', '1']);
  let stdout = '';
  cli.child.stdout!.on('data', (chunk) => (stdout += chunk));
  const url = await listening(() => stdout);

  const body = { n: 12, seed: 99, sweeps: 40, observe: ['energy'] };
  const there = (await call(`${url}/v1/models/lattice/samples`, { method: 'POST', body })).json();
  const here = (await call(`${local.url}/v1/models/lattice/samples`, { method: 'POST', body })).json();
  expect(there.samples).toEqual(here.samples);
  expect(there.energy).toEqual(here.energy);

  fs.copyFileSync(path.join(dir, 'ring.safetensors'), path.join(dir, 'ring-copy.safetensors'));
  try {
    cli.child.kill('SIGHUP');
    let names: string[] = [];
    for (let k = 0; k < 200 && !names.includes('ring-copy'); k++) {
      await sleep(25);
      names = (await call(`${url}/v1/models`)).json().models.map((m: { name: string }) => m.name);
    }
    expect(names).toContain('ring-copy');
  } finally {
    fs.rmSync(path.join(dir, 'ring-copy.safetensors'));
  }

  // About a second of compute, in batches of 8 chains.
  const inFlight = call(`${url}/v1/models/lattice/samples`, {
    method: 'POST',
    body: { n: 64, sweeps: 80000, batch: 8 },
    accept: 'application/x-npy',
  }).then((a) => ({ ...a, at: Date.now() }));
  while (!/heatbath_requests_running 1/.test((await call(`${url}/metrics`)).bytes.toString())) await sleep(10);
  const terminated = Date.now();
  cli.child.kill('SIGTERM');
  await sleep(50);
  const refused = await call(`${url}/v1/models/ring/samples`, { method: 'POST', body: { n: 1 } }).then(
    (answer) => answer.status,
    () => 'connection refused',
  );
  expect([503, 'connection refused']).toContain(refused);
  const answer = await inFlight;
  expect(answer.status).toBe(200);
  expect(answer.at).toBeGreaterThan(terminated); // it was in flight when SIGTERM came
  expect(answer.bytes.length).toBeGreaterThan(64 * 64);
  const ended = await cli.ended;
  expect(ended.code).toBe(0);
  // Connections close as their answers end: the process does not idle until the keep-alive timeout (72 s).
  expect(Date.now() - terminated).toBeLessThan(15000);
  expect(ended.stderr).toBe('');
  expect(stdout).toMatch(/draining/);
});
