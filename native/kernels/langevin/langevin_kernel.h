// Kernels of the Langevin engine, one set per instruction set.
//
// Rows are padded to a multiple of 16 floats (the padding of a, c, h, free and field is zero, so
// padded units stay at 0). Normals come 16 at a time from the 8 lanes of one chain's RngLanes
// (layout in normal_poly.h).
#pragma once
#include <cstdint>

#include "../simd/rng_lanes.h"

namespace heatbath::kernels {

// Fills out[0, 16 * blocks) with standard normals.
using NormalsFn = void (*)(RngLanes& rng, float* out, int64_t blocks);

// One overdamped step of one chain's row of n units (n a multiple of 16):
//   F  = s P - a x - c x^3 + h + fs f          (f may be null: no per-chain field; P null: zero)
//   w  = xi (Euler–Maruyama) or (xi + prev) / 2, then prev = xi (Leimkuhler–Matthews, prev != null)
//   x += free (muDt F + sigma w)
// Returns false if any new x is not finite.
//
// With heat != null the step also measures, in float64 sums:
//   onsiteWork = sum_i (h - a m - c m^3 + midFieldScale f)_i dx_i, m = (x + x')/2, dx = x' - x
//   xDotP      = sum_i x_i P_i (before the step)
// The coupling part of the step's heat, s (P + P')/2 . dx, equals s/2 (x'.P' - x.P) for symmetric
// J, so the caller completes it from the next step's xDotP without keeping the old state.
struct OverdampedHeat {
  double onsiteWork, xDotP;
};
struct OverdampedRow {
  int64_t n;
  const float *a, *c, *h, *free, *field, *product, *noise;
  float* prev;
  float* x;
  float couplingScale, fieldScale, muDt, sigma, midFieldScale;
  OverdampedHeat* heat;
};
using OverdampedStepFn = bool (*)(const OverdampedRow& row);

// Symmetric CSR couplings of n units.
struct SparseCouplings {
  int64_t n;
  const int32_t *rowPtr, *cols;
  const float* values;
};

// The vector kernel runs kSparseChains chains at once on a chain-minor copy of their states;
// scratch holds ld * kSparseChains floats, 32-byte aligned.
constexpr int64_t kSparseChains = 8;

// out[r, i] = (accumulate ? out[r, i] : 0) + sum over the entries k of row i of values[k] x[r, cols[k]],
// for chains r < rows and all units i < ld, the padding included (no entries: sums of zero; rows of
// x and out with stride ld, a multiple of 16). Each
// chain's sum is accumulated in the same order by every kernel and for any number of chains: four
// partial sums p[k mod 4] (the remainder of the row going to p[0]), added as (p0 + p1) + (p2 + p3).
using SparseProductFn = void (*)(const SparseCouplings& j, const float* x, int64_t rows, int64_t ld, bool accumulate,
                                 float* out, float* scratch);

struct LangevinKernels {
  NormalsFn normals;
  OverdampedStepFn overdampedStep;
  SparseProductFn sparseProduct;
};

void normalsScalar(RngLanes& rng, float* out, int64_t blocks);
bool overdampedStepScalar(const OverdampedRow& row);
void sparseProductScalar(const SparseCouplings& j, const float* x, int64_t rows, int64_t ld, bool accumulate,
                         float* out, float* scratch);
void normalsAvx2(RngLanes& rng, float* out, int64_t blocks);
bool overdampedStepAvx2(const OverdampedRow& row);
void sparseProductAvx2(const SparseCouplings& j, const float* x, int64_t rows, int64_t ld, bool accumulate, float* out,
                       float* scratch);
// Bit-identical to the AVX2 kernels.
void normalsAvx512(RngLanes& rng, float* out, int64_t blocks);
bool overdampedStepAvx512(const OverdampedRow& row);

}  // namespace heatbath::kernels
