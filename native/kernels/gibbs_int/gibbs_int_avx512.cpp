// AVX512BW quantized p-bit kernel: 32 chains (one tile) per vector of int16 fields.
//
// A neighbour's spins are one 32-bit word per tile, loaded straight into a mask register: the field
// starts at h_i - sum_j J_ij (every neighbour down) and a masked add puts 2 J_ij in the lanes where
// neighbour j is up, so a neighbour costs one vector operation per 32 chains, and the index and
// weight loads are shared by the group's tiles. Acceptance uses theta[r] (gibbs_int_kernel.h):
// up iff I >= theta[r], one VPERMI2W per 64 table entries held in registers (b <= 8), else a
// gather. Exactly the scalar kernel's integers, draws and comparisons, hence its bits.
#include <immintrin.h>

#include "../simd/simd_avx512.h"
#include "gibbs_int_kernel.h"

namespace heatbath::kernels {

namespace {

struct Rng16 {
  __m512i s0, s1, s2, s3;

  static Rng16 load(const IntRng& r) {
    return {_mm512_load_si512(r.s[0]), _mm512_load_si512(r.s[1]), _mm512_load_si512(r.s[2]), _mm512_load_si512(r.s[3])};
  }
  void store(IntRng& r) const {
    _mm512_store_si512(r.s[0], s0);
    _mm512_store_si512(r.s[1], s1);
    _mm512_store_si512(r.s[2], s2);
    _mm512_store_si512(r.s[3], s3);
  }
  __m512i next() { return avx512::xoshiroStep16(s0, s1, s2, s3); }
};

// theta[r] for 32 draws: from Chunks 64-entry pieces of the table in registers, or (Chunks == 0)
// by gathering 32-bit words at 2-byte steps and keeping their low halves.
template <int Chunks>
struct ThetaLookup {
  static constexpr int kRegs = Chunks > 0 ? 2 * Chunks : 1;
  __m512i piece[kRegs];
  const int16_t* theta;

  explicit ThetaLookup(const int16_t* table) : theta(table) {
    for (int k = 0; k < kRegs; ++k)
      piece[k] = Chunks > 0 ? _mm512_loadu_si512(table + 32 * k) : _mm512_setzero_si512();
  }

  __m512i operator()(__m512i r) const {
    if constexpr (Chunks == 0) {
      const __m512i lo = _mm512_cvtepu16_epi32(_mm512_castsi512_si256(r));
      const __m512i hi = _mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(r, 1));
      const __m512i thetaLo = _mm512_i32gather_epi32(lo, theta, 2);
      const __m512i thetaHi = _mm512_i32gather_epi32(hi, theta, 2);
      return _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi32_epi16(thetaLo)), _mm512_cvtepi32_epi16(thetaHi),
                                1);
    } else {
      __m512i t = _mm512_permutex2var_epi16(piece[0], r, piece[1]);  // uses the low 6 bits of r
      for (int c = 1; c < Chunks; ++c) {
        const __mmask32 inChunk = _mm512_cmpge_epu16_mask(r, _mm512_set1_epi16(static_cast<int16_t>(64 * c)));
        t = _mm512_mask_mov_epi16(t, inChunk, _mm512_permutex2var_epi16(piece[2 * c], r, piece[2 * c + 1]));
      }
      return t;
    }
  }
};

// acc += w in the lanes of k, in place. Written with the intrinsic, GCC 12 copies every accumulator
// before and after each masked add (8 extra moves per neighbour of a full group).
inline void maskedAdd(__m512i& acc, __mmask32 k, __m512i w) {
  __asm__("vpaddw %[w], %[acc], %[acc]%{%[k]%}" : [acc] "+v"(acc) : [w] "v"(w), [k] "Yk"(k));
}

template <int P, int Chunks>
void sweepGroup(const QuantizedModel& m, const AcceptView& a, const IntGroup& g, int sweeps) {
  const ThetaLookup<Chunks> lookup(a.theta);
  const int bits = a.bits, perStep = 16 / bits;
  const __m512i mask = _mm512_set1_epi16(static_cast<int16_t>((1u << bits) - 1));
  Rng16 rng[P];
  __m512i buffer[P];
  for (int p = 0; p < P; ++p) {
    rng[p] = Rng16::load(g.rng[p]);
    buffer[p] = _mm512_load_si512(g.rng[p].buffer);
  }
  int left = g.rng[0].left;
  uint32_t* const spins = g.spins;
  const int32_t first = m.blockStart[0], end = m.blockStart[m.numBlocks];
  for (int sweep = 0; sweep < sweeps; ++sweep) {
    for (int32_t k = first; k < end; ++k) {
      const int32_t i = m.updateOrder[k];
      __m512i acc[P];
      const __m512i base = _mm512_set1_epi16(m.base[i]);
      for (int p = 0; p < P; ++p)
        acc[p] = base;
      for (int32_t s = m.rowStart[i]; s < m.rowStart[i + 1]; ++s) {
        const uint32_t* sj = spins + int64_t{m.neighbour[s]} * kGroupTiles;
        const __m512i w = _mm512_set1_epi16(m.twiceCoupling[s]);
        for (int p = 0; p < P; ++p)
          maskedAdd(acc[p], _cvtu32_mask32(sj[p]), w);
      }
      if (left == 0) {
        for (int p = 0; p < P; ++p)
          buffer[p] = rng[p].next();
        left = perStep;
      }
      const __m128i shift = _mm_cvtsi32_si128(16 - bits * (perStep - left + 1));
      --left;
      uint32_t* si = spins + int64_t{i} * kGroupTiles;
      for (int p = 0; p < P; ++p) {
        const __m512i r = _mm512_and_si512(_mm512_srl_epi16(buffer[p], shift), mask);
        si[p] = _cvtmask32_u32(_mm512_cmpge_epi16_mask(acc[p], lookup(r)));
      }
    }
  }
  for (int p = 0; p < P; ++p) {
    rng[p].store(g.rng[p]);
    _mm512_store_si512(g.rng[p].buffer, buffer[p]);
    g.rng[p].left = left;
  }
}

template <int Chunks>
void sweepAnyTiles(const QuantizedModel& m, const AcceptView& a, const IntGroup& g, int sweeps) {
  switch (g.tiles) {
    case 1:
      sweepGroup<1, Chunks>(m, a, g, sweeps);
      break;
    case 2:
      sweepGroup<2, Chunks>(m, a, g, sweeps);
      break;
    case 3:
      sweepGroup<3, Chunks>(m, a, g, sweeps);
      break;
    default:
      sweepGroup<4, Chunks>(m, a, g, sweeps);
      break;
  }
}

}  // namespace

void intSweepsAvx512(const QuantizedModel& m, const AcceptView& a, const IntGroup& g, int sweeps) {
  if (a.bits > 16)
    intSweepsScalar(m, a, g, sweeps);
  else if (a.bits <= 6)
    sweepAnyTiles<1>(m, a, g, sweeps);
  else if (a.bits == 7)
    sweepAnyTiles<2>(m, a, g, sweeps);
  else if (a.bits == 8)
    sweepAnyTiles<4>(m, a, g, sweeps);
  else
    sweepAnyTiles<0>(m, a, g, sweeps);
}

}  // namespace heatbath::kernels
