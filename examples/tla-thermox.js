// thermox's thermodynamic-linear-algebra benchmark, like for like: solve and invert a 50×50 Wishart
// matrix (A = G Gᵀ/100, G 50 × 100 standard normal; b standard normal) from 10⁴ device samples, once with
// heatbath's spacing (2/λ_min between samples) and once with thermox's (1 time unit between samples, the
// same device time as its notebook; thermox's solve uses noise D = I, i.e. β = 2). Prints the mean and the
// range of the errors over seeds. Run from a checkout after `npm run build`:
//   node examples/tla-thermox.js [seeds = 10] [samples = 10000]
'use strict';
const { tla, linalg } = require('../dist/lib');
const { SeededRandom } = require('../dist/lib/util/random');

const n = 50;
const seeds = Number(process.argv[2] ?? 10);
const samples = Number(process.argv[3] ?? 10_000);

/** The tests' and the bench's system: G from SeededRandom(1), then b from the same stream. */
function wishart() {
  const rng = new SeededRandom(1);
  const m = 2 * n;
  const g = Float64Array.from({ length: n * m }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < m; k++) sum += g[i * m + k] * g[j * m + k];
      a[i * n + j] = sum / m;
    }
  }
  return { a, b: Float64Array.from({ length: n }, () => rng.normal()) };
}

const { a, b } = wishart();
const x = tla.digitalSolve(a, b);
const inverse = tla.digitalInverse(a);
const lambdaMin = linalg.symmetricEigenRange(a, n).min;

const settings = [
  { name: "heatbath's spacing (2/λ_min)", solve: {}, inverse: {} },
  { name: "thermox's spacing (1 unit)", solve: { interval: 1, beta: 2 }, inverse: { interval: 1 } },
];
const summary = (errors) =>
  `${(errors.reduce((s, e) => s + e, 0) / errors.length).toFixed(3)} (${Math.min(...errors).toFixed(3)}–${Math.max(...errors).toFixed(3)})`;

console.log(
  `λ_min = ${lambdaMin.toFixed(4)}: 2/λ_min = ${(2 / lambdaMin).toFixed(1)} time units; ${seeds} seeds, ${samples} samples each`,
);
console.log("thermox's notebook: solve 0.143, inverse 1.72 at 10⁴ samples 1 unit apart; inverse 0.58 at 10⁵");
for (const s of settings) {
  const solveErrors = [];
  const inverseErrors = [];
  let time = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const solved = tla.solve(a, b, { samples, seed, ...s.solve });
    solveErrors.push(linalg.distance(solved.value, x));
    inverseErrors.push(linalg.distance(tla.inverse(a, { samples, seed, ...s.inverse }).value, inverse));
    time = solved.chains * (solved.deviceTime - solved.burnIn);
  }
  console.log(
    `${s.name}: sampling time ${time.toFixed(0)} units; solve ${summary(solveErrors)}, inverse ${summary(inverseErrors)}`,
  );
}
