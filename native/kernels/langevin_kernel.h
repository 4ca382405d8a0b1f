// Kernels of the Langevin engine, one set per instruction set.
//
// Rows are padded to a multiple of 16 floats (the padding of a, c, h, free and field is zero, so
// padded units stay at 0). Normals come 16 at a time from the 8 lanes of one chain's RngLanes
// (layout in normal_poly.h).
#pragma once
#include <cstdint>

#include "dispatch.h"
#include "rng_lanes.h"

namespace heatbath::kernels {

// Fills out[0, 16 * blocks) with standard normals.
using NormalsFn = void (*)(RngLanes& rng, float* out, int64_t blocks);

// One overdamped step of one chain's row of n units (n a multiple of 16):
//   F  = s P - a x - c x^3 + h + fs f          (f may be null: no per-chain field)
//   w  = xi (Euler–Maruyama) or (xi + prev) / 2, then prev = xi (Leimkuhler–Matthews, prev != null)
//   x += free (muDt F + sigma w)
// Returns false if any new x is not finite.
struct OverdampedRow {
  int64_t n;
  const float *a, *c, *h, *free, *field, *product, *noise;
  float* prev;
  float* x;
  float couplingScale, fieldScale, muDt, sigma;
};
using OverdampedStepFn = bool (*)(const OverdampedRow& row);

struct LangevinKernels {
  NormalsFn normals;
  OverdampedStepFn overdampedStep;
};

void normalsScalar(RngLanes& rng, float* out, int64_t blocks);
bool overdampedStepScalar(const OverdampedRow& row);
void normalsAvx2(RngLanes& rng, float* out, int64_t blocks);
bool overdampedStepAvx2(const OverdampedRow& row);

LangevinKernels langevinKernels(Isa isa);

}  // namespace heatbath::kernels
