// The stochastic processing unit's 8×8 matrix-inversion experiment: program a random symmetric
// positive-definite matrix A into 8 coupled RLC cells, let them fluctuate at temperature kT, and read
// A⁻¹ off the covariance of the charges. Prints the estimate, the exact inverse and the error.
// Run from a checkout after `npm run build`: node examples/spu-inverse.js [samplesPerChain]
'use strict';
const { Spu, tla } = require('../dist/lib');
const { SeededRandom } = require('../dist/lib/util/random');

const n = 8;

/** A Wishart matrix MᵀM/m (m = 2n rows of standard normals), the thermox benchmark's kind of A. */
function wishart(seed) {
  const rng = new SeededRandom(seed);
  const m = 2 * n;
  const M = Array.from({ length: m * n }, () => rng.normal());
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

const frobenius = (x) => Math.sqrt(x.reduce((s, v) => s + v * v, 0));
const show = (label, X) => {
  console.log(label);
  for (let i = 0; i < n; i++)
    console.log('  ' + Array.from(X.slice(i * n, i * n + n), (v) => v.toFixed(3).padStart(8)).join(''));
};

async function main() {
  const samples = Number(process.argv[2] ?? 2000);
  const A = wishart(4);
  const spu = new Spu({ matrix: A, kT: 1, chains: 16, seed: 1 });
  const result = await spu.inverse({ samples });
  const exact = tla.digitalInverse(A); // Cholesky, float64
  const error = frobenius(result.inverse.map((v, k) => v - exact[k])) / frobenius(exact);
  console.log(
    `SPU: ${n} cells, eigenvalues of A in [${spu.lambdaMin.toFixed(3)}, ${spu.lambdaMax.toFixed(3)}], ` +
      `R = ${spu.resistance.toFixed(3)}, ${result.samples} samples over t = ${result.time.toFixed(0)} per chain, ${result.seconds.toFixed(2)} s`,
  );
  show('estimate of A⁻¹ (charge covariance / kT):', result.inverse);
  show('exact A⁻¹:', exact);
  console.log(`relative error ‖estimate − A⁻¹‖_F / ‖A⁻¹‖_F = ${error.toFixed(4)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
