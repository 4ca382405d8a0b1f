// AVX2+FMA Langevin kernels (contract in langevin_kernel.h): Box–Muller eight lanes at a time with
// the polynomials of normal_poly.h, the fused overdamped update, and the sparse product eight
// chains at a time.
#include <algorithm>

#include "langevin_kernel.h"
#include "../simd/normal_poly.h"
#include "../simd/simd_avx2.h"

namespace heatbath::kernels {

namespace {

using avx2::splat;

inline __m256 logPoly8(__m256 u) {
  const __m256i bits = _mm256_castps_si256(u);
  __m256 e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(126)));
  const __m256 m = _mm256_castsi256_ps(
      _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x807FFFFF)), _mm256_set1_epi32(0x3F000000)));
  const __m256 small = _mm256_cmp_ps(m, splat(kSqrtHalf), _CMP_LT_OQ);
  const __m256 one = splat(1.0f);
  e = _mm256_sub_ps(e, _mm256_and_ps(small, one));
  const __m256 x = _mm256_sub_ps(_mm256_add_ps(m, _mm256_and_ps(small, m)), one);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 p = _mm256_fmadd_ps(splat(kLogP0), x, splat(kLogP1));
  p = _mm256_fmadd_ps(p, x, splat(kLogP2));
  p = _mm256_fmadd_ps(p, x, splat(kLogP3));
  p = _mm256_fmadd_ps(p, x, splat(kLogP4));
  p = _mm256_fmadd_ps(p, x, splat(kLogP5));
  p = _mm256_fmadd_ps(p, x, splat(kLogP6));
  p = _mm256_fmadd_ps(p, x, splat(kLogP7));
  p = _mm256_fmadd_ps(p, x, splat(kLogP8));
  __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, x), z);
  y = _mm256_fmadd_ps(e, splat(kLogLn2Lo), y);
  y = _mm256_fnmadd_ps(splat(0.5f), z, y);
  return _mm256_fmadd_ps(e, splat(kLogLn2Hi), _mm256_add_ps(x, y));
}

inline void normalPair8(__m256i w1, __m256i w2, __m256& z1, __m256& z2) {
  const __m256 u = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_or_si256(_mm256_srli_epi32(w1, 1), _mm256_set1_epi32(1))),
                                 splat(kTwoPowMinus31));
  const __m256 r = _mm256_sqrt_ps(_mm256_mul_ps(splat(-2.0f), logPoly8(u)));
  const __m256i k = _mm256_and_si256(_mm256_srli_epi32(w2, 6), _mm256_set1_epi32(0x7FFFFF));
  const __m256 phi = _mm256_fmadd_ps(_mm256_cvtepi32_ps(k), splat(kPhiScale), splat(kPhiOffset));
  const __m256 zz = _mm256_mul_ps(phi, phi);
  __m256 s = _mm256_fmadd_ps(splat(kSinS0), zz, splat(kSinS1));
  s = _mm256_fmadd_ps(s, zz, splat(kSinS2));
  s = _mm256_fmadd_ps(_mm256_mul_ps(s, zz), phi, phi);
  __m256 c = _mm256_fmadd_ps(splat(kCosC0), zz, splat(kCosC1));
  c = _mm256_fmadd_ps(c, zz, splat(kCosC2));
  c = _mm256_fmadd_ps(_mm256_mul_ps(c, zz), zz, _mm256_fnmadd_ps(splat(0.5f), zz, splat(1.0f)));
  __m256 a = _mm256_mul_ps(r, c), b = _mm256_mul_ps(r, s);
  const __m256 swap = _mm256_castsi256_ps(_mm256_srai_epi32(_mm256_slli_epi32(w2, 2), 31));
  const __m256 first = _mm256_blendv_ps(a, b, swap), second = _mm256_blendv_ps(b, a, swap);
  const __m256i signMask = _mm256_set1_epi32(static_cast<int>(0x80000000u));
  z1 = _mm256_xor_ps(first, _mm256_castsi256_ps(_mm256_and_si256(w2, signMask)));
  z2 = _mm256_xor_ps(second, _mm256_castsi256_ps(_mm256_and_si256(_mm256_slli_epi32(w2, 1), signMask)));
}

// Transposes the 8 x 8 block held in r (row q in r[q]).
inline void transpose8(__m256 (&r)[8]) {
  __m256 t[8], u[8];
  for (int q = 0; q < 8; q += 2) {
    t[q] = _mm256_unpacklo_ps(r[q], r[q + 1]);
    t[q + 1] = _mm256_unpackhi_ps(r[q], r[q + 1]);
  }
  for (int q = 0; q < 8; q += 4) {
    u[q] = _mm256_shuffle_ps(t[q], t[q + 2], _MM_SHUFFLE(1, 0, 1, 0));
    u[q + 1] = _mm256_shuffle_ps(t[q], t[q + 2], _MM_SHUFFLE(3, 2, 3, 2));
    u[q + 2] = _mm256_shuffle_ps(t[q + 1], t[q + 3], _MM_SHUFFLE(1, 0, 1, 0));
    u[q + 3] = _mm256_shuffle_ps(t[q + 1], t[q + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int q = 0; q < 4; ++q) {
    r[q] = _mm256_permute2f128_ps(u[q], u[q + 4], 0x20);
    r[q + 4] = _mm256_permute2f128_ps(u[q], u[q + 4], 0x31);
  }
}

// Row i of J times the chain-minor states xt (xt[8 u + c] = x of unit u in chain c), in the
// contract's order; zero past the last unit.
inline __m256 sparseRow8(const SparseCouplings& j, int64_t i, const float* xt) {
  __m256 p0 = _mm256_setzero_ps(), p1 = p0, p2 = p0, p3 = p0;
  if (i >= j.n)
    return p0;
  const int32_t end = j.rowPtr[i + 1];
  int32_t k = j.rowPtr[i];
  auto term = [&](int32_t e, __m256 part) {
    return _mm256_fmadd_ps(_mm256_broadcast_ss(j.values + e), _mm256_load_ps(xt + 8 * int64_t{j.cols[e]}), part);
  };
  for (; k + 4 <= end; k += 4) {
    p0 = term(k, p0);
    p1 = term(k + 1, p1);
    p2 = term(k + 2, p2);
    p3 = term(k + 3, p3);
  }
  for (; k < end; ++k)
    p0 = term(k, p0);
  return _mm256_add_ps(_mm256_add_ps(p0, p1), _mm256_add_ps(p2, p3));
}

}  // namespace

void sparseProductAvx2(const SparseCouplings& j, const float* x, int64_t rows, int64_t ld, bool accumulate, float* out,
                       float* scratch) {
  // Each edge is one broadcast weight times eight chains' states: the state is transposed to
  // chain-minor order first, and the sums are transposed back eight units at a time.
  for (int64_t g = 0; g < rows; g += kSparseChains) {
    const int64_t width = std::min(kSparseChains, rows - g);
    const float* xg = x + g * ld;
    float* og = out + g * ld;
    for (int64_t u = 0; u < j.n; u += 8) {
      __m256 block[8];
      for (int64_t c = 0; c < 8; ++c)
        block[c] = c < width ? _mm256_loadu_ps(xg + c * ld + u) : _mm256_setzero_ps();
      transpose8(block);
      for (int q = 0; q < 8; ++q)
        _mm256_store_ps(scratch + 8 * (u + q), block[q]);
    }
    for (int64_t i = 0; i < ld; i += 8) {
      __m256 sums[8];
      for (int q = 0; q < 8; ++q)
        sums[q] = sparseRow8(j, i + q, scratch);
      transpose8(sums);
      for (int64_t c = 0; c < width; ++c) {
        float* o = og + c * ld + i;
        _mm256_storeu_ps(o, _mm256_add_ps(accumulate ? _mm256_loadu_ps(o) : _mm256_setzero_ps(), sums[c]));
      }
    }
  }
}

void normalsAvx2(RngLanes& rng, float* out, int64_t blocks) {
  avx2::VecRng v = avx2::VecRng::load(rng);
  for (int64_t q = 0; q < blocks; ++q) {
    const __m256i w1 = v.next(), w2 = v.next();
    __m256 z1, z2;
    normalPair8(w1, w2, z1, z2);
    _mm256_storeu_ps(out + 16 * q, z1);
    _mm256_storeu_ps(out + 16 * q + 8, z2);
  }
  v.store(rng);
}

namespace {

inline __m256d lowHalf(__m256 v) {
  return _mm256_cvtps_pd(_mm256_castps256_ps128(v));
}
inline __m256d highHalf(__m256 v) {
  return _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
}

inline double sumLanes(__m256d v) {
  alignas(32) double lane[4];
  _mm256_store_pd(lane, v);
  return (lane[0] + lane[1]) + (lane[2] + lane[3]);
}

template <bool kHeat>
bool overdampedRow(const OverdampedRow& r) {
  const __m256 s = _mm256_set1_ps(r.couplingScale), fs = _mm256_set1_ps(r.fieldScale);
  const __m256 muDt = _mm256_set1_ps(r.muDt), sigma = _mm256_set1_ps(r.sigma), half = _mm256_set1_ps(0.5f);
  const __m256 midFs = _mm256_set1_ps(r.midFieldScale);
  const __m256 infinity = _mm256_set1_ps(__builtin_inff());
  __m256 bad = _mm256_setzero_ps();
  __m256d work0 = _mm256_setzero_pd(), work1 = work0, dot0 = work0, dot1 = work0;
  for (int64_t i = 0; i < r.n; i += 8) {
    const __m256 x = _mm256_loadu_ps(r.x + i);
    const __m256 p = r.product != nullptr ? _mm256_loadu_ps(r.product + i) : _mm256_setzero_ps();
    const __m256 a = _mm256_loadu_ps(r.a + i), c = _mm256_loadu_ps(r.c + i), h = _mm256_loadu_ps(r.h + i);
    __m256 force = _mm256_fmadd_ps(s, p, h);
    force = _mm256_fnmadd_ps(a, x, force);
    force = _mm256_fnmadd_ps(_mm256_mul_ps(c, x), _mm256_mul_ps(x, x), force);
    if (r.field != nullptr)
      force = _mm256_fmadd_ps(fs, _mm256_loadu_ps(r.field + i), force);
    __m256 w = _mm256_loadu_ps(r.noise + i);
    if (r.prev != nullptr) {
      const __m256 xi = w;
      w = _mm256_mul_ps(half, _mm256_add_ps(w, _mm256_loadu_ps(r.prev + i)));
      _mm256_storeu_ps(r.prev + i, xi);
    }
    const __m256 move = _mm256_fmadd_ps(muDt, force, _mm256_mul_ps(sigma, w));
    const __m256 next = _mm256_fmadd_ps(_mm256_loadu_ps(r.free + i), move, x);
    // |next| < inf is false for infinities and NaN alike.
    bad = _mm256_or_ps(bad, _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), next), infinity, _CMP_NLT_UQ));
    _mm256_storeu_ps(r.x + i, next);
    if (kHeat) {
      const __m256 m = _mm256_mul_ps(half, _mm256_add_ps(x, next)), dx = _mm256_sub_ps(next, x);
      __m256 onsite = _mm256_fnmadd_ps(a, m, h);
      onsite = _mm256_fnmadd_ps(_mm256_mul_ps(c, m), _mm256_mul_ps(m, m), onsite);
      if (r.field != nullptr)
        onsite = _mm256_fmadd_ps(midFs, _mm256_loadu_ps(r.field + i), onsite);
      const __m256 term = _mm256_mul_ps(onsite, dx);
      work0 = _mm256_add_pd(work0, lowHalf(term));
      work1 = _mm256_add_pd(work1, highHalf(term));
      dot0 = _mm256_fmadd_pd(lowHalf(x), lowHalf(p), dot0);
      dot1 = _mm256_fmadd_pd(highHalf(x), highHalf(p), dot1);
    }
  }
  if (kHeat)
    *r.heat = {sumLanes(_mm256_add_pd(work0, work1)), sumLanes(_mm256_add_pd(dot0, dot1))};
  return _mm256_movemask_ps(bad) == 0;
}

}  // namespace

bool overdampedStepAvx2(const OverdampedRow& r) {
  return r.heat != nullptr ? overdampedRow<true>(r) : overdampedRow<false>(r);
}

}  // namespace heatbath::kernels
