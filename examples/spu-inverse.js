// The stochastic processing unit's 8×8 matrix-inversion experiment: program a random symmetric
// positive-definite matrix A into 8 coupled RLC cells, let them fluctuate at temperature kT, and read
// A⁻¹ off the covariance of the charges. Prints the estimate, the exact inverse and the error.
// Run from a checkout after `npm run build`: node examples/spu-inverse.js [samplesPerChain]
'use strict';
const { Spu } = require('../dist/lib/models/spu');
const { SeededRandom } = require('../dist/lib/util/random');

const n = 8;

/** A Wishart matrix MᵀM/m (m = 2n rows of standard normals), the thermox benchmark's kind of A. */
function wishart(seed) {
  const rng = new SeededRandom(seed);
  const m = 2 * n;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float());
  const M = Array.from({ length: m * n }, gauss);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += M[k * n + i] * M[k * n + j];
      A[i * n + j] = s / m;
    }
  }
  // Exactly symmetric in float32, the precision the device is programmed in.
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[i * n + j] = A[j * n + i] = Math.fround(A[j * n + i]);
  for (let i = 0; i < n; i++) A[i * n + i] = Math.fround(A[i * n + i]);
  return A;
}

/** The exact inverse by Gauss–Jordan elimination with partial pivoting (float64). */
function invert(A) {
  const w = 2 * n;
  const t = new Float64Array(n * w);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) t[i * w + j] = A[i * n + j];
    t[i * w + n + i] = 1;
  }
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(t[r * w + c]) > Math.abs(t[p * w + c])) p = r;
    for (let j = 0; j < w; j++) [t[c * w + j], t[p * w + j]] = [t[p * w + j], t[c * w + j]];
    const d = t[c * w + c];
    for (let j = 0; j < w; j++) t[c * w + j] /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = t[r * w + c];
      for (let j = 0; j < w; j++) t[r * w + j] -= f * t[c * w + j];
    }
  }
  return Float64Array.from({ length: n * n }, (_, k) => t[Math.floor(k / n) * w + n + (k % n)]);
}

const frobenius = (x) => Math.sqrt(x.reduce((s, v) => s + v * v, 0));
const show = (label, X) => {
  console.log(label);
  for (let i = 0; i < n; i++) console.log('  ' + Array.from(X.slice(i * n, i * n + n), (v) => v.toFixed(3).padStart(8)).join(''));
};

async function main() {
  const samples = Number(process.argv[2] ?? 2000);
  const A = wishart(4);
  const spu = new Spu({ matrix: A, kT: 1, chains: 16, seed: 1 });
  const result = await spu.inverse({ samples });
  const exact = invert(A);
  const error = frobenius(result.inverse.map((v, k) => v - exact[k])) / frobenius(exact);
  console.log(`SPU: ${n} cells, eigenvalues of A in [${spu.lambdaMin.toFixed(3)}, ${spu.lambdaMax.toFixed(3)}], ` +
    `R = ${spu.resistance.toFixed(3)}, ${result.samples} samples over t = ${result.time.toFixed(0)} per chain, ${result.seconds.toFixed(2)} s`);
  show('estimate of A⁻¹ (charge covariance / kT):', result.inverse);
  show('exact A⁻¹:', exact);
  console.log(`relative error ‖estimate − A⁻¹‖_F / ‖A⁻¹‖_F = ${error.toFixed(4)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
