// AVX2 multispin kernel: a block as two 256-bit registers; the generator's 16 streams as two sets of 8.
#include <immintrin.h>

#include "multispin_sweep.h"

namespace heatbath::kernels {

namespace {

struct Pair {
  __m256i lo, hi;

  static Pair load(const uint64_t* p) {
    return {_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)),
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 4))};
  }
  void store(uint64_t* p) const {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), lo);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p + 4), hi);
  }
  static Pair splat(uint64_t x) {
    const __m256i v = _mm256_set1_epi64x(static_cast<long long>(x));
    return {v, v};
  }
  static Pair zero() { return {_mm256_setzero_si256(), _mm256_setzero_si256()}; }
  static Pair ones() { return splat(~uint64_t{0}); }
  friend Pair operator^(const Pair& a, const Pair& b) {
    return {_mm256_xor_si256(a.lo, b.lo), _mm256_xor_si256(a.hi, b.hi)};
  }
  friend Pair operator&(const Pair& a, const Pair& b) {
    return {_mm256_and_si256(a.lo, b.lo), _mm256_and_si256(a.hi, b.hi)};
  }
  friend Pair operator|(const Pair& a, const Pair& b) {
    return {_mm256_or_si256(a.lo, b.lo), _mm256_or_si256(a.hi, b.hi)};
  }
  friend Pair notAnd(const Pair& a, const Pair& b) {
    return {_mm256_andnot_si256(a.lo, b.lo), _mm256_andnot_si256(a.hi, b.hi)};
  }
  // t is all ones or all zeros per byte, so a byte blend picks p & g or p | g.
  friend Pair stepAtLeast(const Pair& t, const Pair& p, const Pair& g) {
    const Pair both = p & g, either = p | g;
    return {_mm256_blendv_epi8(either.lo, both.lo, t.lo), _mm256_blendv_epi8(either.hi, both.hi, t.hi)};
  }
  friend Pair xor3(const Pair& a, const Pair& b, const Pair& c) { return a ^ b ^ c; }
  friend Pair maj(const Pair& a, const Pair& b, const Pair& c) { return (a & b) | (c & (a ^ b)); }
  friend Pair mux(const Pair& s, const Pair& a, const Pair& b) { return b ^ (s & (a ^ b)); }
};

struct Streams8 {
  __m256i s0, s1, s2, s3;
  __m256i next() {
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
};

struct Avx2Gen {
  Streams8 half[2];
  explicit Avx2Gen(const BlockRng& r) {
    for (int h = 0; h < 2; ++h) {
      auto at = [&](int k) { return _mm256_load_si256(reinterpret_cast<const __m256i*>(r.s[k] + 8 * h)); };
      half[h] = {at(0), at(1), at(2), at(3)};
    }
  }
  Pair next() { return {half[0].next(), half[1].next()}; }
  void store(BlockRng& r) const {
    for (int h = 0; h < 2; ++h) {
      const __m256i* s[4] = {&half[h].s0, &half[h].s1, &half[h].s2, &half[h].s3};
      for (int k = 0; k < 4; ++k)
        _mm256_store_si256(reinterpret_cast<__m256i*>(r.s[k] + 8 * h), *s[k]);
    }
  }
};

}  // namespace

void multispinSweepsAvx2(const MultispinModel& m, const MultispinAccept& a, const MultispinBlock& b, int sweeps) {
  multispinSweeps<Pair, Avx2Gen>(m, a, b, sweeps);
}

}  // namespace heatbath::kernels
