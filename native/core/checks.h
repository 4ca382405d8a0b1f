// The input checks every engine shares, written once: they throw the core's coded Error naming the
// first bad entry (ERR_NOT_FINITE for NaN or infinite values, ERR_INVALID_ARGUMENT otherwise).
#pragma once
#include <cstdint>

namespace heatbath {

// No NaN or infinite entry.
void requireFinite(const float* values, int64_t count, const char* what);
// Every entry +1 or -1 (spins).
void requireSpins(const int8_t* values, int64_t count, const char* what);
// Every entry 0 or 1 (binary units).
void requireBinary(const float* values, int64_t count, const char* what);
// Clamped indices: each in [0, size) and none twice; `unit` names them in messages ("node", "unit").
void requireClampIndices(const int32_t* indices, int64_t count, int64_t size, const char* unit);
// Moment pairs (pairA[p], pairB[p]) of nodes in [0, numNodes).
void requireNodePairs(const int32_t* pairA, const int32_t* pairB, int64_t numPairs, int64_t numNodes);

}  // namespace heatbath
