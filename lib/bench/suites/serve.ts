/**
 * Load tests of `heatbath serve` with autocannon, on 127.0.0.1: the server runs as its own process (so the
 * load generator's work does not land on its event loop), the figures are measured against it in this run.
 *   serve.small       a 32-spin ring, 100 sweeps a request: saturation req/s, then p50/p99 latency at half that rate
 *   serve.throughput  a 70×70 G12 torus, 256 chains × 200 sweeps a request, 8 clients: served flips/ns beside the
 *                     engine's own flips/ns on the same model, measured just before and after in this process
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { graphs, IsingModel } from '../..';
import { saveModel } from '../../io/model-file';
import '../../models/model-kinds';
import { BenchRecord } from '../record';

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
type Cannon = (options: Record<string, unknown>) => Promise<CannonResult>;
// autocannon has no type declarations: the few fields used here are declared above.
const autocannon: Cannon = require('autocannon');

export interface ServeCase {
  name: string;
  description: string;
  run(threads: number): Promise<BenchRecord[]>;
}

const CLI = path.resolve(__dirname, '..', '..', 'cli', 'main.js');

/** A `heatbath serve` child process on a free loopback port; resolves with its URL once it listens. */
async function startServer(models: string, threads: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '--models',
      models,
      '--port',
      '0',
      '--threads',
      String(threads),
      '--rate-limit',
      '0',
      '--max-queued',
      '1024',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`the server exited (${code}) before listening`)));
  });
  child.stdout!.resume(); // request logs are read and dropped
  return { url, child };
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function post(url: string, body: unknown, accept = 'application/json') {
  return { url, method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify(body) };
}

function checkClean(name: string, r: CannonResult): void {
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0)
    throw new Error(`${name}: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts`);
}

/** The server's event-loop delay p99 in ms since the last scrape (prom-client's monitor, reset on each scrape). */
async function eventLoopP99(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return 1000 * Number(/^heatbath_nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text)?.[1] ?? NaN);
}

async function withModels<T>(save: (dir: string) => Promise<void>, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-bench-serve-'));
  try {
    await save(dir);
    return await body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const small: ServeCase = {
  name: 'serve.small',
  description: 'a 32-spin ring, 1 chain × 100 sweeps a request: saturation req/s; p50/p99 latency at 50 % of it',
  run: (threads) =>
    withModels(
      (dir) =>
        saveModel(
          path.join(dir, 'ring.safetensors'),
          IsingModel.random(
            graphs.fromEdges(
              32,
              Array.from({ length: 32 }, (_, i): [number, number] => [i, (i + 1) % 32]),
            ),
            { beta: 0.5, seed: 1 },
          ),
        ),
      async (dir) => {
        const { url, child } = await startServer(dir, threads);
        try {
          const request = post(`${url}/v1/models/ring/samples`, { n: 1, sweeps: 100, seed: 1 });
          await autocannon({ ...request, connections: 8, duration: 1 }); // warm-up
          const saturated = await autocannon({ ...request, connections: 16, duration: 4 });
          checkClean('serve.small', saturated);
          const rate = saturated.requests.average;
          await eventLoopP99(url);
          const half = await autocannon({
            ...request,
            connections: 8,
            duration: 4,
            overallRate: Math.max(1, Math.floor(rate / 2)),
          });
          checkClean('serve.small', half);
          return [
            {
              name: 'serve.small',
              value: rate,
              unit: 'req/s',
              p50Ms: half.latency.p50,
              p99Ms: half.latency.p99,
              halfRate: Math.floor(rate / 2),
              saturatedP99Ms: saturated.latency.p99,
              eventLoopP99Ms: await eventLoopP99(url),
              description: small.description,
              threads,
            },
          ];
        } finally {
          await stopServer(child);
        }
      },
    ),
};

const CHAINS = 256;
const SWEEPS = 200;

const throughput: ServeCase = {
  name: 'serve.throughput',
  description:
    'a 70×70 G12 torus, 256 chains × 200 sweeps a request (.npy), 8 clients: served flips/ns vs the engine alone',
  run: (threads) => {
    const model = IsingModel.random(graphs.torus(70, { jumps: 'G12' }), { beta: 0.5, seed: 1 });
    const flipsPerRequest = CHAINS * SWEEPS * model.graph.numNodes;
    /** The engine alone, one run after another for `seconds`: flips per ns of wall time. */
    const engine = async (seconds: number) => {
      const started = process.hrtime.bigint();
      let runs = 0;
      while (Number(process.hrtime.bigint() - started) < seconds * 1e9) {
        await model.sample({ chains: CHAINS, warmup: SWEEPS, samples: 1, observe: ['states'], seed: runs, threads });
        runs++;
      }
      return (runs * flipsPerRequest) / Number(process.hrtime.bigint() - started);
    };
    return withModels(
      (dir) => saveModel(path.join(dir, 'g12.safetensors'), model),
      async (dir) => {
        const { url, child } = await startServer(dir, threads);
        try {
          const request = post(
            `${url}/v1/models/g12/samples`,
            { n: CHAINS, sweeps: SWEEPS, seed: 1 },
            'application/x-npy',
          );
          await autocannon({ ...request, connections: 8, amount: 8 }); // warm-up
          // Engine and server alternate, so a change in what else the machine runs touches both alike. The
          // server answers a count of requests, not a duration: each takes seconds, a window would cut some.
          const engineRuns = [await engine(3)];
          await eventLoopP99(url);
          let requests = 0;
          let seconds = 0;
          let latency = { p50: 0, p99: 0 };
          for (let round = 0; round < 2; round++) {
            const served = await autocannon({ ...request, connections: 8, amount: 16 });
            checkClean('serve.throughput', served);
            requests += served.requests.total;
            seconds += served.duration;
            latency = {
              p50: Math.max(latency.p50, served.latency.p50),
              p99: Math.max(latency.p99, served.latency.p99),
            };
            engineRuns.push(await engine(3));
          }
          const loopP99 = await eventLoopP99(url);
          const engineFlipsPerNs = engineRuns.reduce((a, b) => a + b, 0) / engineRuns.length;
          const value = (requests * flipsPerRequest) / (seconds * 1e9);
          return [
            {
              name: 'serve.throughput',
              value,
              unit: 'flips/ns',
              engineFlipsPerNs,
              servedVsEngine: value / engineFlipsPerNs,
              samplesPerSecond: (requests * CHAINS) / seconds,
              p50Ms: latency.p50,
              p99Ms: latency.p99,
              eventLoopP99Ms: loopP99,
              description: throughput.description,
              threads,
            },
          ];
        } finally {
          await stopServer(child);
        }
      },
    );
  },
};

export const serveCases: ServeCase[] = [small, throughput];
