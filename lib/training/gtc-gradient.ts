/**
 * The reverse-path likelihood of the generative thermodynamic computer (SCIENCE.md §5) and its
 * closed-form gradient. One reverse Euler–Maruyama step of the θ-dynamics goes from x' = x_{k+1} to
 * x_k; with Δx = x' − x_k and every force taken at the step end x',
 *
 *   L_step = Σ_i (−Δx_i + μ ∂_iU_θ(x') Δt)² / (4 μ kT Δt),     r_i = (−Δx_i + μ ∂_iU_θ(x') Δt) / (2 kT)
 *   ∂L/∂J_ij = Σ_steps (r_i x'_j + r_j x'_i),   ∂L/∂b_i = Σ_steps r_i,   ∂L/∂J_lu = Σ_steps y_l r_u
 *
 * (label units are clamped, so they carry no loss of their own). Rows (one step of one trajectory
 * each) are processed as matrices: the forces are two products, the gradient three, all float32
 * matrix products whose results are accumulated in float64 across calls.
 */
import { gemm } from '../engines/rbm';
import type { GenerativeComputer } from '../models/gtc';

export class PathGradient {
  readonly maxRows: number;
  /** Step-end states x' of the visible and hidden units, rows × V and rows × H. */
  readonly endVisible: Float32Array;
  readonly endHidden: Float32Array;
  /** Displacements Δx = x' − x_k, rows × V and rows × H. */
  readonly stepVisible: Float32Array;
  readonly stepHidden: Float32Array;
  /** Clamped label values y of each row, rows × L. */
  readonly rowLabels: Float32Array;
  /** Accumulated gradients (paper's sign convention, see gtc.ts). */
  readonly gradVisibleHidden: Float64Array;
  readonly gradHiddenHidden: Float64Array;
  readonly gradHiddenBias: Float64Array;
  readonly gradVisibleBias: Float64Array;
  readonly gradLabelVisible: Float64Array;
  readonly gradLabelHidden: Float64Array;
  /** Accumulated Σ L_step and the number of unit-steps it covers. */
  loss = 0;
  unitSteps = 0;
  private readonly products: Float32Array;
  private readonly productVH: Float32Array;
  private readonly productHH: Float32Array;
  private readonly productLV: Float32Array;
  private readonly productLH: Float32Array;

  constructor(
    private readonly model: GenerativeComputer,
    maxRows: number,
    private readonly threads?: number,
  ) {
    const { visible: V, hidden: H, labels: L } = model;
    this.maxRows = maxRows;
    this.endVisible = new Float32Array(maxRows * V);
    this.endHidden = new Float32Array(maxRows * H);
    this.stepVisible = new Float32Array(maxRows * V);
    this.stepHidden = new Float32Array(maxRows * H);
    this.rowLabels = new Float32Array(maxRows * L);
    this.products = new Float32Array(maxRows * Math.max(V, H));
    this.productVH = new Float32Array(V * H);
    this.productHH = new Float32Array(H * H);
    this.productLV = new Float32Array(L * V);
    this.productLH = new Float32Array(L * H);
    this.gradVisibleHidden = new Float64Array(V * H);
    this.gradHiddenHidden = new Float64Array(H * H);
    this.gradHiddenBias = new Float64Array(H);
    this.gradVisibleBias = new Float64Array(V);
    this.gradLabelVisible = new Float64Array(L * V);
    this.gradLabelHidden = new Float64Array(L * H);
  }

  /** Sets the accumulated gradients and loss to zero. */
  reset(): void {
    this.gradVisibleHidden.fill(0);
    this.gradHiddenHidden.fill(0);
    this.gradHiddenBias.fill(0);
    this.gradVisibleBias.fill(0);
    this.gradLabelVisible.fill(0);
    this.gradLabelHidden.fill(0);
    this.loss = 0;
    this.unitSteps = 0;
  }

  /**
   * Adds the loss and gradient of the first `rows` rows of the step buffers, each weighted by `weight`
   * (e.g. the step-sampling stride over the trajectory count). Overwrites the displacement buffers.
   */
  accumulate(rows: number, weight = 1): void {
    const m = this.model;
    const { visible: V, hidden: H, labels: L } = m;
    const t = this.threads;
    const xv = this.endVisible.subarray(0, rows * V);
    const xh = this.endHidden.subarray(0, rows * H);
    const rv = this.stepVisible.subarray(0, rows * V);
    const rh = this.stepHidden.subarray(0, rows * H);
    const f = this.products;
    const onSite = { muDt: m.mobility * m.dt, a: 2 * m.J2, c: 4 * m.J4, toR: 1 / (2 * m.kT) };
    const toLoss = 1 / (4 * m.mobility * m.kT * m.dt);
    const y = this.rowLabels.subarray(0, rows * L);
    // Visible forces: Σ_h J_vh x_h + Σ_l J_lv y_l + b_v; the residual r replaces Δx in place.
    const fv = f.subarray(0, rows * V);
    gemm(false, true, rows, V, H, 1, xh, m.visibleHidden, 0, fv, t);
    if (L > 0) gemm(false, false, rows, V, L, 1, y, m.labelVisible, 1, fv, t);
    let loss = residuals(xv, rv, fv, m.visibleBias, onSite);
    // Hidden forces: Σ_v J_vh x_v + Σ_h' J_hh' x_h' + Σ_l J_lh y_l + b_h.
    const fh = f.subarray(0, rows * H);
    gemm(false, false, rows, H, V, 1, xv, m.visibleHidden, 0, fh, t);
    gemm(false, false, rows, H, H, 1, xh, m.hiddenHidden, 1, fh, t);
    if (L > 0) gemm(false, false, rows, H, L, 1, y, m.labelHidden, 1, fh, t);
    loss += residuals(xh, rh, fh, m.hiddenBias, onSite);
    this.loss += loss * toLoss * weight;
    this.unitSteps += rows * (V + H) * weight;

    // ∂/∂J_vh = Σ r_v x_h + x_v r_h
    gemm(true, false, V, H, rows, 1, rv, xh, 0, this.productVH, t);
    gemm(true, false, V, H, rows, 1, xv, rh, 1, this.productVH, t);
    addInto(this.gradVisibleHidden, this.productVH, weight);
    // ∂/∂J_hh' = Σ r_h x_h' + r_h' x_h (symmetric, zero diagonal)
    gemm(true, false, H, H, rows, 1, rh, xh, 0, this.productHH, t);
    const g = this.gradHiddenHidden;
    const p = this.productHH;
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < i; j++) {
        const sum = (p[i * H + j] + p[j * H + i]) * weight;
        g[i * H + j] += sum;
        g[j * H + i] += sum;
      }
    }
    addColumnSums(this.gradHiddenBias, rh, weight);
    addColumnSums(this.gradVisibleBias, rv, weight);
    if (L > 0) {
      gemm(true, false, L, V, rows, 1, y, rv, 0, this.productLV, t);
      addInto(this.gradLabelVisible, this.productLV, weight);
      gemm(true, false, L, H, rows, 1, y, rh, 0, this.productLH, t);
      addInto(this.gradLabelHidden, this.productLH, weight);
    }
  }
}

/**
 * Turns displacements Δx (rows of bias.length units) into residuals r = (−Δx + μΔt ∂U(x')) / 2kT in place,
 * with ∂U(x') = a x' + c x'³ + b + (coupling part, given); returns Σ (−Δx + μΔt ∂U)².
 */
function residuals(
  x: Float32Array,
  step: Float32Array,
  coupling: Float32Array,
  bias: Float32Array,
  p: { muDt: number; a: number; c: number; toR: number },
): number {
  const width = bias.length;
  let sum = 0;
  for (let k = 0, i = 0; k < step.length; k++, i = i + 1 === width ? 0 : i + 1) {
    const xi = x[k];
    const noise = -step[k] + p.muDt * (p.a * xi + p.c * xi * xi * xi + bias[i] + coupling[k]);
    sum += noise * noise;
    step[k] = noise * p.toR;
  }
  return sum;
}

/** target[j] += weight · Σ_rows values[row, j] (values: rows of target.length). */
function addColumnSums(target: Float64Array, values: Float32Array, weight: number): void {
  const width = target.length;
  for (let k = 0, j = 0; k < values.length; k++, j = j + 1 === width ? 0 : j + 1) target[j] += values[k] * weight;
}

function addInto(target: Float64Array, values: Float32Array, weight: number): void {
  for (let k = 0; k < target.length; k++) target[k] += values[k] * weight;
}
