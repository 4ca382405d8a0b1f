// AVX2 quantized p-bit kernel: a tile's 32 chains as two vectors of 16 int16 fields. A neighbour's
// spin bits are spread to lane masks (broadcast, and, compare) selecting 2 J_ij; theta[r] comes
// from gathers. The same integers, draws and comparisons as the scalar kernel, hence its bits.
#include <immintrin.h>

#include "../simd/simd_avx2.h"
#include "gibbs_int_kernel.h"

namespace heatbath::kernels {

namespace {

struct Rng8x2 {
  __m256i s[4][2];

  static Rng8x2 load(const IntRng& r) {
    Rng8x2 v;
    for (int k = 0; k < 4; ++k) {
      for (int h = 0; h < 2; ++h)
        v.s[k][h] = _mm256_load_si256(reinterpret_cast<const __m256i*>(r.s[k] + 8 * h));
    }
    return v;
  }
  void store(IntRng& r) const {
    for (int k = 0; k < 4; ++k) {
      for (int h = 0; h < 2; ++h)
        _mm256_store_si256(reinterpret_cast<__m256i*>(r.s[k] + 8 * h), s[k][h]);
    }
  }
  __m256i next(int h) { return avx2::xoshiroStep8(s[0][h], s[1][h], s[2][h], s[3][h]); }
};

// theta[r] for 16 draws: two gathers of 32-bit words at 2-byte steps, low halves kept.
inline __m256i lookupTheta(const int16_t* theta, __m256i r) {
  auto gather8 = [&](__m128i r8) {
    const __m256i g = _mm256_i32gather_epi32(reinterpret_cast<const int*>(theta), _mm256_cvtepu16_epi32(r8), 2);
    return _mm256_srai_epi32(_mm256_slli_epi32(g, 16), 16);
  };
  const __m256i packed =
      _mm256_packs_epi32(gather8(_mm256_castsi256_si128(r)), gather8(_mm256_extracti128_si256(r, 1)));
  return _mm256_permute4x64_epi64(packed, 0xD8);
}

}  // namespace

void intSweepsAvx2(const QuantizedModel& m, const AcceptView& a, const IntGroup& g, int sweeps) {
  if (a.bits > 16) {
    intSweepsScalar(m, a, g, sweeps);
    return;
  }
  const int bits = a.bits, perStep = 16 / bits;
  const __m256i mask = _mm256_set1_epi16(static_cast<int16_t>((1u << bits) - 1));
  const __m256i laneBit = _mm256_setr_epi16(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384,
                                            static_cast<int16_t>(0x8000));
  const int32_t first = m.blockStart[0], end = m.blockStart[m.numBlocks];
  for (int t = 0; t < g.tiles; ++t) {
    Rng8x2 rng = Rng8x2::load(g.rng[t]);
    __m256i buffer[2] = {_mm256_load_si256(reinterpret_cast<const __m256i*>(g.rng[t].buffer)),
                         _mm256_load_si256(reinterpret_cast<const __m256i*>(g.rng[t].buffer + 8))};
    int left = g.rng[t].left;
    for (int sweep = 0; sweep < sweeps; ++sweep) {
      for (int32_t k = first; k < end; ++k) {
        const int32_t i = m.updateOrder[k];
        __m256i acc[2];
        acc[0] = acc[1] = _mm256_set1_epi16(m.base[i]);
        for (int32_t s = m.rowStart[i]; s < m.rowStart[i + 1]; ++s) {
          const uint32_t word = g.spins[int64_t{m.neighbour[s]} * kGroupTiles + t];
          const __m256i w = _mm256_set1_epi16(m.twiceCoupling[s]);
          for (int h = 0; h < 2; ++h) {
            const __m256i bitsOfHalf = _mm256_set1_epi16(static_cast<int16_t>(word >> (16 * h)));
            const __m256i up = _mm256_cmpeq_epi16(_mm256_and_si256(bitsOfHalf, laneBit), laneBit);
            acc[h] = _mm256_add_epi16(acc[h], _mm256_and_si256(w, up));
          }
        }
        if (left == 0) {
          buffer[0] = rng.next(0);
          buffer[1] = rng.next(1);
          left = perStep;
        }
        const __m128i shift = _mm_cvtsi32_si128(16 - bits * (perStep - left + 1));
        --left;
        __m256i down[2];
        for (int h = 0; h < 2; ++h) {
          const __m256i r = _mm256_and_si256(_mm256_srl_epi16(buffer[h], shift), mask);
          down[h] = _mm256_cmpgt_epi16(lookupTheta(a.theta, r), acc[h]);
        }
        const __m256i bytes = _mm256_permute4x64_epi64(_mm256_packs_epi16(down[0], down[1]), 0xD8);
        g.spins[int64_t{i} * kGroupTiles + t] = ~static_cast<uint32_t>(_mm256_movemask_epi8(bytes));
      }
    }
    rng.store(g.rng[t]);
    _mm256_store_si256(reinterpret_cast<__m256i*>(g.rng[t].buffer), buffer[0]);
    _mm256_store_si256(reinterpret_cast<__m256i*>(g.rng[t].buffer + 8), buffer[1]);
    g.rng[t].left = left;
  }
}

}  // namespace heatbath::kernels
