// The multispin sweep written once over a 512-chain bit vector V and its block generator Gen, so the
// scalar, AVX2 and AVX-512 kernels run the same logical operations and give the same bits.
//
// V offers load/store of kBlockWords words, splat(word), zero(), ones(), ^ & |, xor3, maj (the carry
// of three bits), mux(s, a, b) = s ? a : b bitwise, notAnd(a, b) = ~a & b and stepAtLeast(t, p, g) =
// t ? p & g : p | g (one plane of r >= t, t all ones or all zeros). Gen(BlockRng&) offers
// next() (one plane) and store(BlockRng&).
#pragma once
#include <cstdint>

#include "multispin_kernel.h"

namespace heatbath::kernels {

// r >= th for the b-bit draws in plane[0..bits), least significant plane first: a plane below the
// lowest set bit of th leaves ge all ones.
template <class V>
inline V atLeast(const V* plane, int bits, uint64_t th) {
  if (th >> bits)
    return V::zero();
  V ge = V::ones();
  for (int q = th == 0 ? bits : __builtin_ctzll(th); q < bits; ++q)
    ge = ((th >> q) & 1u) ? (plane[q] & ge) : (plane[q] | ge);
  return ge;
}

// The update of a node with D <= 8 neighbours, all |J_ij| = 1 (±J models): a fixed carry-save network
// and the D + 1 comparisons interleaved plane by plane (independent chains, no branches), all held in
// registers, then a fixed multiplexer tree. Same bits as the general path.
template <int D, class V>
inline V unitUpdate(const MultispinTerm* terms, const uint64_t* spins, const V* plane, int bits,
                    const uint64_t* masks) {
  V x[8];
  for (int j = 0; j < 8; ++j) {
    x[j] = j < D ? V::load(spins + int64_t{terms[j].neighbour} * kBlockWords) ^ V::splat(terms[j].flip) : V::zero();
  }
  const V s1 = xor3(x[0], x[1], x[2]), c1 = maj(x[0], x[1], x[2]);
  const V s2 = xor3(x[3], x[4], x[5]), c2 = maj(x[3], x[4], x[5]);
  const V s3 = xor3(s1, s2, x[6]), c3 = maj(s1, s2, x[6]);
  const V n0 = s3 ^ x[7], c4 = s3 & x[7];
  const V s5 = xor3(c1, c2, c3), c5 = maj(c1, c2, c3);
  const V n1 = s5 ^ c4, c6 = s5 & c4;
  const V n2 = c5 ^ c6, n3 = c5 & c6;
  // ge[n] = (r >= t_n), row n of masks two fields apart.
  const int64_t stride = 2 * int64_t{bits + 1};
  V ge[9];
  for (int n = 0; n <= D; ++n)
    ge[n] = V::splat(masks[n * stride]);
  for (int q = 0; q < bits; ++q) {
    const V p = plane[q];
    for (int n = 0; n <= D; ++n)
      ge[n] = stepAtLeast(V::splat(masks[n * stride + q + 1]), p, ge[n]);
  }
  for (int n = D + 1; n < 9; ++n)
    ge[n] = ge[D];
  const V a0 = mux(n0, ge[1], ge[0]), a1 = mux(n0, ge[3], ge[2]), a2 = mux(n0, ge[5], ge[4]),
          a3 = mux(n0, ge[7], ge[6]);
  const V b0 = mux(n1, a1, a0), b1 = mux(n1, a3, a2);
  return mux(n3, ge[8], mux(n2, b1, b0));
}

// A column holds its terms (at most kMaxMultispinCount) and the carries from the column below.
constexpr int kMaxColumnBits = 2 * (kMaxMultispinCount + 1);

template <class V, class Gen>
void multispinSweeps(const MultispinModel& m, const MultispinAccept& a, const MultispinBlock& b, int sweeps) {
  Gen gen(*b.rng);
  const int bits = a.bits;
  const int32_t first = m.blockStart[0], end = m.blockStart[m.numBlocks];
  uint64_t* const spins = b.spins;
  V list[kMaxColumnBits], carry[kMaxColumnBits], count[kMaxCountBits], plane[32], leaf[kMaxMultispinCount + 1];
  // What a leaf holds: r >= tag for a threshold tag, or a unique mixture (>= 2^40) after a multiplexer.
  uint64_t tag[kMaxMultispinCount + 1];
  for (int sweep = 0; sweep < sweeps; ++sweep) {
    for (int32_t k = first; k < end; ++k) {
      const int32_t i = m.updateOrder[k];
      for (int q = 0; q < bits; ++q)
        plane[q] = gen.next();  // r, least significant plane first
      const int32_t unit = m.unitDegree[i];
      if (unit > 0) {
        const MultispinTerm* terms = m.terms + m.termStart[i];
        const uint64_t* masks = a.masks + int64_t{m.base[i] + a.maskField} * (bits + 1);
        V ge;
        switch (unit) {
          case 8:
            ge = unitUpdate<8>(terms, spins, plane, bits, masks);
            break;
          case 7:
            ge = unitUpdate<7>(terms, spins, plane, bits, masks);
            break;
          case 6:
            ge = unitUpdate<6>(terms, spins, plane, bits, masks);
            break;
          case 5:
            ge = unitUpdate<5>(terms, spins, plane, bits, masks);
            break;
          case 4:
            ge = unitUpdate<4>(terms, spins, plane, bits, masks);
            break;
          case 3:
            ge = unitUpdate<3>(terms, spins, plane, bits, masks);
            break;
          case 2:
            ge = unitUpdate<2>(terms, spins, plane, bits, masks);
            break;
          default:
            ge = unitUpdate<1>(terms, spins, plane, bits, masks);
            break;
        }
        notAnd(ge, V::ones()).store(spins + int64_t{i} * kBlockWords);
        continue;
      }
      // n = sum_j |J_ij| x_j, column by column.
      int32_t t = m.termStart[i];
      const int32_t tEnd = m.termStart[i + 1], countBits = m.countBits[i];
      int carries = 0;
      for (int p = 0; p < countBits; ++p) {
        int n = 0;
        for (int c = 0; c < carries; ++c)
          list[n++] = carry[c];
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
      // ge_n = (r >= t_n) for every count n; equal thresholds share one comparison.
      const int32_t leaves = m.weightSum[i] + 1;
      const uint64_t* thresholds = a.table + (m.base[i] + a.maxField);
      for (int32_t n = 0; n < leaves; ++n) {
        const uint64_t th = thresholds[2 * n];
        tag[n] = th;
        if (n > 0 && th == tag[n - 1]) {
          leaf[n] = leaf[n - 1];
        } else {
          leaf[n] = atLeast(plane, bits, th);
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
