// AVX-512F block-Gibbs kernel: one __m512 holds one node's spins across two tiles (16 chains).
//
// The same algorithm as gibbs_avx2.cpp, operation for operation, on vectors twice as wide: each
// lane sees the same field (same FMA order), the same exp steps and the same words of its stream,
// so the samples are bit-identical to the AVX2 kernel's (the tests check this). Halving the
// instruction count per flip is the point: the AVX2 kernel is bound by issue slots (~45 vector
// operations per 8 flips), not by memory, once the spins are in cache.
//
// Two tiles share a vector only where the driver's layout puts them side by side (tile t + 1's
// spins start kLanes floats after tile t's, same stride) and the model has neighbour offsets for
// that stride; any other tile goes to the AVX2 kernel, which is exact because tiles are independent.
#include <algorithm>

#include "gibbs_kernel.h"
#include "../simd/simd_avx512.h"
#include "../simd/unroll_degree.h"

namespace heatbath::kernels {

namespace {

using avx512::splat;
using avx512::VecRng2;

// Node-pair updates whose exp chains are interleaved: 8, not the AVX2 kernel's 4, because with 32
// vector registers 8 chains fit and hide more of the ~60-cycle latency of one exp + accept chain.
constexpr int kGroupItems = 8;

// acc0 += w0 * spins at j0 and acc1 += w1 * spins at j1 in all P tile pairs.
template <int P>
inline void addNeighbourPair(float* const* spin, int64_t j0, int64_t j1, float w0, float w1, __m512* acc0,
                             __m512* acc1) {
  const __m512 v0 = _mm512_set1_ps(w0), v1 = _mm512_set1_ps(w1);
  for (int p = 0; p < P; ++p) {
    acc0[p] = _mm512_fmadd_ps(v0, _mm512_loadu_ps(spin[p] + j0), acc0[p]);
    acc1[p] = _mm512_fmadd_ps(v1, _mm512_loadu_ps(spin[p] + j1), acc1[p]);
  }
}

// Updates NG consecutive nodes of one block in all P tile pairs (G = NG * P items). Every node has
// at least D neighbours (exactly D if kExact): the field loops unroll D of them.
template <int P, int NG, int D, bool kExact>
inline void updateGroup(const SparseModel& m, float* const* spin, const int32_t* order, VecRng2* rng,
                        __m512 minusTwoBeta) {
  constexpr int G = NG * P;
  __m512 x[G];
  const int32_t* offset = m.slotOffset;
  const float* w = m.coupling;
#pragma GCC unroll 8
  for (int g = 0; g < NG; ++g) {
    const int32_t i = order[g];
    int32_t s = m.rowStart[i];
    const int32_t end = kExact ? s + D : m.rowStart[i + 1];
    // Same two-accumulator split as the AVX2 kernel (even slots, odd slots), so the field rounds
    // identically.
    __m512 acc0[P], acc1[P];
    for (int p = 0; p < P; ++p) {
      acc0[p] = _mm512_set1_ps(m.bias[i]);
      acc1[p] = _mm512_setzero_ps();
    }
#pragma GCC unroll 16
    for (int k = 0; k < D / 2; ++k, s += 2)
      addNeighbourPair<P>(spin, offset[s], offset[s + 1], w[s], w[s + 1], acc0, acc1);
    if (!kExact) {
      for (; s + 2 <= end; s += 2)
        addNeighbourPair<P>(spin, offset[s], offset[s + 1], w[s], w[s + 1], acc0, acc1);
    }
    if (s < end) {
      const __m512 w0 = _mm512_set1_ps(w[s]);
      for (int p = 0; p < P; ++p)
        acc0[p] = _mm512_fmadd_ps(w0, _mm512_loadu_ps(spin[p] + offset[s]), acc0[p]);
    }
    for (int p = 0; p < P; ++p)
      x[g * P + p] = _mm512_mul_ps(minusTwoBeta, _mm512_add_ps(acc0[p], acc1[p]));
  }
  // Each pair's stream gives the group's nodes their uniforms in update order, as the AVX2 kernel's
  // batches do. Drawn here rather than in batches ahead, the RNG's integer work overlaps the field
  // loads and FMAs around it: 6-8 % more flips/ns on Zen 5.
  __m512 uniform[G];
  for (int g = 0; g < NG; ++g) {
    for (int p = 0; p < P; ++p)
      uniform[g * P + p] = avx512::uniformOpen(rng[p].next());
  }
  avx512::expPoly(x);
  const __m512 one = splat(1.0f), minusOne = splat(-1.0f);
  for (int g = 0; g < NG; ++g) {
    const int64_t at = int64_t{order[g]} * m.slotStride;
    for (int p = 0; p < P; ++p) {
      const __m512 u = uniform[g * P + p];
      const __mmask16 up = _mm512_cmp_ps_mask(_mm512_mul_ps(u, x[g * P + p]), _mm512_sub_ps(one, u), _CMP_LT_OQ);
      _mm512_storeu_ps(spin[p] + at, _mm512_mask_blend_ps(up, minusOne, one));
    }
  }
}

// P pairs of adjacent tiles: pair p is tiles[2p] (low lanes) and tiles[2p + 1] (high lanes).
template <int P, int D, bool kExact>
void sweepPairs(const SparseModel& m, ChainTile* tiles, const float* beta, int sweeps) {
  constexpr int NG = std::max(1, kGroupItems / P);
  VecRng2 rng[P];  // pair p's two tile streams, kept in registers for the whole call
  float* spin[P];
  for (int p = 0; p < P; ++p) {
    spin[p] = tiles[2 * p].spin;
    rng[p] = VecRng2::load(*tiles[2 * p].rng, *tiles[2 * p + 1].rng);
  }
  for (int sweep = 0; sweep < sweeps; ++sweep) {
    const __m512 minusTwoBeta = _mm512_set1_ps(-2.0f * beta[sweep]);
    for (int32_t block = 0; block < m.numBlocks; ++block) {
      // Groups never straddle blocks: the next block may read the spins this one writes.
      const int32_t* order = m.updateOrder + m.blockStart[block];
      const int32_t blockSize = m.blockStart[block + 1] - m.blockStart[block];
      int32_t b = 0;
      for (; b + NG <= blockSize; b += NG)
        updateGroup<P, NG, D, kExact>(m, spin, order + b, rng, minusTwoBeta);
      for (; b < blockSize; ++b)
        updateGroup<P, 1, D, kExact>(m, spin, order + b, rng, minusTwoBeta);
    }
  }
  for (int p = 0; p < P; ++p)
    rng[p].store(*tiles[2 * p].rng, *tiles[2 * p + 1].rng);
}

// Tile b right beside tile a, and the model has neighbour offsets for their stride.
bool sideBySide(const SparseModel& m, const ChainTile& a, const ChainTile& b) {
  return b.spin == a.spin + kLanes && b.stride == a.stride && m.slotOffset != nullptr && a.stride == m.slotStride;
}

// The driver's full blocks (two pairs of tiles), with the field loops unrolled for as many
// neighbours as every free node has (withUnrollDegree), completely when every free node has just
// that many: no loop control or index arithmetic per neighbour. Offsets and unrolling together
// made single-thread sweeps of the king's graph 15-33 % faster on Zen 5, and of the G12 torus
// 0-15 %.
void sweepTwoPairs(const SparseModel& m, ChainTile* tiles, const float* beta, int sweeps) {
  withUnrollDegree(m.minFreeDegree, [&](auto degree) {
    constexpr int D = decltype(degree)::value;
    if (m.maxFreeDegree == D)
      sweepPairs<2, D, true>(m, tiles, beta, sweeps);
    else
      sweepPairs<2, D, false>(m, tiles, beta, sweeps);
  });
}

}  // namespace

void gibbsSweepsAvx512(const SparseModel& m, ChainTile* tiles, int count, const float* beta, int sweeps) {
  if (count >= 4 && sideBySide(m, tiles[0], tiles[1]) && sideBySide(m, tiles[2], tiles[3])) {
    sweepTwoPairs(m, tiles, beta, sweeps);
    gibbsSweepsAvx512(m, tiles + 4, count - 4, beta, sweeps);
  } else if (count >= 2 && sideBySide(m, tiles[0], tiles[1])) {
    sweepPairs<1, 0, false>(m, tiles, beta, sweeps);  // calls of 2 or 3 tiles: few chains, not worth unrolling
    gibbsSweepsAvx512(m, tiles + 2, count - 2, beta, sweeps);
  } else if (count >= 1) {
    gibbsSweepsAvx2(m, tiles, 1, beta, sweeps);
    gibbsSweepsAvx512(m, tiles + 1, count - 1, beta, sweeps);
  }
}

}  // namespace heatbath::kernels
