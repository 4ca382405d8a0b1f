// AVX-512F normals (contract in langevin_kernel.h): two 16-normal blocks per step, the words of
// block q in lanes 0-7 and those of block q + 1 in lanes 8-15, drawn in the AVX2 kernel's order.
// Every step is the AVX2 kernel's operation on 16 lanes (same constants and FMA contractions), so
// the normals are bit-identical to normalsAvx2's; AVX-512F alone has no float logic or blendv, so
// those steps are done with masks and integer logic to the same effect.
#include <immintrin.h>

#include "langevin_kernel.h"
#include "normal_poly.h"
#include "simd_avx2.h"

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
  const __m512 u = _mm512_mul_ps(
      _mm512_cvtepi32_ps(_mm512_or_si512(_mm512_srli_epi32(w1, 1), _mm512_set1_epi32(1))), splat16(kTwoPowMinus31));
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

inline __m512i join(__m256i low, __m256i high) { return _mm512_inserti64x4(_mm512_castsi256_si512(low), high, 1); }

}  // namespace

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
