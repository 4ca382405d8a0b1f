// AVX-512F building blocks for the vector kernels: the steps of simd_avx2.h on 16 lanes, i.e. two
// tiles of kLanes chains side by side. Every step is the same operation as its AVX2 twin (same
// constants, same FMA contractions) or one with the same result, so each lane's result is
// bit-identical to the AVX2 kernel's.
// Only include from translation units compiled with -mavx512f.
#pragma once
#include <immintrin.h>

#include "exp_poly.h"
#include "rng_lanes.h"

namespace heatbath::kernels::avx512 {

// One xoshiro128+ step of sixteen streams (xoshiroStep of rng_lanes.h lane by lane): returns the words.
inline __m512i xoshiroStep16(__m512i& s0, __m512i& s1, __m512i& s2, __m512i& s3) {
  const __m512i result = _mm512_add_epi32(s0, s3);
  const __m512i t = _mm512_slli_epi32(s1, 9);
  s2 = _mm512_xor_si512(s2, s0);
  s3 = _mm512_xor_si512(s3, s1);
  s1 = _mm512_xor_si512(s1, s2);
  s0 = _mm512_xor_si512(s0, s3);
  s2 = _mm512_xor_si512(s2, t);
  s3 = _mm512_rol_epi32(s3, 11);  // one instruction for the rotate AVX2 builds from three
  return result;
}

// xoshiro128+ for the streams of two RngLanes (low half: first, high half: second).
struct VecRng2 {
  __m512i s0, s1, s2, s3;

  static __m512i join(const uint32_t* lo, const uint32_t* hi) {
    const __m256i a = _mm256_load_si256(reinterpret_cast<const __m256i*>(lo));
    const __m256i b = _mm256_load_si256(reinterpret_cast<const __m256i*>(hi));
    return _mm512_inserti64x4(_mm512_castsi256_si512(a), b, 1);
  }
  static void split(__m512i v, uint32_t* lo, uint32_t* hi) {
    _mm256_store_si256(reinterpret_cast<__m256i*>(lo), _mm512_castsi512_si256(v));
    _mm256_store_si256(reinterpret_cast<__m256i*>(hi), _mm512_extracti64x4_epi64(v, 1));
  }

  static VecRng2 load(const RngLanes& a, const RngLanes& b) {
    return {join(a.s[0], b.s[0]), join(a.s[1], b.s[1]), join(a.s[2], b.s[2]), join(a.s[3], b.s[3])};
  }
  void store(RngLanes& a, RngLanes& b) const {
    split(s0, a.s[0], b.s[0]);
    split(s1, a.s[1], b.s[1]);
    split(s2, a.s[2], b.s[2]);
    split(s3, a.s[3], b.s[3]);
  }

  __m512i next() { return xoshiroStep16(s0, s1, s2, s3); }
};

// avx2::uniformOpen on 16 words: float(2k + 1) / 2^25 with k = w >> 8, the division done exactly
// on the exponent field.
inline __m512 uniformOpen(__m512i word) {
  const __m512 twoKPlusOne = _mm512_cvtepi32_ps(_mm512_or_si512(_mm512_srli_epi32(word, 7), _mm512_set1_epi32(1)));
  return _mm512_castsi512_ps(_mm512_sub_epi32(_mm512_castps_si512(twoKPlusOne), _mm512_set1_epi32(25 << 23)));
}

// A broadcast constant kept in a register (see avx2::splat for why).
inline __m512 splat(float value) {
  __m512 v = _mm512_set1_ps(value);
  __asm__ volatile("" : "+v"(v));
  return v;
}

// avx2::expPoly on N vectors of 16 lanes, step for step but the last (same bits).
template <int N>
inline void expPoly(__m512 (&x)[N]) {
  __m512 r[N], p[N], n[N];
  {
    const __m512 lo = splat(-kExpClamp), hi = splat(kExpClamp);
    for (int k = 0; k < N; ++k)
      x[k] = _mm512_min_ps(_mm512_max_ps(x[k], lo), hi);
  }
  {
    const __m512 log2e = splat(kLog2e), magic = splat(12582912.0f);
    for (int k = 0; k < N; ++k) {
      n[k] = _mm512_sub_ps(_mm512_fmadd_ps(x[k], log2e, magic), magic);
    }
  }
  {
    const __m512 ln2Hi = splat(kLn2Hi), ln2Lo = splat(kLn2Lo);
    for (int k = 0; k < N; ++k) {
      r[k] = _mm512_fnmadd_ps(n[k], ln2Hi, x[k]);
      r[k] = _mm512_fnmadd_ps(n[k], ln2Lo, r[k]);
    }
  }
  {
    const __m512 c5 = splat(kExpC5), c4 = splat(kExpC4);
    for (int k = 0; k < N; ++k)
      p[k] = _mm512_fmadd_ps(c5, r[k], c4);
  }
  auto hornerStep = [&](float c) {
    const __m512 ck = splat(c);
    for (int k = 0; k < N; ++k)
      p[k] = _mm512_fmadd_ps(p[k], r[k], ck);
  };
  hornerStep(kExpC3);
  hornerStep(kExpC2);
  hornerStep(kExpC1);
  hornerStep(1.0f);
  // p * 2^n: one scalef instead of the AVX2 kernel's shift and integer add of n to the exponent
  // field, the same bits (|x| <= 80 keeps every result a normal number).
  for (int k = 0; k < N; ++k)
    x[k] = _mm512_scalef_ps(p[k], n[k]);
}

}  // namespace heatbath::kernels::avx512
