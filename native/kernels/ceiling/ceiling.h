// The machine's multiply-add ceiling: loops bound only by float32 multiply-add throughput, one per
// instruction set, so benchmark figures can be read as ratios to what this core can do at all.
#pragma once
#include <cstdint>

namespace heatbath::kernels {

// Runs `rounds` rounds of independent multiply-adds on registers; returns the number of float32
// multiply-adds performed (for rate = count / elapsed time).
int64_t multiplyAddLoopAvx512(int64_t rounds);
int64_t multiplyAddLoopAvx2(int64_t rounds);
int64_t multiplyAddLoopScalar(int64_t rounds);

using MultiplyAddLoopFn = int64_t (*)(int64_t rounds);

}  // namespace heatbath::kernels
