// Portable Langevin kernels (contract in langevin_kernel.h); the reference for the vector ones.
#include <cmath>

#include "langevin_kernel.h"
#include "normal_poly.h"

namespace heatbath::kernels {

void normalsScalar(RngLanes& rng, float* out, int64_t blocks) { normalsReference(rng, out, blocks); }

bool overdampedStepScalar(const OverdampedRow& r) {
  bool finite = true;
  for (int64_t i = 0; i < r.n; ++i) {
    const float x = r.x[i];
    float force = r.couplingScale * r.product[i] - r.a[i] * x - r.c[i] * x * x * x + r.h[i];
    if (r.field != nullptr) force += r.fieldScale * r.field[i];
    float w = r.noise[i];
    if (r.prev != nullptr) {
      w = 0.5f * (w + r.prev[i]);
      r.prev[i] = r.noise[i];
    }
    const float next = x + r.free[i] * (r.muDt * force + r.sigma * w);
    finite = finite && std::isfinite(next);
    r.x[i] = next;
  }
  return finite;
}

}  // namespace heatbath::kernels
