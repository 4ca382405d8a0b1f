// AVX-512 block moment sums. A node's (or pair's) kBlockLanes values are two vectors; their lane
// sums are needed per node, so 16 nodes are summed at once by a transposing reduction (15 pairwise
// combines of two permutes and an add) instead of 16 horizontal sums.
#include <immintrin.h>

#include "gibbs_kernel.h"

namespace heatbath::kernels {

namespace {

static_assert(kBlockLanes == 32, "a block row is two 16-lane vectors");

// Sums of 16 vectors' lanes, one per output lane, in four levels of pairwise combines. At each level
// a vector holds sums that each still span groupLanes lanes; two vectors combine into one whose sums
// span half as many, by adding the first halves of their groups (permutation `first`) to the second
// halves (`second`).
struct Reducer {
  __m512i first[4], second[4];

  static __m512i halfIndex(int groupLanes, bool secondHalf) {
    alignas(64) int32_t index[16];
    const int half = groupLanes / 2;
    for (int j = 0; j < 16; ++j) index[j] = (j / half) * groupLanes + j % half + (secondHalf ? half : 0);
    return _mm512_load_si512(index);
  }

  Reducer() {
    for (int level = 0, groupLanes = 16; level < 4; ++level, groupLanes /= 2) {
      first[level] = halfIndex(groupLanes, false);
      second[level] = halfIndex(groupLanes, true);
    }
  }

  // Lane k of the result is the sum of v[k]'s 16 lanes (v is overwritten).
  __m512 operator()(__m512* v) const {
    for (int level = 0, count = 8; level < 4; ++level, count /= 2) {
      for (int k = 0; k < count; ++k) {
        v[k] = _mm512_add_ps(_mm512_permutex2var_ps(v[2 * k], first[level], v[2 * k + 1]),
                             _mm512_permutex2var_ps(v[2 * k], second[level], v[2 * k + 1]));
      }
    }
    return v[0];
  }
};

}  // namespace

void blockMomentsAvx512(const float* spin, int32_t numNodes, const int32_t* pairA, const int32_t* pairB,
                        int64_t numPairs, float* nodeSum, float* pairSum) {
  static const Reducer reduce;  // its permutations, built once
  __m512 v[16];
  int32_t i = 0;
  for (; i + 16 <= numNodes; i += 16) {
    for (int k = 0; k < 16; ++k) {
      const float* s = spin + int64_t{i + k} * kBlockLanes;
      v[k] = _mm512_add_ps(_mm512_loadu_ps(s), _mm512_loadu_ps(s + 16));
    }
    _mm512_storeu_ps(nodeSum + i, _mm512_add_ps(_mm512_loadu_ps(nodeSum + i), reduce(v)));
  }
  int64_t p = 0;
  for (; p + 16 <= numPairs; p += 16) {
    for (int k = 0; k < 16; ++k) {
      const float* a = spin + int64_t{pairA[p + k]} * kBlockLanes;
      const float* b = spin + int64_t{pairB[p + k]} * kBlockLanes;
      v[k] = _mm512_fmadd_ps(_mm512_loadu_ps(a + 16), _mm512_loadu_ps(b + 16),
                             _mm512_mul_ps(_mm512_loadu_ps(a), _mm512_loadu_ps(b)));
    }
    _mm512_storeu_ps(pairSum + p, _mm512_add_ps(_mm512_loadu_ps(pairSum + p), reduce(v)));
  }
  // The remainders: fewer than 16 nodes and pairs.
  blockMomentsScalar(spin + int64_t{i} * kBlockLanes, numNodes - i, nullptr, nullptr, 0, nodeSum + i, nullptr);
  blockMomentsScalar(spin, 0, pairA + p, pairB + p, numPairs - p, nullptr, pairSum + p);
}

}  // namespace heatbath::kernels
