import { adam, Optimizer, ParamGroup, sgd } from '../lib/nn/optimizers';
import { cosine } from '../lib/engines/schedules';

function group(name: string, param: number[], grad: number[], decay?: boolean): ParamGroup {
  return { name, param: Float32Array.from(param), grad: Float64Array.from(grad), decay };
}

function expectClose(actual: ArrayLike<number>, expected: number[], tolerance = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, k) => expect(Math.abs(actual[k] - e)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(e))));
}

/** Textbook Adam on one scalar, in double precision, written out step by step. */
function adamByHand(p: number, grads: number[], lr: number, wd = 0, decoupled = false, eps = 1e-8): number {
  let m = 0;
  let v = 0;
  grads.forEach((g0, index) => {
    const t = index + 1;
    if (decoupled) p -= lr * wd * p;
    const g = decoupled ? g0 : g0 + wd * p;
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    const mHat = m / (1 - 0.9 ** t);
    const vHat = v / (1 - 0.999 ** t);
    p -= (lr * mHat) / (Math.sqrt(vHat) + eps);
  });
  return p;
}

describe('sgd', () => {
  test('plain steps and L2 weight decay, by hand', () => {
    const g = group('w', [1, -2], [0.5, 1]);
    sgd().step([g], 0.1);
    expectClose(g.param, [0.95, -2.1]);
    const d = group('w', [1, -2], [0.5, 1]);
    sgd({ weightDecay: 0.1 }).step([d], 0.1); // grad + 0.1·param = [0.6, 0.8]
    expectClose(d.param, [0.94, -2.08]);
  });

  test('momentum and Nesterov momentum, by hand', () => {
    const heavy = sgd({ momentum: 0.9 });
    const h = group('w', [1], [1]);
    heavy.step([h], 0.1); // v = 1 → 0.9
    heavy.step([h], 0.1); // v = 0.9 + 1 = 1.9 → 0.71
    expectClose(h.param, [0.71]);
    const nesterov = sgd({ momentum: 0.9, nesterov: true });
    const n = group('w', [1], [1]);
    nesterov.step([n], 0.1); // update g + 0.9 v = 1.9 → 0.81
    nesterov.step([n], 0.1); // v = 1.9, update 1 + 1.71 = 2.71 → 0.539
    expectClose(n.param, [0.539]);
  });
});

describe('adam', () => {
  test('steps match the textbook algorithm; the first step moves by lr', () => {
    const grads = [0.5, -0.25, 1];
    const opt = adam();
    const g = group('w', [1], [0]);
    const expected = [0.900000002, 0.8733662987078463, 0.8075551396770898]; // worked out by hand in double precision
    grads.forEach((grad, k) => {
      g.grad[0] = grad;
      opt.step([g], 0.1);
      expectClose(g.param, [expected[k]]);
      expectClose(g.param, [adamByHand(1, grads.slice(0, k + 1), 0.1)]);
    });
  });

  test('L2 and decoupled (AdamW) weight decay match the textbook algorithm', () => {
    const grads = [0.5, -0.3, 0.8, 0.1];
    for (const decoupled of [false, true]) {
      const opt = adam({ weightDecay: 0.2, decoupled });
      expect(opt.name).toBe(decoupled ? 'adamw' : 'adam');
      const g = group('w', [2], [0]);
      for (const grad of grads) {
        g.grad[0] = grad;
        opt.step([g], 0.05);
      }
      expectClose(g.param, [adamByHand(2, grads, 0.05, 0.2, decoupled)]);
    }
    expect(adamByHand(2, grads, 0.05, 0.2, true)).not.toBeCloseTo(adamByHand(2, grads, 0.05, 0.2, false), 4);
  });

  test('a large epsilon enters after the bias correction, as in the textbook algorithm', () => {
    const grads = [0.5, -0.3, 0.8];
    const opt = adam({ eps: 0.1 });
    const g = group('w', [1], [0]);
    for (const grad of grads) {
      g.grad[0] = grad;
      opt.step([g], 0.1);
    }
    expectClose(g.param, [adamByHand(1, grads, 0.1, 0, false, 0.1)]);
  });
});

describe('every optimizer', () => {
  const optimizers: [string, () => Optimizer, number][] = [
    ['sgd', () => sgd(), 0.3],
    ['momentum', () => sgd({ momentum: 0.9 }), 0.05],
    ['nesterov', () => sgd({ momentum: 0.9, nesterov: true }), 0.05],
    ['adam', () => adam(), 0.1],
    ['adamw', () => adam({ decoupled: true }), 0.1],
  ];

  test.each(optimizers)('%s minimises a quadratic (float32 and float64 gradients)', (_, make, lr0) => {
    // f = ½ Σ a_i (p_i − c_i)²: its minimum is p = c.
    const a = [1, 3, 0.5, 2];
    const c = [1, -2, 0.5, 3];
    const p32 = { name: 'p32', param: new Float32Array(4), grad: new Float32Array(4) };
    const p64 = { name: 'p64', param: new Float32Array(4), grad: new Float64Array(4) };
    const opt = make();
    const steps = 1500;
    const lr = cosine(lr0, 0);
    for (let t = 0; t < steps; t++) {
      for (const g of [p32, p64]) for (let i = 0; i < 4; i++) g.grad[i] = a[i] * (g.param[i] - c[i]);
      opt.step([p32, p64], lr(t, steps));
    }
    expectClose(p32.param, c, 1e-3);
    expectClose(p64.param, c, 1e-3);
  });

  test.each([
    ['sgd', sgd({ weightDecay: 0.5 }), 1.9], // grad = 0.5·2 = 1
    ['momentum', sgd({ momentum: 0.9, weightDecay: 0.5 }), 1.9],
    ['nesterov', sgd({ momentum: 0.9, nesterov: true, weightDecay: 0.5 }), 1.81], // update 1 + 0.9·1
    ['adam', adam({ weightDecay: 0.5 }), 1.9], // Adam's first step moves by lr
    ['adamw', adam({ weightDecay: 0.5, decoupled: true }), 1.9], // 2·(1 − lr·0.5)
  ] as const)('%s: weight decay skips groups with decay: false', (_, opt, expected) => {
    const decayed = group('w', [2, -2], [0, 0]);
    const kept = group('b', [2, -2], [0, 0], false);
    opt.step([decayed, kept], 0.1);
    expectClose(decayed.param, [expected, -expected]);
    expectClose(kept.param, [2, -2]);
  });

  test.each(optimizers)('%s: state round trip continues identically', (_, make) => {
    const grads = (t: number) => [Math.sin(t), Math.cos(3 * t), 0.1 * t];
    const a = make();
    const ga = group('layer.w', [1, 2, 3], [0, 0, 0]);
    for (let t = 0; t < 3; t++) {
      ga.grad.set(grads(t));
      a.step([ga], 0.05);
    }
    const saved = a.state();
    const b = make();
    b.loadState(saved);
    Object.values(saved).forEach((buffer) => buffer.fill(0)); // state() handed out copies
    const gb = group('layer.w', Array.from(ga.param), [0, 0, 0]);
    for (let t = 3; t < 6; t++) {
      for (const [opt, g] of [
        [a, ga],
        [b, gb],
      ] as const) {
        g.grad.set(grads(t));
        opt.step([g], 0.05);
      }
    }
    expect(Array.from(gb.param)).toEqual(Array.from(ga.param));
    expect(b.state()).toEqual(a.state());
  });
});

describe('bad input', () => {
  test('options, steps and state are checked', () => {
    const g = group('w', [1], [1]);
    expect(() => sgd({ momentum: 1 })).toThrow(/momentum must be in \[0, 1\)/);
    expect(() => sgd({ nesterov: true })).toThrow(/nesterov needs momentum/);
    expect(() => sgd({ weightDecay: -1 })).toThrow(/weightDecay/);
    expect(() => adam({ beta1: 1 })).toThrow(/beta1/);
    expect(() => adam({ eps: NaN })).toThrow(expect.objectContaining({ code: 'ERR_NOT_FINITE' }));
    const opt = adam();
    expect(() => opt.step([g], -1)).toThrow(/lr must be >= 0/);
    expect(() => opt.step([g], NaN)).toThrow(expect.objectContaining({ code: 'ERR_NOT_FINITE' }));
    expect(() => opt.step([g, g], 0.1)).toThrow(/appears twice/);
    expect(() => opt.step([{ name: 'x', param: new Float32Array(2), grad: new Float32Array(3) }], 0.1)).toThrow(
      /grad has 3 entries, param 2/,
    );
    expect(() => opt.step([{ name: 'x', param: [1] as never, grad: new Float32Array(1) }], 0.1)).toThrow(
      /Float32Array/,
    );
    expect(() => opt.step([{ name: '', param: new Float32Array(1), grad: new Float32Array(1) }], 0.1)).toThrow(
      /needs a name/,
    );
    opt.step([g], 0.1);
    expect(() => opt.step([{ name: 'w', param: new Float32Array(2), grad: new Float32Array(2) }], 0.1)).toThrow(
      /state "w.m" has 1 entries but the group has 2/,
    );
    expect(() => opt.loadState({ 'w.velocity': new Float32Array(1) })).toThrow(/unknown entry "w.velocity"/);
    expect(() => opt.loadState({ w: new Float32Array(1) })).toThrow(/unknown entry "w"/);
    expect(() => opt.loadState({ 'w.m': [0] as never })).toThrow(/must be a Float32Array/);
    expect(() => opt.loadState({ 'w.m': Float32Array.of(NaN) })).toThrow(
      expect.objectContaining({ code: 'ERR_NOT_FINITE' }),
    );
    expect(opt.state()['w.step']).toEqual(Float32Array.of(1)); // failed loads change nothing
  });
});
