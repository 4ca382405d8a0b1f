/** The SPU's 8×8 matrix-inversion experiment (examples/spu-inverse.js) runs and inverts its matrix. */
import { execFileSync } from 'child_process';
import * as path from 'path';

test('examples/spu-inverse.js prints the inverse estimate and an error consistent with its sample count', () => {
  const script = path.join(__dirname, '..', 'examples', 'spu-inverse.js');
  const out = execFileSync(process.execPath, [script, '2000'], { encoding: 'utf8' });
  expect(out).toMatch(/estimate of A⁻¹/);
  expect(out).toMatch(/exact A⁻¹/);
  const error = Number(/relative error .* = ([0-9.]+)/.exec(out)![1]);
  // 32,000 nearly independent samples of an 8-dimensional Gaussian: relative covariance error ~ √(n/samples) ≈ 1.6 %.
  expect(error).toBeGreaterThan(0);
  expect(error).toBeLessThan(0.05);
});
