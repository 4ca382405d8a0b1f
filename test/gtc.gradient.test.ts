import { GenerativeComputer } from '../lib/models/gtc';
import { PathGradient } from '../lib/training/gtc-gradient';
import { SeededRandom } from '../lib/util/random';

/**
 * The closed-form gradient of the reverse-path loss against float64 central differences of the loss
 * itself, computed here from the definition: −log P(path) = Σ_steps Σ_i (−Δx_i + μ ∂_iU(x') Δt)² / (4 μ kT Δt).
 */
const V = 5;
const H = 4;
const L = 3;
const ROWS = 40;

function randomModel(rng: SeededRandom): GenerativeComputer {
  const m = new GenerativeComputer({
    visible: V,
    hidden: H,
    labels: L,
    kT: 0.3,
    mobility: 0.7,
    dt: 0.01,
    J2: 1.3,
    J4: 0.6,
  });
  m.visibleHidden.forEach((_, k) => (m.visibleHidden[k] = rng.normal() * 0.5));
  for (let i = 0; i < H; i++)
    for (let j = 0; j < i; j++) m.hiddenHidden[i * H + j] = m.hiddenHidden[j * H + i] = rng.normal() * 0.5;
  m.hiddenBias.forEach((_, k) => (m.hiddenBias[k] = rng.normal() * 0.5));
  m.visibleBias.forEach((_, k) => (m.visibleBias[k] = rng.normal() * 0.5));
  m.labelHidden.forEach((_, k) => (m.labelHidden[k] = rng.normal() * 0.5));
  m.labelVisible.forEach((_, k) => (m.labelVisible[k] = rng.normal() * 0.5));
  return m;
}

/** Path loss in float64 from the potential's definition, with parameters read through `param`. */
function pathLoss(m: GenerativeComputer, g: PathGradient, param: (name: string, k: number) => number): number {
  let loss = 0;
  for (let r = 0; r < ROWS; r++) {
    const x = (i: number) => (i < V ? g.endVisible[r * V + i] : g.endHidden[r * H + i - V]);
    const dx = (i: number) => (i < V ? g.stepVisible[r * V + i] : g.stepHidden[r * H + i - V]);
    for (let i = 0; i < V + H; i++) {
      let dU = 2 * m.J2 * x(i) + 4 * m.J4 * x(i) ** 3;
      if (i < V) {
        dU += param('bv', i);
        for (let l = 0; l < L; l++) dU += param('lv', l * V + i) * g.rowLabels[r * L + l];
        for (let h = 0; h < H; h++) dU += param('vh', i * H + h) * x(V + h);
      } else {
        const h = i - V;
        dU += param('b', h);
        for (let v = 0; v < V; v++) dU += param('vh', v * H + h) * x(v);
        for (let h2 = 0; h2 < H; h2++)
          if (h2 !== h) dU += param('hh', Math.min(h, h2) * H + Math.max(h, h2)) * x(V + h2);
        for (let l = 0; l < L; l++) dU += param('lh', l * H + h) * g.rowLabels[r * L + l];
      }
      const noise = -dx(i) + m.mobility * dU * m.dt;
      loss += (noise * noise) / (4 * m.mobility * m.kT * m.dt);
    }
  }
  return loss;
}

test('the closed-form path gradient matches float64 finite differences (relative error < 1e-4)', () => {
  const rng = new SeededRandom(11);
  const m = randomModel(rng);
  const g = new PathGradient(m, ROWS);
  const fill = (a: Float32Array, scale: number) => a.forEach((_, k) => (a[k] = rng.normal() * scale));
  fill(g.endVisible, 1);
  fill(g.endHidden, 1);
  fill(g.stepVisible, 0.1);
  fill(g.stepHidden, 0.1);
  for (let r = 0; r < ROWS; r++) if (r % 4 !== 0) g.rowLabels[r * L + (r % L)] = 1;

  const base: Record<string, Float64Array> = {
    vh: Float64Array.from(m.visibleHidden),
    hh: Float64Array.from(m.hiddenHidden),
    b: Float64Array.from(m.hiddenBias),
    bv: Float64Array.from(m.visibleBias),
    lh: Float64Array.from(m.labelHidden),
    lv: Float64Array.from(m.labelVisible),
  };
  const lossWith = (name: string, k: number, delta: number) =>
    pathLoss(m, g, (n, j) => base[n][j] + (n === name && j === k ? delta : 0));

  const numeric: number[] = [];
  const entries: [string, number][] = [];
  for (let k = 0; k < V * H; k++) entries.push(['vh', k]);
  for (let i = 0; i < H; i++) for (let j = i + 1; j < H; j++) entries.push(['hh', i * H + j]);
  for (let k = 0; k < H; k++) entries.push(['b', k]);
  for (let k = 0; k < V; k++) entries.push(['bv', k]);
  for (let k = 0; k < L * H; k++) entries.push(['lh', k]);
  for (let k = 0; k < L * V; k++) entries.push(['lv', k]);
  const h = 1e-5;
  for (const [name, k] of entries) numeric.push((lossWith(name, k, h) - lossWith(name, k, -h)) / (2 * h));
  const loss = pathLoss(m, g, (n, j) => base[n][j]);

  g.accumulate(ROWS);
  const analytic = entries.map(([name, k]) => {
    if (name === 'vh') return g.gradVisibleHidden[k];
    if (name === 'hh') return g.gradHiddenHidden[k];
    if (name === 'b') return g.gradHiddenBias[k];
    if (name === 'bv') return g.gradVisibleBias[k];
    if (name === 'lv') return g.gradLabelVisible[k];
    return g.gradLabelHidden[k];
  });
  let diff = 0;
  let norm = 0;
  analytic.forEach((a, k) => {
    diff += (a - numeric[k]) ** 2;
    norm += numeric[k] ** 2;
  });
  expect(Math.sqrt(diff / norm)).toBeLessThan(1e-4);
  expect(g.loss / loss).toBeCloseTo(1, 5);
  expect(g.unitSteps).toBe(ROWS * (V + H));
  // The hidden-hidden gradient is symmetric with a zero diagonal.
  for (let i = 0; i < H; i++) {
    expect(g.gradHiddenHidden[i * H + i]).toBe(0);
    for (let j = 0; j < i; j++) expect(g.gradHiddenHidden[i * H + j]).toBe(g.gradHiddenHidden[j * H + i]);
  }
});
