/** The generative computer's file format, its generation and the heat it reports. */
import { decodeModel, encodeModel, ModelFile } from '../lib/io/model-file';
import '../lib/models/model-kinds';
import { BOLTZMANN_CONSTANT, heatLedger, joules } from '../lib/models/energy';
import { GenerativeComputer, GtcConfig } from '../lib/models/gtc';
import { LangevinChains } from '../lib/engines/langevin';
import { SeededRandom } from '../lib/util/random';

const V = 16;
const H = 6;
const L = 3;

function randomModel(config: GtcConfig = {}, seed = 5): GenerativeComputer {
  const rng = new SeededRandom(seed);
  const m = new GenerativeComputer({ visible: V, hidden: H, labels: L, duration: 0.2, dt: 0.01, ...config });
  const fill = (a: Float32Array, scale: number) => a.forEach((_, k) => (a[k] = scale * rng.normal()));
  fill(m.visibleHidden, 0.4);
  fill(m.hiddenBias, 0.3);
  fill(m.visibleBias, 0.3);
  fill(m.labelHidden, 0.5);
  for (let i = 0; i < H; i++)
    for (let j = 0; j < i; j++) m.hiddenHidden[i * H + j] = m.hiddenHidden[j * H + i] = 0.3 * rng.normal();
  // Pretend training fitted the pixel normalisation; the rest of the decoder keeps its own fields.
  m.decoder = { ...m.decoder, pixelMean: 0.13, pixelStd: 0.31 };
  m.info = { trajectories: 640, projection_seed: 7, trained_on: 'a test' };
  return m;
}

/** A model file as the model writes it, altered by `change`, through bytes and back. */
function reload(model: GenerativeComputer, change: (file: ModelFile) => void = () => {}): GenerativeComputer {
  const file = model.toModelFile();
  change(file);
  return decodeModel(encodeModel({ toModelFile: () => file })) as GenerativeComputer;
}

/** Replaces the first number found in a JSON-like value by `value` (whatever the decoder's fields are). */
function replaceFirstNumber(node: Record<string, unknown> | unknown[], value: number): boolean {
  for (const key of Object.keys(node)) {
    const child = (node as Record<string, unknown>)[key];
    if (typeof child === 'number') {
      (node as Record<string, unknown>)[key] = value;
      return true;
    }
    if (typeof child === 'object' && child !== null && replaceFirstNumber(child as Record<string, unknown>, value))
      return true;
  }
  return false;
}

describe('model files', () => {
  test('round trip is bit-exact: parameters, configuration, decoder and info', () => {
    const model = randomModel();
    const loaded = reload(model);
    expect(loaded).toBeInstanceOf(GenerativeComputer);
    expect(loaded.config()).toEqual(model.config());
    for (const name of ['visibleHidden', 'hiddenHidden', 'hiddenBias', 'visibleBias', 'labelHidden'] as const) {
      expect(Buffer.from(loaded[name].buffer).equals(Buffer.from(model[name].buffer))).toBe(true);
    }
    expect(loaded.decoder).toEqual(model.decoder);
    expect(loaded.info).toEqual(model.info);
    const states = Float32Array.from({ length: 3 * V }, (_, k) => Math.sin(k));
    expect(loaded.decode(states)).toEqual(model.decode(states));
  });

  test('a model without label units has no label tensor and loads as one', () => {
    const loaded = reload(randomModel({ labels: 0 }));
    expect(loaded.labels).toBe(0);
    expect(loaded.toModelFile().tensors.label_hidden).toBeUndefined();
  });

  test('bad files fail with ERR_BAD_FILE naming the problem', () => {
    const model = randomModel();
    const fails = (change: (file: ModelFile) => void, message: RegExp) => {
      let error: unknown;
      try {
        reload(model, change);
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: 'ERR_BAD_FILE', message: expect.stringMatching(message) });
    };
    fails((f) => delete f.tensors.hidden_bias, /no tensor "hidden_bias"/);
    fails((f) => delete f.tensors.label_hidden, /no tensor "label_hidden"/);
    fails(
      (f) => (f.tensors.visible_hidden = { dtype: 'F32', shape: [H, V], data: new Float32Array(V * H) }),
      /visible_hidden.*shape/,
    );
    fails((f) => {
      const asymmetric = Float32Array.from(model.hiddenHidden);
      asymmetric[0 * H + 1] += 0.5;
      f.tensors.hidden_hidden = { dtype: 'F32', shape: [H, H], data: asymmetric };
    }, /symmetric/);
    fails((f) => {
      const diagonal = Float32Array.from(model.hiddenHidden);
      diagonal[2 * H + 2] = 1;
      f.tensors.hidden_hidden = { dtype: 'F32', shape: [H, H], data: diagonal };
    }, /diagonal/);
    // JSON has no NaN or Infinity: a non-finite decoder value reaches the file as null.
    for (const bad of [NaN, Infinity])
      fails((f) => expect(replaceFirstNumber(f.hyper.decoder as Record<string, unknown>, bad)).toBe(true), /decoder/);
    fails((f) => delete f.hyper.decoder, /decoder/);
    fails((f) => (f.hyper.hidden = -3), /hidden/);
  });
});

describe('generate', () => {
  const model = randomModel();

  test('shapes, images in [0, 1], steps; the same seed repeats bit for bit, another seed differs', async () => {
    const a = await model.generate({ count: 12, labels: 2, seed: 3, threads: 2 });
    expect(a.count).toBe(12);
    expect(a.states).toHaveLength(12 * V);
    expect(a.images).toHaveLength(12 * V);
    expect(a.hidden).toHaveLength(12 * H);
    expect(a.heat).toHaveLength(12);
    expect(a.steps).toBe(2 * model.stepsPerPhase);
    expect(a.images.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(a.heat.every(Number.isFinite)).toBe(true);
    const again = await model.generate({ count: 12, labels: 2, seed: 3, threads: 1 });
    expect(Buffer.from(again.states.buffer).equals(Buffer.from(a.states.buffer))).toBe(true);
    expect(again.heat).toEqual(a.heat);
    const other = await model.generate({ count: 12, labels: 2, seed: 4 });
    expect(other.states.some((x, k) => x !== a.states[k])).toBe(true);
  });

  test('labels change the samples; out-of-range labels and labels without label units are rejected', async () => {
    const zero = await model.generate({ count: 4, labels: 0, seed: 1 });
    const one = await model.generate({ count: 4, labels: [1, 1, 1, 1], seed: 1 });
    expect(one.states.some((x, k) => x !== zero.states[k])).toBe(true);
    await expect(model.generate({ count: 2, labels: L, seed: 1 })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    await expect(model.generate({ count: 2, labels: [0, -1], seed: 1 })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    await expect(model.generate({ count: 2, labels: [0, 1, 2], seed: 1 })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    await expect(model.generate({ count: 2, labels: [0.5, 1], seed: 1 })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
    });
    const unlabelled = randomModel({ labels: 0 });
    await expect(unlabelled.generate({ count: 2, labels: 0 })).rejects.toThrow(/no label units/);
  });

  /**
   * generate()'s heat against U(x_start) − U(x_end) of the coupled phase. x_start is recomputed by
   * repeating the uncoupled phase on chains of the same seed (checked: continuing them reproduces
   * generate's final states bit for bit); U comes from the engine's energies of the coupled network.
   */
  async function heatError(dt: number): Promise<{ error: number; scale: number; kT: number }> {
    const m = randomModel({ dt, duration: 0.4 });
    const count = 32;
    const label = 1;
    const K = m.stepsPerPhase;
    const run = await m.generate({ count, labels: label, seed: 9, progressSteps: K });
    const chains = new LangevinChains(m.network(), { chains: count, seed: 9 });
    const clampValues = Float32Array.from({ length: L }, (_, l) => (l === label ? 1 : 0));
    chains.setClamp([V + H, V + H + 1, V + H + 2], clampValues);
    const physics = { dt, kT: m.kT, mobility: m.mobility };
    chains.runSync({ steps: K, couplingScale: 0, ...physics });
    const start = chains.energies();
    chains.runSync({ steps: K, couplingScale: 1, ...physics });
    const state = chains.readState();
    for (let c = 0; c < count; c++) {
      expect(
        Buffer.from(state.slice(c * m.units, c * m.units + V).buffer).equals(
          Buffer.from(run.states.slice(c * V, (c + 1) * V).buffer),
        ),
      ).toBe(true);
    }
    const end = chains.energies();
    let error = 0;
    let scale = 0;
    for (let c = 0; c < count; c++) {
      const heat = run.heat[c] * m.kT; // generate reports heat in units of kT
      error += Math.abs(heat - (start[c] - end[c])) / count;
      scale += Math.abs(heat) / count;
    }
    return { error, scale, kT: m.kT };
  }

  test('heat = U(x_start) − U(x_end) of the coupled phase, the error shrinking in proportion to Δt', async () => {
    const coarse = await heatError(0.01);
    const fine = await heatError(0.0025);
    expect(coarse.scale).toBeGreaterThan(2 * coarse.kT); // several kT per sample: a real exchange with the bath
    expect(coarse.error).toBeLessThan(0.05 * coarse.scale);
    // O(Δt): quartering Δt should cut the error about four times; allow two.
    expect(fine.error / coarse.error).toBeLessThan(0.5);
  });
});

describe('energy in joules', () => {
  test('k_B is the exact SI value; joules = heat × k_B × T', () => {
    expect(BOLTZMANN_CONSTANT).toBe(1.380649e-23);
    expect(joules(1000, 300)).toBeCloseTo(1000 * 1.380649e-23 * 300, 30);
    expect(joules(1)).toBe(joules(1, 300));
    expect(() => joules(1, 0)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => joules(NaN)).toThrow(expect.objectContaining({ code: 'ERR_NOT_FINITE' }));
  });

  test('the ledger: mean, its standard error and the mean in joules', () => {
    const ledger = heatLedger([1, 2, 3, 6], 4);
    expect(ledger.samples).toBe(4);
    expect(ledger.meanKT).toBe(3);
    // sample variance (4 + 1 + 0 + 9) / 3 = 14/3; standard error √(14/3 / 4)
    expect(ledger.standardErrorKT).toBeCloseTo(Math.sqrt(14 / 12), 12);
    expect(ledger.meanJoules).toBeCloseTo(3 * BOLTZMANN_CONSTANT * 4, 35);
    expect(() => heatLedger([])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
