/**
 * β schedules reach the core as descriptions (native/core/beta_schedule.h), evaluated per sweep there:
 * the samples must be those of the same values passed as a table of one β per sweep (the old path), bit
 * for bit, for every form `schedules` builds, in one-shot runs, streams and RBM chains.
 */
import { graphs, IsingModel, RBM, stream } from '../lib';
import { describeBeta } from '../lib/engines/sweeps';
import { constant, cosine, linear, stepDecay, warmup } from '../lib/engines/schedules';

type Fn = (step: number, total: number) => number;

const forms: Array<[string, Fn]> = [
  ['constant', constant(0.7)],
  ['linear', linear(0.05, 1.3)],
  ['linear down', linear(1.1, 0.2)],
  ['cosine', cosine(0.9, 0.1)],
  ['step', stepDecay(1.2, 0.9, 7)],
  ['warmup then linear', warmup(40, linear(0.3, 1))],
  ['warmup then cosine', warmup(13, cosine(1, 0.2))],
];

/** The same values as a plain array: the table path. */
function table(fn: Fn, sweeps: number, first = 0, total = sweeps): number[] {
  return Array.from({ length: first + sweeps }, (_, k) => fn(k, total));
}

describe('described β schedules', () => {
  const model = new IsingModel(graphs.lattice2d(6, 6), { couplings: 0.4, biases: 0.05 });
  const run = {
    chains: 24,
    warmup: 150,
    samples: 20,
    thin: 3,
    seed: 11,
    observe: ['states' as const, 'energy' as const],
  };
  const sweeps = 150 + 19 * 3;

  test.each(forms)('%s: the description is a few numbers and samples exactly as its table does', (_name, fn) => {
    const [program, described] = describeBeta(fn, sweeps);
    expect(described).toBeUndefined();
    expect(program.length).toBeLessThanOrEqual(8);
    const a = model.sampleSync({ ...run, beta: fn });
    const b = model.sampleSync({ ...run, beta: table(fn, sweeps) });
    expect(Buffer.compare(Buffer.from(a.states!.buffer), Buffer.from(b.states!.buffer))).toBe(0);
    expect(a.energy).toEqual(b.energy);
  });

  test('plain functions and arrays still work, as tables', () => {
    const fn = (k: number, total: number) => 0.2 + (0.8 * k) / total;
    const [program, values] = describeBeta(fn, 10);
    expect(Array.from(program)).toEqual([5]);
    expect(values).toEqual(Float32Array.from(table(fn, 10)));
    const a = model.sampleSync({ ...run, beta: fn });
    const b = model.sampleSync({ ...run, beta: table(fn, sweeps) });
    expect(a.energy).toEqual(b.energy);
  });

  test('streams evaluate a description from the sweep each batch starts at, with an unbounded total', async () => {
    const fn = linear(0.1, 1);
    const batches = async (beta: Fn | number[]) => {
      const out: Float64Array[] = [];
      for await (const batch of stream(model, {
        chains: 16,
        warmup: 5,
        thin: 2,
        batch: 4,
        maxBatches: 3,
        seed: 3,
        beta,
        observe: ['energy'],
      })) {
        out.push(batch.energy!);
      }
      return out;
    };
    // Streams call the schedule with total = Infinity: linear stays at `from`; a step decay moves.
    const decay = stepDecay(1, 0.8, 3);
    expect(await batches(decay)).toEqual(await batches(table(decay, 5 + 3 * 2 + 2 * 3 * 2 + 10, 0, Infinity)));
    expect(await batches(fn)).toEqual(await batches(table(fn, 40, 0, Infinity)));
  });

  test('RBM chains take the same descriptions', () => {
    const rbm = RBM.create({ visible: 12, hidden: 5, seed: 2, weightScale: 0.5 });
    const fn = cosine(0.2, 1.5);
    const a = rbm.sampleSync({ chains: 16, sweeps: 60, beta: fn, seed: 4 });
    const b = rbm.sampleSync({ chains: 16, sweeps: 60, beta: table(fn, 60), seed: 4 });
    expect(a.visible).toEqual(b.visible);
    expect(a.probabilities).toEqual(b.probabilities);
  });

  test('a step decay that overflows float32 within the run, and bad descriptions, are coded errors', () => {
    expect(() => model.sampleSync({ chains: 8, warmup: 100, samples: 1, beta: stepDecay(1, 10, 1) })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(/float32/) }),
    );
    expect(() => model.sampleSync({ chains: 8, warmup: 30, samples: 1, beta: stepDecay(1, 10, 1) })).not.toThrow();
    expect(() => model.sampleSync({ chains: 8, warmup: 10, samples: 1, beta: 1e39 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});
