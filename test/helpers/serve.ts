/** A models directory with one small model of each servable kind, and a real server on 127.0.0.1:0. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as graphs from '../../lib/graphs';
import '../../lib/models/model-kinds';
import { saveModel } from '../../lib/io/model-file';
import { DenoisingModel } from '../../lib/models/dtm';
import { GenerativeComputer } from '../../lib/models/gtc';
import { IsingModel } from '../../lib/models/ising';
import { LangevinNetwork } from '../../lib/engines/langevin';
import { RBM } from '../../lib/models/rbm';
import { ServeOptions, startServer, Server } from '../../lib/serve/server';

/** A ring of 32 spins, an 8×8 periodic lattice, a small RBM, DTM, GTC and Langevin network. */
export async function modelsDir(prefix = 'heatbath-serve-'): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const ring = graphs.fromEdges(
    32,
    Array.from({ length: 32 }, (_, i): [number, number] => [i, (i + 1) % 32]),
  );
  await saveModel(path.join(dir, 'ring.safetensors'), IsingModel.random(ring, { beta: 0.5, seed: 1 }));
  await saveModel(
    path.join(dir, 'lattice.safetensors'),
    IsingModel.random(graphs.lattice2d(8), { beta: 0.4, seed: 2 }),
  );
  await saveModel(path.join(dir, 'rbm.safetensors'), RBM.create({ visible: 16, hidden: 8, seed: 3 }));
  await saveModel(
    path.join(dir, 'dtm.safetensors'),
    new DenoisingModel({ size: 10, jumps: 'G8', pixels: 16, classes: 2, labelCopies: 2, steps: 2 }),
  );
  await saveModel(
    path.join(dir, 'gtc.safetensors'),
    new GenerativeComputer({ visible: 16, hidden: 8, labels: 2, duration: 0.05, dt: 0.01 }),
  );
  const net = new LangevinNetwork({
    units: 4,
    couplings: { kind: 'dense', matrix: [0, 0.2, 0, 0, 0.2, 0, 0.1, 0, 0, 0.1, 0, 0, 0, 0, 0, 0] },
  });
  net.info = { dt: 0.01 };
  await saveModel(path.join(dir, 'langevin.safetensors'), net);
  return dir;
}

export async function serve(models: string, options: Partial<ServeOptions> = {}): Promise<Server> {
  return startServer({ models, port: 0, logLevel: 'silent', ...options });
}

export interface Answer {
  status: number;
  type: string;
  headers: Headers;
  bytes: Buffer;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A request and its whole answer. */
export async function call(
  url: string,
  init: Omit<RequestInit, 'body'> & { body?: unknown; accept?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  let body = init.body as RequestInit['body'];
  if (init.body !== undefined && typeof init.body !== 'string') {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  if (init.accept) headers.accept = init.accept;
  const res = await fetch(url, { ...init, headers, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    headers: res.headers,
    bytes,
    json: () => JSON.parse(bytes.toString('utf8')),
  };
}
