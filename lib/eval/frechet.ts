/**
 * Fréchet distance between Gaussians fitted to two feature sets (the statistic behind FID):
 *   d² = ‖μa − μb‖² + tr(Σa + Σb − 2 (Σa^½ Σb Σa^½)^½)
 * in float64, with matrix square roots from symmetric eigendecompositions.
 */
import { HeatbathError } from '../errors';
import { checkInteger, invalid } from '../util/validate';
import { symmetricEigen } from '../util/symmetric-eigen';

export type Features = Float32Array | Float64Array;

export interface Gaussian {
  dim: number;
  mean: Float64Array;
  /** dim × dim row-major, unbiased (divides by count − 1). */
  covariance: Float64Array;
}

/** Mean and covariance of `features` (count × dim, sample-major); needs at least 2 samples. */
export function fitGaussian(features: Features, dim: number): Gaussian {
  checkInteger('dim', dim, 1, 4096);
  if (!(features instanceof Float32Array || features instanceof Float64Array)) {
    throw invalid('features must be a Float32Array or Float64Array');
  }
  if (features.length % dim !== 0) throw invalid(`features length ${features.length} is not a multiple of dim ${dim}`);
  const count = features.length / dim;
  if (count < 2) throw invalid(`a covariance needs at least 2 samples, got ${count}`);
  const mean = new Float64Array(dim);
  for (let s = 0; s < count; s++) for (let i = 0; i < dim; i++) mean[i] += features[s * dim + i];
  for (let i = 0; i < dim; i++) {
    mean[i] /= count;
    if (!Number.isFinite(mean[i]))
      throw new HeatbathError('ERR_NOT_FINITE', `features hold a non-finite value in column ${i}`);
  }
  const covariance = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let s = 0; s < count; s++) {
    for (let i = 0; i < dim; i++) centred[i] = features[s * dim + i] - mean[i];
    for (let i = 0; i < dim; i++) {
      const ci = centred[i];
      if (ci === 0) continue;
      const row = i * dim;
      for (let j = i; j < dim; j++) covariance[row + j] += ci * centred[j];
    }
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const c = covariance[i * dim + j] / (count - 1);
      covariance[i * dim + j] = c;
      covariance[j * dim + i] = c;
    }
  }
  return { dim, mean, covariance };
}

function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  }
  return out;
}

function trace(m: Float64Array, n: number): number {
  let t = 0;
  for (let i = 0; i < n; i++) t += m[i * n + i];
  return t;
}

/**
 * A fixed Gaussian to measure others against: its covariance square root is computed once, so each
 * distance costs one eigendecomposition without vectors.
 */
export class FrechetReference {
  readonly gaussian: Gaussian;
  private readonly sqrtCovariance: Float64Array;

  constructor(gaussian: Gaussian) {
    const { dim, covariance } = gaussian;
    const { values, vectors } = symmetricEigen(covariance, dim);
    const v = vectors!;
    // Σ^½ = V diag(√λ) Vᵀ; rounding can leave tiny negative eigenvalues of a PSD matrix.
    const roots = values.map((lambda) => Math.sqrt(Math.max(lambda, 0)));
    const root = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) {
      for (let j = i; j < dim; j++) {
        let sum = 0;
        for (let k = 0; k < dim; k++) sum += v[i * dim + k] * roots[k] * v[j * dim + k];
        root[i * dim + j] = root[j * dim + i] = sum;
      }
    }
    this.gaussian = gaussian;
    this.sqrtCovariance = root;
  }

  distanceTo(other: Gaussian): number {
    const { dim, mean, covariance } = this.gaussian;
    if (other.dim !== dim) throw invalid(`feature dimensions differ: ${dim} and ${other.dim}`);
    const product = multiply(multiply(this.sqrtCovariance, other.covariance, dim), this.sqrtCovariance, dim);
    for (let i = 0; i < dim; i++) {
      for (let j = i + 1; j < dim; j++) {
        product[i * dim + j] = product[j * dim + i] = (product[i * dim + j] + product[j * dim + i]) / 2;
      }
    }
    const { values } = symmetricEigen(product, dim, false);
    let traceRoot = 0;
    for (const lambda of values) traceRoot += Math.sqrt(Math.max(lambda, 0));
    let meanGap = 0;
    for (let i = 0; i < dim; i++) meanGap += (mean[i] - other.mean[i]) ** 2;
    return Math.max(0, meanGap + trace(covariance, dim) + trace(other.covariance, dim) - 2 * traceRoot);
  }
}

/**
 * Fréchet distance between Gaussians fitted to two feature sets, each count × dim (counts may differ).
 * Like FID it is the squared distance d² of the formula above.
 */
export function frechetDistance(featuresA: Features, featuresB: Features, dim: number): number {
  return new FrechetReference(fitGaussian(featuresA, dim)).distanceTo(fitGaussian(featuresB, dim));
}
