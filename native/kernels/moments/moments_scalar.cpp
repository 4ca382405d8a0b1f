// Portable reference for the block moment sums: one row of kBlockLanes values per node or pair.
#include "../gibbs/gibbs_kernel.h"

namespace heatbath::kernels {

void blockMomentsScalar(const float* spin, int32_t numNodes, const int32_t* pairA, const int32_t* pairB,
                        int64_t numPairs, float* nodeSum, float* pairSum, uint32_t* /*signs*/) {
  for (int32_t i = 0; i < numNodes; ++i) {
    const float* s = spin + int64_t{i} * kBlockLanes;
    float sum = 0.0f;
    for (int l = 0; l < kBlockLanes; ++l)
      sum += s[l];
    nodeSum[i] += sum;
  }
  for (int64_t p = 0; p < numPairs; ++p) {
    const float* a = spin + int64_t{pairA[p]} * kBlockLanes;
    const float* b = spin + int64_t{pairB[p]} * kBlockLanes;
    float sum = 0.0f;
    for (int l = 0; l < kBlockLanes; ++l)
      sum += a[l] * b[l];
    pairSum[p] += sum;
  }
}

}  // namespace heatbath::kernels
