/**
 * Ising and Langevin model files: round trips that sample identically, a layout Python reads with the standard
 * library and NumPy alone, and forged files refused with ERR_BAD_FILE before anything large is built.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as graphs from '../lib/graphs';
import '../lib/models/model-kinds';
import { decodeModel, encodeModel, loadModel, saveModel } from '../lib/io/model-file';
import { decodeSafetensors, encodeSafetensors, Tensor } from '../lib/io/safetensors';
import { IsingModel } from '../lib/models/ising';
import { LangevinChains, LangevinNetwork } from '../lib/engines/langevin';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-kinds-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The file with some tensors and hyper-parameters replaced (a forged or damaged file). */
function forge(
  bytes: Uint8Array,
  tensors: Record<string, Tensor | undefined>,
  hyper: Record<string, unknown> = {},
): Buffer {
  const decoded = decodeSafetensors(bytes);
  const kept: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries({ ...decoded.tensors, ...tensors })) if (t !== undefined) kept[name] = t;
  const merged = { ...JSON.parse(decoded.metadata.hyper), ...hyper };
  return encodeSafetensors(kept, { ...decoded.metadata, hyper: JSON.stringify(merged) });
}

function expectBadFile(bytes: Uint8Array, message: RegExp): void {
  expect(() => decodeModel(bytes)).toThrow(
    expect.objectContaining({ code: 'ERR_BAD_FILE', message: expect.stringMatching(message) }),
  );
}

const i32 = (...values: number[]): Tensor => ({ dtype: 'I32', shape: [values.length], data: Int32Array.from(values) });

describe('ising model files', () => {
  const model = IsingModel.random(graphs.torus(6, { jumps: 'G12' }), { beta: 0.7, seed: 3 });

  test('save → load keeps graph, blocks, parameters and β: the same seed draws the same samples', async () => {
    const file = path.join(dir, 'ising.safetensors');
    await saveModel(file, model);
    const loaded = (await loadModel(file)) as IsingModel;
    expect(loaded).toBeInstanceOf(IsingModel);
    expect(loaded.graph.src).toEqual(model.graph.src);
    expect(loaded.graph.dst).toEqual(model.graph.dst);
    expect(loaded.graph.blocks()).toEqual(model.graph.blocks());
    expect(loaded.graph.shape).toEqual({ width: 6, height: 6 });
    expect(loaded.graph.name).toBe(model.graph.name);
    expect(loaded.couplings).toEqual(model.couplings);
    expect(loaded.biases).toEqual(model.biases);
    expect(loaded.beta).toBe(0.7);
    const options = { chains: 16, warmup: 20, samples: 2, seed: 9, observe: ['states' as const] };
    expect(loaded.sampleSync(options).states).toEqual(model.sampleSync(options).states);
  });

  test('forged files are ERR_BAD_FILE naming the problem', () => {
    const small = encodeModel(
      new IsingModel(
        graphs.fromEdges(3, [
          [0, 1],
          [1, 2],
        ]),
        { couplings: [1, -1], biases: [0, 0.5, 0] },
      ),
    );
    expectBadFile(forge(small, {}, { nodes: 4 }), /tensor "blocks" has shape \[3\]; expected \[4\]/);
    expectBadFile(forge(small, {}, { edges: 3 }), /tensor "src" has shape \[2\]; expected \[3\]/);
    expectBadFile(forge(small, {}, { nodes: 'three' }), /nodes must be a positive integer/);
    expectBadFile(forge(small, { src: i32(1, 0), dst: i32(2, 1) }), /out of order/);
    expectBadFile(forge(small, { src: i32(0, 1), dst: i32(1, 7) }), /outside \[0, 3\)/);
    expectBadFile(forge(small, { src: i32(0, 1), dst: i32(1, 1) }), /self-loop/);
    expectBadFile(forge(small, { blocks: i32(0, 0, 1) }), /block/);
    expectBadFile(
      forge(small, { couplings: { dtype: 'F64', shape: [2], data: Float64Array.of(1, 2) } }),
      /tensor "couplings" is F64; expected F32/,
    );
    expectBadFile(
      forge(small, { biases: { dtype: 'F32', shape: [3], data: Float32Array.of(0, NaN, 0) } }),
      /tensor "biases"\[1\] is NaN/,
    );
    expectBadFile(forge(small, {}, { beta: -1 }), /beta must be >= 0/);
    expectBadFile(forge(small, { src: undefined }), /no tensor "src"/);
  });

  test('a small file claiming a giant graph fails fast with ERR_TOO_LARGE, allocating nothing', () => {
    const small = encodeModel(new IsingModel(graphs.fromEdges(2, [[0, 1]])));
    const started = Date.now();
    expect(() => decodeModel(forge(small, {}, { nodes: 2 ** 40, edges: 2 ** 41 }))).toThrow(
      expect.objectContaining({ code: 'ERR_TOO_LARGE' }),
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('langevin network files', () => {
  const network = new LangevinNetwork({
    units: 5,
    quadratic: [1, 2, 1.5, 1, 1],
    quartic: 0.1,
    bias: [0, 0.5, -0.5, 0, 0.25],
    mass: 2,
    couplings: [
      { kind: 'blocks', blocks: [{ rows: [0, 2], cols: [2, 3], weights: [0.1, -0.2, 0.3, 0.05, 0, -0.1] }] },
      { kind: 'sparse', rowPtr: [0, 1, 2, 2, 2, 2], cols: [1, 0], values: [0.4, 0.4] },
    ],
  });
  network.info = { dt: 0.02, integrator: 'baoab' };

  test('save → load keeps every tensor and setting: the same seed gives the same trajectory', async () => {
    const file = path.join(dir, 'langevin.safetensors');
    await saveModel(file, network);
    const loaded = (await loadModel(file)) as LangevinNetwork;
    expect(loaded).toBeInstanceOf(LangevinNetwork);
    for (const key of ['quadratic', 'quartic', 'bias', 'mass'] as const) expect(loaded[key]).toEqual(network[key]);
    expect(loaded.blocks).toEqual(network.blocks);
    expect(loaded.sparse).toEqual(network.sparse);
    expect(loaded.info).toEqual({ dt: 0.02, integrator: 'baoab' });
    const run = (net: LangevinNetwork) => {
      const chains = new LangevinChains(net, { chains: 4, seed: 11 });
      try {
        chains.runSync({ steps: 50, dt: 0.02 });
        return chains.readState();
      } finally {
        chains.dispose();
      }
    };
    expect(run(loaded)).toEqual(run(network));
  });

  test('forged files are ERR_BAD_FILE naming the problem', () => {
    const bytes = encodeModel(network);
    expectBadFile(forge(bytes, {}, { units: 6 }), /has shape \[\d\]; expected \[[67]\]/);
    expectBadFile(forge(bytes, {}, { blocks: 'all' }), /blocks must be a list/);
    expectBadFile(forge(bytes, {}, { blocks: [{ rows: [0, 2] }] }), /blocks\[0\] must be/);
    expectBadFile(forge(bytes, {}, { blocks: [{ rows: [0, 2], cols: [1, 3] }] }), /disjoint or identical/);
    expectBadFile(
      forge(bytes, {}, { blocks: [{ rows: [4, 2], cols: [0, 3] }] }),
      /tensor "block.0" has shape \[2,3\]|rows\[1\]/,
    );
    expectBadFile(forge(bytes, {}, { sparse: 2 }), /no tensor "sparse.1.row_ptr"/);
    expectBadFile(forge(bytes, { 'sparse.0.cols': i32(1, 9) }), /sparse.0.cols\[1\] = 9 is not a unit/);
    expectBadFile(forge(bytes, { 'sparse.0.row_ptr': i32(0, 2, 1, 2, 2, 2) }), /decreases at row 1/);
    expectBadFile(forge(bytes, { 'sparse.0.row_ptr': i32(0, 1, 2, 2, 2, 3) }), /must run from 0 to 2/);
    expectBadFile(
      forge(bytes, { mass: { dtype: 'F32', shape: [5], data: Float32Array.of(1, 1, 0, 1, 1) } }),
      /mass\[2\] must be > 0/,
    );
    expectBadFile(forge(bytes, {}, { units: 0 }), /units must be a positive integer/);
  });

  test('a small file claiming a giant network fails fast with ERR_TOO_LARGE', () => {
    const small = encodeModel(new LangevinNetwork({ units: 1 }));
    expect(() => decodeModel(forge(small, {}, { units: 2 ** 45 }))).toThrow(
      expect.objectContaining({ code: 'ERR_TOO_LARGE' }),
    );
  });
});

test('Python reads both files with json and NumPy alone, by the tensor names docs/files.md lists', async () => {
  const ising = path.join(dir, 'py-ising.safetensors');
  const langevin = path.join(dir, 'py-langevin.safetensors');
  await saveModel(
    ising,
    new IsingModel(
      graphs.fromEdges(3, [
        [0, 1],
        [1, 2],
      ]),
      { couplings: [1, -0.5], biases: [0, 0.25, 0], beta: 2 },
    ),
  );
  await saveModel(langevin, new LangevinNetwork({ units: 2, couplings: { kind: 'dense', matrix: [0, 0.5, 0.5, 0] } }));
  const script = `
import json, struct, sys
import numpy as np
def read(path):
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__')
    data = raw[8 + n:]
    dtypes = {'F32': '<f4', 'I32': '<i4'}
    return meta, {k: np.frombuffer(data[v['data_offsets'][0]:v['data_offsets'][1]], dtypes[v['dtype']]).reshape(v['shape']) for k, v in header.items()}
meta, t = read(sys.argv[1])
hyper = json.loads(meta['hyper'])
print(meta['kind'], hyper['beta'], t['src'].tolist(), t['dst'].tolist(), t['couplings'].tolist(), t['biases'].tolist())
meta, t = read(sys.argv[2])
print(meta['kind'], json.loads(meta['hyper'])['blocks'], t['block.0'].tolist())
`;
  let out: string;
  try {
    out = execFileSync('python3', ['-c', script, ising, langevin], { encoding: 'utf8' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // no Python on this machine
    throw err;
  }
  expect(out.trim().split('\n')).toEqual([
    'ising 2 [0, 1] [1, 2] [1.0, -0.5] [0.0, 0.25, 0.0]',
    'langevin [{"rows": [0, 2], "cols": [0, 2]}] [[0.0, 0.5], [0.5, 0.0]]'.replace(/"/g, "'"),
  ]);
});
