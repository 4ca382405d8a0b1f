// AVX2+FMA block-Gibbs kernel: one __m256 holds one node's spins across a tile's 8 chains.
#include <algorithm>
#include <initializer_list>
#include <cstring>

#include "gibbs_kernel.h"
#include "simd_avx2.h"

namespace heatbath::kernels {

namespace {

using avx2::splat;
using avx2::VecRng;

constexpr int kBatchItems = 64;  // node-tile updates per RNG batch

// Accumulates the fields of NG nodes in T tiles one slot at a time, so that the work can be
// spread between the steps of an exp evaluation of other nodes.
template <int T, int NG>
struct FieldCursor {
  int32_t s[NG], e[NG];
  __m256 acc[NG * T];

  void start(const SparseModel& m, const int32_t* nodes) {
    for (int g = 0; g < NG; ++g) {
      const int32_t i = nodes[g];
      s[g] = m.rowStart[i];
      e[g] = m.rowStart[i + 1];
      for (int t = 0; t < T; ++t) acc[g * T + t] = _mm256_broadcast_ss(m.bias + i);
    }
  }

  void slot(const SparseModel& m, float* const* spin, int g) {
    const int64_t j = int64_t{m.neighbour[s[g]]} * kLanes;
    const __m256 w = _mm256_broadcast_ss(m.coupling + s[g]);
    for (int t = 0; t < T; ++t) acc[g * T + t] = _mm256_fmadd_ps(w, _mm256_load_ps(spin[t] + j), acc[g * T + t]);
    ++s[g];
  }

  // One slot of each node, if it has any left.
  void step(const SparseModel& m, float* const* spin) {
    for (int g = 0; g < NG; ++g)
      if (s[g] < e[g]) slot(m, spin, g);
  }

  void finish(const SparseModel& m, float* const* spin) {
    for (int g = 0; g < NG; ++g)
      while (s[g] < e[g]) slot(m, spin, g);
  }
};

// Heat-bath decisions for G = NG * T items whose fields are in `acc`, with the exp steps
// interleaved with `next.step` so that the field loads and FMAs of the next group fill the
// pipes while the exp dependency chains wait.
template <int T, int NG, bool kOverlap>
inline void decideGroup(const SparseModel& m, float* const* spin, const int32_t* nodes, const __m256* acc,
                        const __m256* uniform, __m256 minusTwoBeta, FieldCursor<T, NG>& next) {
  constexpr int G = NG * T;
  auto fill = [&] {
    if (kOverlap) next.step(m, spin);
  };
  __m256 x[G], r[G], p[G];
  __m256i scale[G];
  {
    const __m256 lo = splat(-kExpClamp), hi = splat(kExpClamp);
    for (int k = 0; k < G; ++k) x[k] = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(minusTwoBeta, acc[k]), lo), hi);
  }
  fill();
  {
    const __m256 log2e = splat(kLog2e), magic = splat(12582912.0f);
    for (int k = 0; k < G; ++k) {
      const __m256 shifted = _mm256_fmadd_ps(x[k], log2e, magic);
      scale[k] = _mm256_slli_epi32(_mm256_castps_si256(shifted), 23);
      p[k] = _mm256_sub_ps(shifted, magic);
    }
  }
  fill();
  {
    const __m256 ln2Hi = splat(kLn2Hi);
    for (int k = 0; k < G; ++k) r[k] = _mm256_fnmadd_ps(p[k], ln2Hi, x[k]);
  }
  fill();
  {
    const __m256 ln2Lo = splat(kLn2Lo);
    for (int k = 0; k < G; ++k) r[k] = _mm256_fnmadd_ps(p[k], ln2Lo, r[k]);
  }
  fill();
  {
    const __m256 c0 = splat(kExpP0), c1 = splat(kExpP1);
    for (int k = 0; k < G; ++k) p[k] = _mm256_fmadd_ps(c0, r[k], c1);
  }
  for (const float c : {kExpP2, kExpP3, kExpP4, kExpP5}) {
    fill();
    const __m256 ck = splat(c);
    for (int k = 0; k < G; ++k) p[k] = _mm256_fmadd_ps(p[k], r[k], ck);
  }
  fill();
  for (int k = 0; k < G; ++k) p[k] = _mm256_fmadd_ps(p[k], _mm256_mul_ps(r[k], r[k]), r[k]);
  fill();
  const __m256 one = splat(1.0f), minusOne = splat(-1.0f), signBit = splat(-0.0f);
  for (int g = 0; g < NG; ++g) {
    const int64_t at = int64_t{nodes[g]} * kLanes;
    for (int t = 0; t < T; ++t) {
      const int k = g * T + t;
      const __m256 e = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(_mm256_add_ps(p[k], one)), scale[k]));
      const __m256 u = uniform[k];
      const __m256 up = _mm256_cmp_ps(_mm256_mul_ps(u, e), _mm256_sub_ps(one, u), _CMP_LT_OQ);
      // +1 where up, else -1: and/xor run on any vector pipe, a blend would compete with FMAs.
      _mm256_store_ps(spin[t] + at, _mm256_xor_ps(minusOne, _mm256_and_ps(up, signBit)));
    }
  }
}

template <int T>
void sweepTiles(const SparseModel& m, ChainTile* chainTiles, const float* beta, int sweeps) {
  constexpr int NG = T >= 3 ? 1 : 4 / T;  // nodes per group: 4 items (3 when T = 3)
  constexpr int kBatchNodes = kBatchItems / T / NG * NG;
  alignas(32) __m256 uniform[kBatchNodes * T];
  float* spin[T];
  for (int t = 0; t < T; ++t) spin[t] = chainTiles[t].spin;

  auto drawUniforms = [&](int n) {
    for (int t = 0; t < T; ++t) {
      VecRng rng = VecRng::load(*chainTiles[t].rng);
      for (int b = 0; b < n; ++b) uniform[b * T + t] = avx2::uniformOpen(rng.next());
      rng.store(*chainTiles[t].rng);
    }
  };

  for (int sweep = 0; sweep < sweeps; ++sweep) {
    const __m256 minusTwoBeta = _mm256_set1_ps(-2.0f * beta[sweep]);
    for (int c = 0; c < m.numColours; ++c) {
      // Nodes of one colour block are never neighbours, so the fields of the next group can be
      // accumulated before the spins of the current one are written.
      const int32_t* order = m.updateOrder + m.colourStart[c];
      const int32_t blockSize = m.colourStart[c + 1] - m.colourStart[c];
      const int32_t fullGroups = blockSize / NG * NG;
      FieldCursor<T, NG> cur, next;
      if (fullGroups > 0) {
        cur.start(m, order);
        cur.finish(m, spin);
      }
      for (int32_t b = 0; b < fullGroups; b += NG) {
        const int32_t inBatch = b % kBatchNodes;
        if (inBatch == 0) drawUniforms(std::min(kBatchNodes, blockSize - b));
        if (b + NG < fullGroups) {
          next.start(m, order + b + NG);
          decideGroup<T, NG, true>(m, spin, order + b, cur.acc, uniform + inBatch * T, minusTwoBeta, next);
          next.finish(m, spin);
          cur = next;
        } else {
          decideGroup<T, NG, false>(m, spin, order + b, cur.acc, uniform + inBatch * T, minusTwoBeta, next);
        }
      }
      // Remaining nodes one at a time; their uniforms were drawn with the last batch.
      for (int32_t b = fullGroups; b < blockSize; ++b) {
        const int32_t inBatch = b % kBatchNodes;
        if (inBatch == 0) drawUniforms(std::min(kBatchNodes, blockSize - b));
        FieldCursor<T, 1> single;
        single.start(m, order + b);
        single.finish(m, spin);
        decideGroup<T, 1, false>(m, spin, order + b, single.acc, uniform + inBatch * T, minusTwoBeta, single);
      }
    }
  }
}

}  // namespace

void gibbsSweepsAvx2(const SparseModel& m, ChainTile* tiles, int count, const float* beta, int sweeps) {
  switch (count) {
    case 1: sweepTiles<1>(m, tiles, beta, sweeps); break;
    case 2: sweepTiles<2>(m, tiles, beta, sweeps); break;
    case 3: sweepTiles<3>(m, tiles, beta, sweeps); break;
    case 4: sweepTiles<4>(m, tiles, beta, sweeps); break;
    default:
      for (int t = 0; t < count; t += 4) gibbsSweepsAvx2(m, tiles + t, std::min(4, count - t), beta, sweeps);
  }
}

}  // namespace heatbath::kernels
