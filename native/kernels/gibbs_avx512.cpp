// AVX-512F block-Gibbs kernel: one __m512 holds one node's spins across two tiles (16 chains).
//
// The same algorithm as gibbs_avx2.cpp, operation for operation, on vectors twice as wide: each
// lane sees the same field (same FMA order), the same exp steps and the same words of its stream,
// so the samples are bit-identical to the AVX2 kernel's (the tests check this). Halving the
// instruction count per flip is the point: the AVX2 kernel is bound by issue slots (~45 vector
// operations per 8 flips), not by memory, once the spins are in cache.
//
// Two tiles share a vector only where the driver's layout puts them side by side (tile t + 1's
// spins start kLanes floats after tile t's, same stride); any other tile goes to the AVX2 kernel,
// which is exact because tiles are independent.
#include <algorithm>
#include <cstring>

#include "gibbs_kernel.h"
#include "simd_avx512.h"

namespace heatbath::kernels {

namespace {

using avx512::splat;
using avx512::VecRng2;

constexpr int kBatchItems = 32;  // node-pair updates per RNG batch, as in the AVX2 kernel
// Node-pair updates whose exp chains are interleaved: 8, not the AVX2 kernel's 4, because with 32
// vector registers 8 chains fit and hide more of the ~60-cycle latency of one exp + accept chain.
constexpr int kGroupItems = 8;

// Updates NG consecutive nodes of one block in all P tile pairs (G = NG * P items).
template <int P, int NG>
inline void updateGroup(const SparseModel& m, float* const* spin, int64_t stride, const int32_t* order,
                        const __m512* uniform, __m512 minusTwoBeta) {
  constexpr int G = NG * P;
  __m512 x[G];
  for (int g = 0; g < NG; ++g) {
    const int32_t i = order[g];
    const int32_t sEnd = m.rowStart[i + 1];
    int32_t s = m.rowStart[i];
    // Same two-accumulator split as the AVX2 kernel, so the field rounds identically.
    __m512 acc0[P], acc1[P];
    for (int p = 0; p < P; ++p) {
      acc0[p] = _mm512_set1_ps(m.bias[i]);
      acc1[p] = _mm512_setzero_ps();
    }
    for (; s + 2 <= sEnd; s += 2) {
      int64_t pair;
      std::memcpy(&pair, m.neighbour + s, sizeof pair);
      const int64_t j0 = int64_t{static_cast<int32_t>(pair)} * stride, j1 = (pair >> 32) * stride;
      const __m512 w0 = _mm512_set1_ps(m.coupling[s]), w1 = _mm512_set1_ps(m.coupling[s + 1]);
      for (int p = 0; p < P; ++p) {
        acc0[p] = _mm512_fmadd_ps(w0, _mm512_loadu_ps(spin[p] + j0), acc0[p]);
        acc1[p] = _mm512_fmadd_ps(w1, _mm512_loadu_ps(spin[p] + j1), acc1[p]);
      }
    }
    if (s < sEnd) {
      const int64_t j0 = int64_t{m.neighbour[s]} * stride;
      const __m512 w0 = _mm512_set1_ps(m.coupling[s]);
      for (int p = 0; p < P; ++p) acc0[p] = _mm512_fmadd_ps(w0, _mm512_loadu_ps(spin[p] + j0), acc0[p]);
    }
    for (int p = 0; p < P; ++p) x[g * P + p] = _mm512_mul_ps(minusTwoBeta, _mm512_add_ps(acc0[p], acc1[p]));
  }
  avx512::expPoly(x);
  const __m512 one = splat(1.0f), minusOne = splat(-1.0f);
  for (int g = 0; g < NG; ++g) {
    const int64_t at = int64_t{order[g]} * stride;
    for (int p = 0; p < P; ++p) {
      const __m512 u = uniform[g * P + p];
      const __mmask16 up = _mm512_cmp_ps_mask(_mm512_mul_ps(u, x[g * P + p]), _mm512_sub_ps(one, u), _CMP_LT_OQ);
      _mm512_storeu_ps(spin[p] + at, _mm512_mask_blend_ps(up, minusOne, one));
    }
  }
}

// P pairs of adjacent tiles: pair p is tiles[2p] (low lanes) and tiles[2p + 1] (high lanes).
template <int P>
void sweepPairs(const SparseModel& m, ChainTile* tiles, const float* beta, int sweeps) {
  constexpr int NG = std::max(1, kGroupItems / P);
  constexpr int kBatchNodes = std::max(1, kBatchItems / P / NG) * NG;
  alignas(64) __m512 uniform[kBatchNodes * P];  // [node of batch][pair]
  float* spin[P];
  for (int p = 0; p < P; ++p) spin[p] = tiles[2 * p].spin;
  const int64_t stride = tiles[0].stride;

  for (int sweep = 0; sweep < sweeps; ++sweep) {
    const __m512 minusTwoBeta = _mm512_set1_ps(-2.0f * beta[sweep]);
    for (int32_t block = 0; block < m.numBlocks; ++block) {
      // Groups never straddle blocks: the next block may read the spins this one writes.
      const int32_t* order = m.updateOrder + m.blockStart[block];
      const int32_t blockSize = m.blockStart[block + 1] - m.blockStart[block];
      for (int32_t k0 = 0; k0 < blockSize; k0 += kBatchNodes) {
        const int n = std::min<int32_t>(kBatchNodes, blockSize - k0);
        for (int p = 0; p < P; ++p) {
          VecRng2 rng = VecRng2::load(*tiles[2 * p].rng, *tiles[2 * p + 1].rng);
          for (int b = 0; b < n; ++b) uniform[b * P + p] = avx512::uniformOpen(rng.next());
          rng.store(*tiles[2 * p].rng, *tiles[2 * p + 1].rng);
        }
        int b = 0;
        for (; b + NG <= n; b += NG) updateGroup<P, NG>(m, spin, stride, order + k0 + b, uniform + b * P, minusTwoBeta);
        for (; b < n; ++b) updateGroup<P, 1>(m, spin, stride, order + k0 + b, uniform + b * P, minusTwoBeta);
      }
    }
  }
}

bool sideBySide(const ChainTile& a, const ChainTile& b) {
  return b.spin == a.spin + kLanes && b.stride == a.stride;
}

}  // namespace

void gibbsSweepsAvx512(const SparseModel& m, ChainTile* tiles, int count, const float* beta, int sweeps) {
  if (count >= 4 && sideBySide(tiles[0], tiles[1]) && sideBySide(tiles[2], tiles[3])) {
    sweepPairs<2>(m, tiles, beta, sweeps);
    gibbsSweepsAvx512(m, tiles + 4, count - 4, beta, sweeps);
  } else if (count >= 2 && sideBySide(tiles[0], tiles[1])) {
    sweepPairs<1>(m, tiles, beta, sweeps);
    gibbsSweepsAvx512(m, tiles + 2, count - 2, beta, sweeps);
  } else if (count >= 1) {
    gibbsSweepsAvx2(m, tiles, 1, beta, sweeps);
    gibbsSweepsAvx512(m, tiles + 1, count - 1, beta, sweeps);
  }
}

}  // namespace heatbath::kernels
