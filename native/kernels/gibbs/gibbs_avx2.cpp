// AVX2+FMA block-Gibbs kernel: one __m256 holds one node's spins across a tile's 8 chains.
//
// Relies on what makes block Gibbs exact: nodes of one block of updateOrder share a colour, so
// they are pairwise non-adjacent (graph.h checks every colouring). Within a block the kernel
// computes the fields of a few nodes before writing their spins, so with an improper colouring it
// would differ from the scalar kernel, which updates strictly one node after another.
//
// Per node-tile update (8 flips) the kernel issues ~42 vector operations: one FMA per neighbour,
// ~21 for exp and the accept test, 14 for xoshiro128+ and the uniform; and one 32-byte load per
// neighbour. The exp is a chain of ~17 dependent operations, so updates go in groups of 4
// independent items (the T tiles of a node, or several nodes when T < 4) with their exp steps
// interleaved; index and weight loads are shared by the T tiles; the RNG runs in batches ahead
// of the groups (16 registers cannot also hold four streams). A full block of the driver's layout
// reads the model's neighbour offsets and unrolls the field loop as the AVX-512 kernel does: 2 %
// (king's graph) and 6-7 % (G12 torus) more flips/ns on one Zen 5 core.
// bench/native/gibbs_kernel_bench.cpp measures what each part costs.
#include <algorithm>
#include <cstring>

#include "gibbs_kernel.h"
#include "../simd/simd_avx2.h"
#include "../simd/unroll_degree.h"

namespace heatbath::kernels {

namespace {

using avx2::splat;
using avx2::VecRng;

constexpr int kBatchItems = 32;  // node-tile updates per RNG batch (uniforms kept on the stack)
constexpr int kGroupItems = 4;   // node-tile updates whose exp chains are interleaved

// Where the neighbour of slot s sits in a tile's spins: the model's precomputed offset (kOffsets)
// or index x stride.
template <bool kOffsets>
inline int64_t neighbourAt(const SparseModel& m, int64_t stride, int32_t s) {
  return kOffsets ? int64_t{m.slotOffset[s]} : int64_t{m.neighbour[s]} * stride;
}

// The same for slots s and s + 1, from one 8-byte load: load slots are a bottleneck.
template <bool kOffsets>
inline void neighbourPair(const SparseModel& m, int64_t stride, int32_t s, int64_t& j0, int64_t& j1) {
  int64_t pair;
  std::memcpy(&pair, (kOffsets ? m.slotOffset : m.neighbour) + s, sizeof pair);
  j0 = static_cast<int32_t>(pair);
  j1 = pair >> 32;
  if (!kOffsets)
    j0 *= stride, j1 *= stride;
}

// Updates NG consecutive nodes of one block in all T tiles (G = NG * T items). Every node has at
// least D neighbours (exactly D if kExact): the field loops unroll D of them.
template <int T, int NG, int D, bool kExact, bool kOffsets>
inline void updateGroup(const SparseModel& m, float* const* spin, int64_t stride, const int32_t* order,
                        const __m256* uniform, __m256 minusTwoBeta) {
  constexpr int G = NG * T;
  __m256 x[G];
  for (int g = 0; g < NG; ++g) {
    const int32_t i = order[g];
    int32_t s = m.rowStart[i];
    const int32_t end = kExact ? s + D : m.rowStart[i + 1];
    // Two accumulators per tile halve the FMA chain; index and weight loads are shared by the
    // T tiles.
    __m256 acc0[T], acc1[T];
    for (int t = 0; t < T; ++t) {
      acc0[t] = _mm256_broadcast_ss(m.bias + i);
      acc1[t] = _mm256_setzero_ps();
    }
    auto addPair = [&] {
      int64_t j0, j1;
      neighbourPair<kOffsets>(m, stride, s, j0, j1);
      const __m256 w0 = _mm256_broadcast_ss(m.coupling + s), w1 = _mm256_broadcast_ss(m.coupling + s + 1);
      for (int t = 0; t < T; ++t) {
        acc0[t] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(spin[t] + j0), acc0[t]);
        acc1[t] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(spin[t] + j1), acc1[t]);
      }
      s += 2;
    };
#pragma GCC unroll 12
    for (int k = 0; k < D / 2; ++k)
      addPair();
    if (!kExact) {
      while (s + 2 <= end)
        addPair();
    }
    if (s < end) {
      const int64_t j0 = neighbourAt<kOffsets>(m, stride, s);
      const __m256 w0 = _mm256_broadcast_ss(m.coupling + s);
      for (int t = 0; t < T; ++t)
        acc0[t] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(spin[t] + j0), acc0[t]);
    }
    for (int t = 0; t < T; ++t)
      x[g * T + t] = _mm256_mul_ps(minusTwoBeta, _mm256_add_ps(acc0[t], acc1[t]));
  }
  avx2::expPoly(x);
  const __m256 one = splat(1.0f), minusOne = splat(-1.0f), signBit = splat(-0.0f);
  for (int g = 0; g < NG; ++g) {
    const int64_t at = int64_t{order[g]} * stride;
    for (int t = 0; t < T; ++t) {
      const __m256 u = uniform[g * T + t];
      const __m256 up = _mm256_cmp_ps(_mm256_mul_ps(u, x[g * T + t]), _mm256_sub_ps(one, u), _CMP_LT_OQ);
      // +1 where up, else -1: and/xor run on any vector pipe, a blend would compete with FMAs.
      _mm256_storeu_ps(spin[t] + at, _mm256_xor_ps(minusOne, _mm256_and_ps(up, signBit)));
    }
  }
}

template <int T, int D, bool kExact, bool kOffsets>
void sweepTiles(const SparseModel& m, ChainTile* tiles, const float* beta, int sweeps) {
  constexpr int NG = std::max(1, kGroupItems / T);  // nodes per group
  constexpr int kBatchNodes = std::max(1, kBatchItems / T / NG) * NG;
  alignas(32) __m256 uniform[kBatchNodes * T];  // [node of batch][tile]
  float* spin[T];
  for (int t = 0; t < T; ++t)
    spin[t] = tiles[t].spin;
  const int64_t stride = tiles[0].stride;

  for (int sweep = 0; sweep < sweeps; ++sweep) {
    const __m256 minusTwoBeta = _mm256_set1_ps(-2.0f * beta[sweep]);
    for (int32_t block = 0; block < m.numBlocks; ++block) {
      // Groups never straddle blocks: the next block may read the spins this one writes.
      const int32_t* order = m.updateOrder + m.blockStart[block];
      const int32_t blockSize = m.blockStart[block + 1] - m.blockStart[block];
      for (int32_t k0 = 0; k0 < blockSize; k0 += kBatchNodes) {
        const int n = std::min<int32_t>(kBatchNodes, blockSize - k0);
        // One word per node and lane, in updateOrder: the same words the scalar kernel draws.
        for (int t = 0; t < T; ++t) {
          VecRng rng = VecRng::load(*tiles[t].rng);
          for (int b = 0; b < n; ++b)
            uniform[b * T + t] = avx2::uniformOpen(rng.next());
          rng.store(*tiles[t].rng);
        }
        int b = 0;
        for (; b + NG <= n; b += NG) {
          updateGroup<T, NG, D, kExact, kOffsets>(m, spin, stride, order + k0 + b, uniform + b * T, minusTwoBeta);
        }
        for (; b < n; ++b) {
          updateGroup<T, 1, D, kExact, kOffsets>(m, spin, stride, order + k0 + b, uniform + b * T, minusTwoBeta);
        }
      }
    }
  }
}

// A full block of the driver's layout (with neighbour offsets), the field loops unrolled as in the
// AVX-512 kernel.
void sweepFourTiles(const SparseModel& m, ChainTile* tiles, const float* beta, int sweeps) {
  withUnrollDegree(m.minFreeDegree, [&](auto degree) {
    constexpr int D = decltype(degree)::value;
    if (m.maxFreeDegree == D)
      sweepTiles<4, D, true, true>(m, tiles, beta, sweeps);
    else
      sweepTiles<4, D, false, true>(m, tiles, beta, sweeps);
  });
}

// The model has neighbour offsets for the tiles' stride.
bool hasOffsets(const SparseModel& m, const ChainTile* tiles) {
  return m.slotOffset != nullptr && tiles[0].stride == m.slotStride;
}

template <int T>
void sweepAnyTiles(const SparseModel& m, ChainTile* tiles, const float* beta, int sweeps) {
  if (hasOffsets(m, tiles))
    sweepTiles<T, 0, false, true>(m, tiles, beta, sweeps);
  else
    sweepTiles<T, 0, false, false>(m, tiles, beta, sweeps);
}

}  // namespace

void gibbsSweepsAvx2(const SparseModel& m, ChainTile* tiles, int count, const float* beta, int sweeps) {
  switch (count) {
    case 1:
      sweepAnyTiles<1>(m, tiles, beta, sweeps);
      break;
    case 2:
      sweepAnyTiles<2>(m, tiles, beta, sweeps);
      break;
    case 3:
      sweepAnyTiles<3>(m, tiles, beta, sweeps);
      break;
    case 4:
      if (hasOffsets(m, tiles))
        sweepFourTiles(m, tiles, beta, sweeps);
      else
        sweepTiles<4, 0, false, false>(m, tiles, beta, sweeps);
      break;
    default:  // more than the driver passes; tiles are independent, so any split is exact
      for (int t = 0; t < count; t += 4)
        gibbsSweepsAvx2(m, tiles + t, std::min(4, count - t), beta, sweeps);
  }
}

}  // namespace heatbath::kernels
