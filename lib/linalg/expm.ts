/**
 * Matrix exponential by Padé approximation with scaling and squaring (Higham, SIAM J. Matrix Anal. Appl.
 * 26, 1179 (2005), Algorithm 2.3): the lowest Padé degree m ∈ {3, 5, 7, 9, 13} whose θ_m bounds ‖A‖₁
 * gives double-precision backward error; beyond θ_13, A is scaled by 2^−s and the result squared s times.
 */
import { luFactor, luSolve } from './lu';
import { identity, multiply, norm1 } from './matrix';

const THETA: Record<3 | 5 | 7 | 9 | 13, number> = {
  3: 1.495585217958292e-2,
  5: 2.53939833006323e-1,
  7: 9.504178996162932e-1,
  9: 2.097847961257068,
  13: 5.371920351148152,
};

const COEFFICIENTS: Record<3 | 5 | 7 | 9 | 13, number[]> = {
  3: [120, 60, 12, 1],
  5: [30240, 15120, 3360, 420, 30, 1],
  7: [17297280, 8648640, 1995840, 277200, 25200, 1512, 56, 1],
  9: [17643225600, 8821612800, 2075673600, 302702400, 30270240, 2162160, 110880, 3960, 90, 1],
  13: [
    64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800, 129060195264000, 10559470521600,
    670442572800, 33522128640, 1323241920, 40840800, 960960, 16380, 182, 1,
  ],
};

/** e^a for a general square a (n × n row-major); a is not modified. */
export function expm(a: Float64Array, n: number): Float64Array {
  const norm = norm1(a, n);
  for (const m of [3, 5, 7, 9] as const) {
    if (norm <= THETA[m]) return padeLowDegree(a, n, m);
  }
  const s = Math.max(0, Math.ceil(Math.log2(norm / THETA[13])));
  const scaled = a.map((v) => v / 2 ** s);
  let x = pade13(scaled, n);
  for (let k = 0; k < s; k++) x = multiply(x, x, n);
  return x;
}

/** r_m(a) for m <= 9: U = a·Σ b_{2k+1} a^{2k}, V = Σ b_{2k} a^{2k}. */
function padeLowDegree(a: Float64Array, n: number, m: 3 | 5 | 7 | 9): Float64Array {
  const b = COEFFICIENTS[m];
  const a2 = multiply(a, a, n);
  const odd = identity(n).map((v) => v * b[1]);
  const even = identity(n).map((v) => v * b[0]);
  let power = a2;
  for (let k = 1; 2 * k <= m; k++) {
    for (let i = 0; i < n * n; i++) {
      odd[i] += b[2 * k + 1] * power[i];
      even[i] += b[2 * k] * power[i];
    }
    if (2 * k + 2 <= m) power = multiply(power, a2, n);
  }
  return ratio(multiply(a, odd, n), even, n);
}

function pade13(a: Float64Array, n: number): Float64Array {
  const b = COEFFICIENTS[13];
  const a2 = multiply(a, a, n);
  const a4 = multiply(a2, a2, n);
  const a6 = multiply(a4, a2, n);
  const nn = n * n;
  const inner = new Float64Array(nn);
  const oddTail = new Float64Array(nn);
  const innerEven = new Float64Array(nn);
  const even = new Float64Array(nn);
  for (let i = 0; i < nn; i++) {
    inner[i] = b[13] * a6[i] + b[11] * a4[i] + b[9] * a2[i];
    oddTail[i] = b[7] * a6[i] + b[5] * a4[i] + b[3] * a2[i];
    innerEven[i] = b[12] * a6[i] + b[10] * a4[i] + b[8] * a2[i];
    even[i] = b[6] * a6[i] + b[4] * a4[i] + b[2] * a2[i];
  }
  for (let i = 0; i < n; i++) {
    oddTail[i * n + i] += b[1];
    even[i * n + i] += b[0];
  }
  const odd = multiply(a6, inner, n);
  const evenHigh = multiply(a6, innerEven, n);
  for (let i = 0; i < nn; i++) {
    odd[i] += oddTail[i];
    even[i] += evenHigh[i];
  }
  return ratio(multiply(a, odd, n), even, n);
}

/** (V − U)⁻¹(V + U). */
function ratio(u: Float64Array, v: Float64Array, n: number): Float64Array {
  const den = new Float64Array(n * n);
  const num = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) {
    den[i] = v[i] - u[i];
    num[i] = v[i] + u[i];
  }
  return luSolve(luFactor(den, n, 'Padé denominator'), num, n);
}
