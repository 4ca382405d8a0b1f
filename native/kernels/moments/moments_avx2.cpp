// AVX2 block moment sums. A node's (or pair's) kBlockLanes values are four vectors; the lane sums
// of 8 nodes at once come from a transposing reduction (horizontal adds, then the two 128-bit
// halves swapped and added) instead of 8 separate horizontal sums.
#include <immintrin.h>

#include "../gibbs/gibbs_kernel.h"

namespace heatbath::kernels {

namespace {

static_assert(kBlockLanes == 32, "a block row is four 8-lane vectors");

// Lane k of the result is the sum of v[k]'s 8 lanes.
inline __m256 transposedSums(const __m256* v) {
  const __m256 low = _mm256_hadd_ps(_mm256_hadd_ps(v[0], v[1]), _mm256_hadd_ps(v[2], v[3]));
  const __m256 high = _mm256_hadd_ps(_mm256_hadd_ps(v[4], v[5]), _mm256_hadd_ps(v[6], v[7]));
  return _mm256_add_ps(_mm256_permute2f128_ps(low, high, 0x20), _mm256_permute2f128_ps(low, high, 0x31));
}

}  // namespace

void blockMomentsAvx2(const float* spin, int32_t numNodes, const int32_t* pairA, const int32_t* pairB, int64_t numPairs,
                      float* nodeSum, float* pairSum, uint32_t* /*signs*/) {
  __m256 v[8];
  int32_t i = 0;
  for (; i + 8 <= numNodes; i += 8) {
    for (int k = 0; k < 8; ++k) {
      const float* s = spin + int64_t{i + k} * kBlockLanes;
      v[k] = _mm256_add_ps(_mm256_add_ps(_mm256_loadu_ps(s), _mm256_loadu_ps(s + 8)),
                           _mm256_add_ps(_mm256_loadu_ps(s + 16), _mm256_loadu_ps(s + 24)));
    }
    _mm256_storeu_ps(nodeSum + i, _mm256_add_ps(_mm256_loadu_ps(nodeSum + i), transposedSums(v)));
  }
  int64_t p = 0;
  for (; p + 8 <= numPairs; p += 8) {
    for (int k = 0; k < 8; ++k) {
      const float* a = spin + int64_t{pairA[p + k]} * kBlockLanes;
      const float* b = spin + int64_t{pairB[p + k]} * kBlockLanes;
      __m256 sum = _mm256_mul_ps(_mm256_loadu_ps(a), _mm256_loadu_ps(b));
      for (int l = 8; l < kBlockLanes; l += 8)
        sum = _mm256_fmadd_ps(_mm256_loadu_ps(a + l), _mm256_loadu_ps(b + l), sum);
      v[k] = sum;
    }
    _mm256_storeu_ps(pairSum + p, _mm256_add_ps(_mm256_loadu_ps(pairSum + p), transposedSums(v)));
  }
  // The remainders: fewer than 8 nodes and pairs.
  blockMomentsScalar(spin + int64_t{i} * kBlockLanes, numNodes - i, nullptr, nullptr, 0, nodeSum + i, nullptr, nullptr);
  blockMomentsScalar(spin, 0, pairA + p, pairB + p, numPairs - p, nullptr, pairSum + p, nullptr);
}

}  // namespace heatbath::kernels
