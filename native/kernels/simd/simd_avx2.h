// AVX2+FMA building blocks shared by the vector kernels: the lane-parallel xoshiro128+ of
// rng_lanes.h and the polynomial exp of exp_poly.h, eight lanes at a time.
// Only include from translation units compiled with -mavx2 -mfma.
#pragma once
#include <immintrin.h>

#include "exp_poly.h"
#include "rng_lanes.h"

namespace heatbath::kernels::avx2 {

// One xoshiro128+ step of eight streams (xoshiroStep of rng_lanes.h lane by lane): returns the words.
inline __m256i xoshiroStep8(__m256i& s0, __m256i& s1, __m256i& s2, __m256i& s3) {
  const __m256i result = _mm256_add_epi32(s0, s3);
  const __m256i t = _mm256_slli_epi32(s1, 9);
  s2 = _mm256_xor_si256(s2, s0);
  s3 = _mm256_xor_si256(s3, s1);
  s1 = _mm256_xor_si256(s1, s2);
  s0 = _mm256_xor_si256(s0, s3);
  s2 = _mm256_xor_si256(s2, t);
  s3 = _mm256_or_si256(_mm256_slli_epi32(s3, 11), _mm256_srli_epi32(s3, 21));
  return result;
}

// xoshiro128+ for the kLanes streams of one RngLanes; bit-identical to nextWord lane by lane.
// Keep it in a local so the four state vectors live in registers across many draws.
struct VecRng {
  __m256i s0, s1, s2, s3;

  static VecRng load(const RngLanes& r) {
    return {_mm256_load_si256(reinterpret_cast<const __m256i*>(r.s[0])),
            _mm256_load_si256(reinterpret_cast<const __m256i*>(r.s[1])),
            _mm256_load_si256(reinterpret_cast<const __m256i*>(r.s[2])),
            _mm256_load_si256(reinterpret_cast<const __m256i*>(r.s[3]))};
  }

  void store(RngLanes& r) const {
    _mm256_store_si256(reinterpret_cast<__m256i*>(r.s[0]), s0);
    _mm256_store_si256(reinterpret_cast<__m256i*>(r.s[1]), s1);
    _mm256_store_si256(reinterpret_cast<__m256i*>(r.s[2]), s2);
    _mm256_store_si256(reinterpret_cast<__m256i*>(r.s[3]), s3);
  }

  __m256i next() { return xoshiroStep8(s0, s1, s2, s3); }
};

// uniformOpen for eight words: (float(w >> 8) + 0.5) / 2^24, bit for bit. With k = w >> 8,
// float(2k + 1) = 2 * float(k + 0.5) (scaling by two commutes with rounding), and 2k + 1 is w >> 7
// with its lowest bit set; the division by 2^25 is exact and done on the exponent field, which
// keeps the conversion off the multiply pipes.
inline __m256 uniformOpen(__m256i word) {
  const __m256 twoKPlusOne = _mm256_cvtepi32_ps(_mm256_or_si256(_mm256_srli_epi32(word, 7), _mm256_set1_epi32(1)));
  return _mm256_castsi256_ps(_mm256_sub_epi32(_mm256_castps_si256(twoKPlusOne), _mm256_set1_epi32(25 << 23)));
}

// A broadcast constant the compiler must materialise in a register where it is called. Without
// this, GCC folds constants into every instruction that uses them as a memory operand, so a step
// applied to N vectors costs N loads instead of one, and load slots are scarce in the kernels.
inline __m256 splat(float value) {
  __m256 v = _mm256_set1_ps(value);
  __asm__ volatile("" : "+x"(v));
  return v;
}

// expPoly for N vectors of eight lanes: same clamp, same Cody-Waite reduction, same polynomial,
// with FMA contraction (x log2 e + magic, the second reduction step and Horner). Evaluated step by
// step across the N vectors so that N independent dependency chains are interleaved in program
// order (one chain is ~17 dependent operations) and each constant is loaded once per step.
// n = round(x log2 e) comes from the 1.5 * 2^23 trick: for |n| < 2^22 the low mantissa bits of
// x log2 e + magic hold n in two's complement, so shifting them up by 23 gives the exponent
// increment without a float-to-int conversion.
template <int N>
inline void expPoly(__m256 (&x)[N]) {
  __m256 r[N], p[N];
  __m256i scale[N];
  {
    const __m256 lo = splat(-kExpClamp), hi = splat(kExpClamp);
    for (int k = 0; k < N; ++k)
      x[k] = _mm256_min_ps(_mm256_max_ps(x[k], lo), hi);
  }
  {
    const __m256 log2e = splat(kLog2e), magic = splat(12582912.0f);
    for (int k = 0; k < N; ++k) {
      const __m256 shifted = _mm256_fmadd_ps(x[k], log2e, magic);
      scale[k] = _mm256_slli_epi32(_mm256_castps_si256(shifted), 23);
      p[k] = _mm256_sub_ps(shifted, magic);  // n, until the polynomial starts
    }
  }
  {
    const __m256 ln2Hi = splat(kLn2Hi), ln2Lo = splat(kLn2Lo);
    for (int k = 0; k < N; ++k) {
      r[k] = _mm256_fnmadd_ps(p[k], ln2Hi, x[k]);  // exact product, as in the scalar
      r[k] = _mm256_fnmadd_ps(p[k], ln2Lo, r[k]);
    }
  }
  {
    const __m256 c5 = splat(kExpC5), c4 = splat(kExpC4);
    for (int k = 0; k < N; ++k)
      p[k] = _mm256_fmadd_ps(c5, r[k], c4);
  }
  auto hornerStep = [&](float c) {
    const __m256 ck = splat(c);
    for (int k = 0; k < N; ++k)
      p[k] = _mm256_fmadd_ps(p[k], r[k], ck);
  };
  hornerStep(kExpC3);
  hornerStep(kExpC2);
  hornerStep(kExpC1);
  hornerStep(1.0f);
  for (int k = 0; k < N; ++k) {
    x[k] = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(p[k]), scale[k]));
  }
}

inline __m256 expPoly(__m256 x) {
  __m256 v[1] = {x};
  expPoly(v);
  return v[0];
}

}  // namespace heatbath::kernels::avx2
