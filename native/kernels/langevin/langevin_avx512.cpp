// AVX-512F Langevin kernels (contract in langevin_kernel.h), bit-identical to the AVX2 ones: every
// step is the AVX2 kernel's operation on 16 lanes (same constants and FMA contractions); AVX-512F
// alone has no float logic or blendv, so those steps use masks and integer logic to the same effect.
// Normals: two 16-normal blocks per step, the words of block q in lanes 0-7 and those of block q + 1
// in lanes 8-15, drawn in the AVX2 kernel's order. The overdamped step: 16 units per iteration, its
// float64 heat sums kept as the AVX2 kernel's two 4-lane accumulators side by side in one register
// and fed in the same order (the first 8 units, then the next 8).
#include <immintrin.h>

#include "langevin_kernel.h"
#include "../simd/normal_poly.h"
#include "../simd/simd_avx2.h"

namespace heatbath::kernels {

namespace {

inline __m512 splat16(float value) {
  __m512 v = _mm512_set1_ps(value);
  __asm__ volatile("" : "+v"(v));
  return v;
}

inline __m512 logPoly16(__m512 u) {
  const __m512i bits = _mm512_castps_si512(u);
  __m512 e = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_srli_epi32(bits, 23), _mm512_set1_epi32(126)));
  const __m512 m = _mm512_castsi512_ps(
      _mm512_or_si512(_mm512_and_si512(bits, _mm512_set1_epi32(0x807FFFFF)), _mm512_set1_epi32(0x3F000000)));
  const __mmask16 small = _mm512_cmp_ps_mask(m, splat16(kSqrtHalf), _CMP_LT_OQ);
  const __m512 one = splat16(1.0f);
  // The AVX2 kernel subtracts and adds masked values (0 where not small): x - 0 and m + 0 are exact.
  e = _mm512_mask_sub_ps(e, small, e, one);
  const __m512 x = _mm512_sub_ps(_mm512_mask_add_ps(m, small, m, m), one);
  const __m512 z = _mm512_mul_ps(x, x);
  __m512 p = _mm512_fmadd_ps(splat16(kLogP0), x, splat16(kLogP1));
  p = _mm512_fmadd_ps(p, x, splat16(kLogP2));
  p = _mm512_fmadd_ps(p, x, splat16(kLogP3));
  p = _mm512_fmadd_ps(p, x, splat16(kLogP4));
  p = _mm512_fmadd_ps(p, x, splat16(kLogP5));
  p = _mm512_fmadd_ps(p, x, splat16(kLogP6));
  p = _mm512_fmadd_ps(p, x, splat16(kLogP7));
  p = _mm512_fmadd_ps(p, x, splat16(kLogP8));
  __m512 y = _mm512_mul_ps(_mm512_mul_ps(p, x), z);
  y = _mm512_fmadd_ps(e, splat16(kLogLn2Lo), y);
  y = _mm512_fnmadd_ps(splat16(0.5f), z, y);
  return _mm512_fmadd_ps(e, splat16(kLogLn2Hi), _mm512_add_ps(x, y));
}

inline __m512 flipSign16(__m512 v, __m512i signSource) {
  const __m512i sign = _mm512_and_si512(signSource, _mm512_set1_epi32(static_cast<int>(0x80000000u)));
  return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(v), sign));
}

inline void normalPair16(__m512i w1, __m512i w2, __m512& z1, __m512& z2) {
  const __m512 u = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_or_si512(_mm512_srli_epi32(w1, 1), _mm512_set1_epi32(1))),
                                 splat16(kTwoPowMinus31));
  const __m512 r = _mm512_sqrt_ps(_mm512_mul_ps(splat16(-2.0f), logPoly16(u)));
  const __m512i k = _mm512_and_si512(_mm512_srli_epi32(w2, 6), _mm512_set1_epi32(0x7FFFFF));
  const __m512 phi = _mm512_fmadd_ps(_mm512_cvtepi32_ps(k), splat16(kPhiScale), splat16(kPhiOffset));
  const __m512 zz = _mm512_mul_ps(phi, phi);
  __m512 s = _mm512_fmadd_ps(splat16(kSinS0), zz, splat16(kSinS1));
  s = _mm512_fmadd_ps(s, zz, splat16(kSinS2));
  s = _mm512_fmadd_ps(_mm512_mul_ps(s, zz), phi, phi);
  __m512 c = _mm512_fmadd_ps(splat16(kCosC0), zz, splat16(kCosC1));
  c = _mm512_fmadd_ps(c, zz, splat16(kCosC2));
  c = _mm512_fmadd_ps(_mm512_mul_ps(c, zz), zz, _mm512_fnmadd_ps(splat16(0.5f), zz, splat16(1.0f)));
  const __m512 a = _mm512_mul_ps(r, c), b = _mm512_mul_ps(r, s);
  const __mmask16 swap = _mm512_test_epi32_mask(w2, _mm512_set1_epi32(1 << 29));
  z1 = flipSign16(_mm512_mask_blend_ps(swap, a, b), w2);
  z2 = flipSign16(_mm512_mask_blend_ps(swap, b, a), _mm512_slli_epi32(w2, 1));
}

inline __m512i join(__m256i low, __m256i high) {
  return _mm512_inserti64x4(_mm512_castsi256_si512(low), high, 1);
}

inline __m256 lowHalf(__m512 v) {
  return _mm512_castps512_ps256(v);
}
inline __m256 highHalf(__m512 v) {
  return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
}

// The AVX2 kernel's final sum of its accumulators lo (lanes 0-3) and hi (4-7): ((lo + hi) lanes 0 + 1) + (2 + 3).
inline double sumLanes(__m512d v) {
  alignas(32) double lane[4];
  _mm256_store_pd(lane, _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1)));
  return (lane[0] + lane[1]) + (lane[2] + lane[3]);
}

template <bool kHeat>
bool overdampedRow(const OverdampedRow& r) {
  const __m512 s = _mm512_set1_ps(r.couplingScale), fs = _mm512_set1_ps(r.fieldScale);
  const __m512 muDt = _mm512_set1_ps(r.muDt), sigma = _mm512_set1_ps(r.sigma), half = _mm512_set1_ps(0.5f);
  const __m512 midFs = _mm512_set1_ps(r.midFieldScale);
  const __m512 infinity = _mm512_set1_ps(__builtin_inff());
  const __m512i magnitude = _mm512_set1_epi32(0x7FFFFFFF);
  __mmask16 bad = 0;
  __m512d work = _mm512_setzero_pd(), dot = work;
  for (int64_t i = 0; i < r.n; i += 16) {
    const __m512 x = _mm512_loadu_ps(r.x + i);
    const __m512 p = r.product != nullptr ? _mm512_loadu_ps(r.product + i) : _mm512_setzero_ps();
    const __m512 a = _mm512_loadu_ps(r.a + i), c = _mm512_loadu_ps(r.c + i), h = _mm512_loadu_ps(r.h + i);
    __m512 force = _mm512_fmadd_ps(s, p, h);
    force = _mm512_fnmadd_ps(a, x, force);
    force = _mm512_fnmadd_ps(_mm512_mul_ps(c, x), _mm512_mul_ps(x, x), force);
    if (r.field != nullptr)
      force = _mm512_fmadd_ps(fs, _mm512_loadu_ps(r.field + i), force);
    __m512 w = _mm512_loadu_ps(r.noise + i);
    if (r.prev != nullptr) {
      const __m512 xi = w;
      w = _mm512_mul_ps(half, _mm512_add_ps(w, _mm512_loadu_ps(r.prev + i)));
      _mm512_storeu_ps(r.prev + i, xi);
    }
    const __m512 move = _mm512_fmadd_ps(muDt, force, _mm512_mul_ps(sigma, w));
    const __m512 next = _mm512_fmadd_ps(_mm512_loadu_ps(r.free + i), move, x);
    // |next| < inf is false for infinities and NaN alike.
    const __m512 size = _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(next), magnitude));
    bad = static_cast<__mmask16>(bad | _mm512_cmp_ps_mask(size, infinity, _CMP_NLT_UQ));
    _mm512_storeu_ps(r.x + i, next);
    if (kHeat) {
      const __m512 m = _mm512_mul_ps(half, _mm512_add_ps(x, next)), dx = _mm512_sub_ps(next, x);
      __m512 onsite = _mm512_fnmadd_ps(a, m, h);
      onsite = _mm512_fnmadd_ps(_mm512_mul_ps(c, m), _mm512_mul_ps(m, m), onsite);
      if (r.field != nullptr)
        onsite = _mm512_fmadd_ps(midFs, _mm512_loadu_ps(r.field + i), onsite);
      const __m512 term = _mm512_mul_ps(onsite, dx);
      work = _mm512_add_pd(work, _mm512_cvtps_pd(lowHalf(term)));
      work = _mm512_add_pd(work, _mm512_cvtps_pd(highHalf(term)));
      dot = _mm512_fmadd_pd(_mm512_cvtps_pd(lowHalf(x)), _mm512_cvtps_pd(lowHalf(p)), dot);
      dot = _mm512_fmadd_pd(_mm512_cvtps_pd(highHalf(x)), _mm512_cvtps_pd(highHalf(p)), dot);
    }
  }
  if (kHeat)
    *r.heat = {sumLanes(work), sumLanes(dot)};
  return bad == 0;
}

}  // namespace

bool overdampedStepAvx512(const OverdampedRow& r) {
  return r.heat != nullptr ? overdampedRow<true>(r) : overdampedRow<false>(r);
}

void normalsAvx512(RngLanes& rng, float* out, int64_t blocks) {
  avx2::VecRng v = avx2::VecRng::load(rng);
  int64_t q = 0;
  for (; q + 2 <= blocks; q += 2) {
    const __m256i w1a = v.next(), w2a = v.next(), w1b = v.next(), w2b = v.next();
    __m512 z1, z2;
    normalPair16(join(w1a, w1b), join(w2a, w2b), z1, z2);
    // Block q is (z1, z2) lanes 0-7, block q + 1 lanes 8-15.
    _mm512_storeu_ps(out + 16 * q, _mm512_shuffle_f32x4(z1, z2, _MM_SHUFFLE(1, 0, 1, 0)));
    _mm512_storeu_ps(out + 16 * q + 16, _mm512_shuffle_f32x4(z1, z2, _MM_SHUFFLE(3, 2, 3, 2)));
  }
  if (q < blocks) {
    const __m256i w1 = v.next(), w2 = v.next();
    __m512 z1, z2;
    normalPair16(join(w1, w1), join(w2, w2), z1, z2);
    _mm512_storeu_ps(out + 16 * q, _mm512_shuffle_f32x4(z1, z2, _MM_SHUFFLE(1, 0, 1, 0)));
  }
  v.store(rng);
}

}  // namespace heatbath::kernels
