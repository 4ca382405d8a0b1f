// The multispin sweep written once over a 512-chain bit vector V and its block generator Gen, so the
// scalar, AVX2 and AVX-512 kernels run the same logical operations and give the same bits.
//
// V offers load/store of kBlockWords words, splat(word), zero(), ones(), ^ & |, xor3, maj (the carry
// of three bits), mux(s, a, b) = s ? a : b bitwise, and notAnd(a, b) = ~a & b. Gen(BlockRng&) offers
// next() (one plane) and store(BlockRng&).
#pragma once
#include <cstdint>

#include "multispin_kernel.h"

namespace heatbath::kernels {

// A column holds its terms (at most kMaxMultispinCount) and the carries from the column below.
constexpr int kMaxColumnBits = 2 * (kMaxMultispinCount + 1);

template <class V, class Gen>
void multispinSweeps(const MultispinModel& m, const MultispinAccept& a, const MultispinBlock& b, int sweeps) {
  Gen gen(*b.rng);
  const int bits = a.bits;
  const uint64_t never = uint64_t{1} << bits;  // a threshold this high accepts every draw
  const int32_t first = m.blockStart[0], end = m.blockStart[m.numBlocks];
  uint64_t* const spins = b.spins;
  V list[kMaxColumnBits], carry[kMaxColumnBits], count[kMaxCountBits], plane[32], leaf[kMaxMultispinCount + 1];
  // What a leaf holds: r >= tag for a threshold tag, or a unique mixture (>= 2^40) after a multiplexer.
  uint64_t tag[kMaxMultispinCount + 1];
  for (int sweep = 0; sweep < sweeps; ++sweep) {
    for (int32_t k = first; k < end; ++k) {
      const int32_t i = m.updateOrder[k];
      // n = sum_j |J_ij| x_j, column by column.
      int32_t t = m.termStart[i];
      const int32_t tEnd = m.termStart[i + 1], countBits = m.countBits[i];
      int carries = 0;
      for (int p = 0; p < countBits; ++p) {
        int n = 0;
        for (int c = 0; c < carries; ++c) list[n++] = carry[c];
        carries = 0;
        for (; t < tEnd && m.terms[t].column == p; ++t) {
          list[n++] = V::load(spins + int64_t{m.terms[t].neighbour} * kBlockWords) ^ V::splat(m.terms[t].flip);
        }
        while (n >= 3) {
          const V x = list[n - 3], y = list[n - 2], z = list[n - 1];
          list[n - 3] = xor3(x, y, z);
          carry[carries++] = maj(x, y, z);
          n -= 2;
        }
        if (n == 2) {
          carry[carries++] = list[0] & list[1];
          list[0] = list[0] ^ list[1];
        }
        count[p] = n > 0 ? list[0] : V::zero();
      }
      // r, least significant plane first.
      for (int q = 0; q < bits; ++q) plane[q] = gen.next();
      // ge_n = (r >= t_n) for every count n; equal thresholds share one comparison.
      const int32_t leaves = m.weightSum[i] + 1;
      const uint64_t* thresholds = a.table + (m.base[i] + a.maxField);
      for (int32_t n = 0; n < leaves; ++n) {
        const uint64_t th = thresholds[2 * n];
        tag[n] = th;
        if (n > 0 && th == tag[n - 1]) {
          leaf[n] = leaf[n - 1];
        } else if (th >= never) {
          leaf[n] = V::zero();
        } else {
          V ge = V::ones();  // planes below the lowest set bit of th leave it all ones
          for (int q = th == 0 ? bits : __builtin_ctzll(th); q < bits; ++q) {
            ge = ((th >> q) & 1u) ? (plane[q] & ge) : (plane[q] | ge);
          }
          leaf[n] = ge;
        }
      }
      // Pick ge_n by the bits of n, lowest first.
      uint64_t mixture = uint64_t{1} << 40;
      for (int32_t p = 0, width = leaves; p < countBits; ++p) {
        const int32_t half = (width + 1) / 2;
        for (int32_t j = 0; j < half; ++j) {
          if (2 * j + 1 < width && tag[2 * j] != tag[2 * j + 1]) {
            leaf[j] = mux(count[p], leaf[2 * j + 1], leaf[2 * j]);
            tag[j] = mixture++;
          } else {
            leaf[j] = leaf[2 * j];
            tag[j] = tag[2 * j];
          }
        }
        width = half;
      }
      notAnd(leaf[0], V::ones()).store(spins + int64_t{i} * kBlockWords);  // up where r < t_n
    }
  }
  gen.store(*b.rng);
}

}  // namespace heatbath::kernels
