// The native side's size limits, written once: the addon checks arguments against them, the core
// against its invariants. User-facing messages about them are the TypeScript layer's.
#pragma once
#include <cstdint>

namespace heatbath {

// Integers a JS number holds exactly (seeds, indices); larger seeds come as a bigint.
constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;
// Runs may be up to 2^53 − 1 sweeps: sweep numbers stay exact in a double (and in a JS number).
constexpr int64_t kMaxSweeps = kMaxSafeInteger;
// Langevin and device runs: steps of one call.
constexpr int64_t kMaxSteps = int64_t{1} << 40;
// Chains of one engine.
constexpr int64_t kMaxChains = int64_t{1} << 40;
// Threads of one call.
constexpr int kMaxThreads = 1024;
// Nodes of a sparse graph (int32 indices, with one spare for a sentinel).
constexpr int64_t kMaxGraphNodes = INT32_MAX - 1;
// Rows, columns and depth of a dense product, and the units of an RBM layer (int32 indices).
constexpr int64_t kMaxDenseDimension = INT32_MAX;
// Units of a Langevin network: int32 indices after padding to 16 lanes.
constexpr int64_t kMaxLangevinUnits = INT32_MAX - 16;
// batch x classes of a TNGD device: its Gram matrix is m x m.
constexpr int64_t kMaxTngdUnits = int64_t{1} << 15;

}  // namespace heatbath
