/**
 * The reproducibility tests every quantized kernel must pass: the same spins from every instruction set and
 * thread count, and a chain's samples whatever number of chains runs beside it (the first 45 of `opts.chains`).
 */
import { engineInfo, QuantizedIsingModel, SampleOptions, setSimd } from '../../lib';

export const availableSimd = engineInfo().simdAvailable;

/** Byte equality (jest's toEqual walks typed arrays element by element, slowly). */
export const sameBytes = (a: ArrayBufferView | undefined, b: ArrayBufferView | undefined) =>
  Buffer.compare(
    Buffer.from(a!.buffer, a!.byteOffset, a!.byteLength),
    Buffer.from(b!.buffer, b!.byteOffset, b!.byteLength),
  ) === 0;

export function bitIdentityTests(
  model: QuantizedIsingModel,
  opts: SampleOptions & { chains: number; samples: number },
): void {
  test('every instruction set and thread count gives the same spins', () => {
    setSimd('scalar');
    const reference = model.sampleSync({ ...opts, threads: 1 });
    for (const simd of availableSimd) {
      setSimd(simd);
      for (const threads of [1, 2]) {
        const run = model.sampleSync({ ...opts, threads });
        expect(sameBytes(run.states, reference.states)).toBe(true);
        expect(sameBytes(run.finalState, reference.finalState)).toBe(true);
        expect(sameBytes(run.mean, reference.mean)).toBe(true);
        expect(sameBytes(run.pairMean, reference.pairMean)).toBe(true);
      }
    }
  });

  test("a chain's samples do not depend on how many chains run beside it", () => {
    setSimd(availableSimd.at(-1)!);
    const few = model.sampleSync({ ...opts, chains: 45 });
    const many = model.sampleSync(opts);
    for (let s = 0; s < opts.samples; s++) {
      for (let c = 0; c < 45; c++) expect(sameBytes(few.state(s, c), many.state(s, c))).toBe(true);
    }
  });
}
