// Moment sums of full blocks of chains (the Gibbs driver's layout, gibbs/gibbs_kernel.h: kBlockLanes
// chains side by side), one kernel per instruction set.
#pragma once
#include <cstdint>

namespace heatbath::kernels {

// Moment sums of one full block: adds sum_l s_il to nodeSum[i] and sum_l s_al s_bl to pairSum[p].
// Every added value is an integer of magnitude <= kBlockLanes, computed exactly, so the kernels agree
// bit for bit (while the caller keeps the sums below 2^24, where float addition is exact). `signs` is
// scratch of numNodes words for kernels that pack each node's spins into sign bits.
using BlockMomentsFn = void (*)(const float* spin, int32_t numNodes, const int32_t* pairA, const int32_t* pairB,
                                int64_t numPairs, float* nodeSum, float* pairSum, uint32_t* signs);

void blockMomentsScalar(const float* spin, int32_t numNodes, const int32_t* pairA, const int32_t* pairB,
                        int64_t numPairs, float* nodeSum, float* pairSum, uint32_t* signs);
void blockMomentsAvx2(const float* spin, int32_t numNodes, const int32_t* pairA, const int32_t* pairB, int64_t numPairs,
                      float* nodeSum, float* pairSum, uint32_t* signs);
// Needs AVX512_VPOPCNTDQ besides AVX-512F.
void blockMomentsAvx512(const float* spin, int32_t numNodes, const int32_t* pairA, const int32_t* pairB,
                        int64_t numPairs, float* nodeSum, float* pairSum, uint32_t* signs);

}  // namespace heatbath::kernels
