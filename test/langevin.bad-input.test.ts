/** Bad input and unstable runs give coded errors, never crashes or silent NaNs; async runs abort promptly. */
import { HeatbathError } from '../lib/errors';
import { LangevinChains, LangevinNetwork, simulate } from '../lib/engines/langevin';
import { Spu } from '../lib/models/spu';
import { native } from '../lib/native';

function code(body: () => unknown): string | undefined {
  try {
    body();
  } catch (err) {
    expect(err).toBeInstanceOf(HeatbathError);
    return (err as HeatbathError).code;
  }
  return undefined;
}

describe('Langevin bad input', () => {
  const net = new LangevinNetwork({ units: 3 });

  test('network specs', () => {
    expect(code(() => new LangevinNetwork({ units: 3, quadratic: [1, NaN, 1] }))).toBe('ERR_NOT_FINITE');
    expect(code(() => new LangevinNetwork({ units: 3, quartic: [1, 1] }))).toBe('ERR_INVALID_ARGUMENT');
    expect(code(() => new LangevinNetwork({ units: 0 }))).toBe('ERR_INVALID_ARGUMENT');
    expect(code(() => new LangevinNetwork({ units: 2, mass: 0 }))).toBe('ERR_INVALID_ARGUMENT');
    expect(code(() => new LangevinNetwork({ units: 2, couplings: { kind: 'dense', matrix: [0, 1, 2, 0] } }))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(code(() => new LangevinNetwork({ units: 2, couplings: { kind: 'dense', matrix: [0, 1, 1] } }))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    const overlapping = {
      kind: 'blocks' as const,
      blocks: [{ rows: [0, 2] as [number, number], cols: [1, 2] as [number, number], weights: [1, 1, 1, 1] }],
    };
    expect(code(() => new LangevinNetwork({ units: 4, couplings: overlapping }))).toBe('ERR_INVALID_ARGUMENT');
    const asymmetric = { kind: 'sparse' as const, rowPtr: [0, 1, 1], cols: [1], values: [0.5] };
    expect(code(() => new LangevinChains(new LangevinNetwork({ units: 2, couplings: asymmetric })))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
  });

  test('run options and states', () => {
    const chains = new LangevinChains(net, { chains: 2 });
    expect(code(() => chains.runSync({ steps: 10, dt: 0 }))).toBe('ERR_INVALID_ARGUMENT');
    expect(code(() => chains.runSync({ steps: 10, dt: -1 }))).toBe('ERR_INVALID_ARGUMENT');
    expect(code(() => chains.runSync({ steps: 10, dt: NaN }))).toBe('ERR_NOT_FINITE');
    expect(code(() => chains.runSync({ steps: 10, dt: 0.1, kT: -1 }))).toBe('ERR_INVALID_ARGUMENT');
    expect(code(() => chains.runSync({ steps: 10, dt: 0.1, kT: (t) => (t > 0.5 ? NaN : 1) }))).toBe('ERR_NOT_FINITE');
    expect(code(() => chains.runSync({ steps: 10, dt: 0.1, integrator: 'rk4' as never }))).toBe('ERR_INVALID_ARGUMENT');
    expect(code(() => chains.runSync({ steps: 10, dt: 0.1, observe: ['spins' as never] }))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    expect(code(() => chains.setState([1, 2]))).toBe('ERR_INVALID_ARGUMENT');
    expect(code(() => chains.setState([1, 2, Infinity]))).toBe('ERR_NOT_FINITE');
    expect(code(() => chains.setClamp([3], [0]))).toBe('ERR_INVALID_ARGUMENT');
    expect(code(() => chains.setField([1, 2, 3, 4]))).toBe('ERR_INVALID_ARGUMENT');
  });

  test('the native layer checks its arguments too (plain JS callers)', () => {
    const raw = new (native().LangevinChains)(3, 2, 1);
    const f = Float32Array.of(1);
    expect(() => raw.setState(new Float32Array(5))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => raw.run(0, 10, -0.1, 1, 1, f, f, f, 0, 1, 0)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => raw.run(0, 10, 0.1, 1, 1, new Float32Array(3), f, f, 0, 1, 0)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => raw.addBlock(0, 2, 1, 2, new Float32Array(4))).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  test('a quartic blow-up stops the run with ERR_NOT_FINITE naming the step and suggesting a smaller dt', () => {
    const quartic = new LangevinNetwork({ units: 4, quadratic: 2, quartic: 4 });
    for (const integrator of ['euler-maruyama', 'baoab'] as const) {
      const chains = new LangevinChains(quartic, { chains: 3, state: [3, 0, 0, 0] });
      let error: HeatbathError | undefined;
      try {
        chains.runSync({ steps: 100, dt: 1, kT: 0.1, integrator });
      } catch (err) {
        error = err as HeatbathError;
      }
      expect(error?.code).toBe('ERR_NOT_FINITE');
      expect(error?.message).toMatch(/at step \d+ of 100/);
      expect(error?.message).toMatch(/smaller dt/);
    }
  });

  test('async runs abort within a few ms; busy chains refuse other calls', async () => {
    const chains = new LangevinChains(new LangevinNetwork({ units: 256, quartic: 1 }), { chains: 8 });
    const controller = new AbortController();
    const running = chains.run({ steps: 1e9, dt: 1e-3, signal: controller.signal });
    expect(code(() => chains.readState())).toBe('ERR_BUSY');
    await new Promise((resolve) => setTimeout(resolve, 30));
    const start = Date.now();
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(Date.now() - start).toBeLessThan(100);
    expect(chains.readState().every(Number.isFinite)).toBe(true);
  });

  test('simulate() runs a spec end to end; the SPU rejects matrices it cannot invert', async () => {
    const r = await simulate({ units: 2 }, { chains: 4, steps: 10, dt: 0.01, observe: ['trajectory'], every: 5 });
    expect(r.trajectory!.length).toBe(2 * 4 * 2);
    expect(r.state.length).toBe(8);
    expect(code(() => new Spu({ matrix: [1, 2, 2, 1] }))).toBe('ERR_INVALID_ARGUMENT'); // indefinite
    expect(code(() => new Spu({ matrix: [1, 0, 0] }))).toBe('ERR_INVALID_ARGUMENT'); // not square
  });
});
