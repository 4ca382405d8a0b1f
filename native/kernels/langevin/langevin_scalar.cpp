// Portable Langevin kernels (contract in langevin_kernel.h); the reference for the vector ones.
#include <cmath>

#include "langevin_kernel.h"
#include "../simd/normal_poly.h"

namespace heatbath::kernels {

void normalsScalar(RngLanes& rng, float* out, int64_t blocks) {
  normalsReference(rng, out, blocks);
}

bool overdampedStepScalar(const OverdampedRow& r) {
  bool finite = true;
  double work = 0.0, xDotP = 0.0;
  for (int64_t i = 0; i < r.n; ++i) {
    const float x = r.x[i];
    const float p = r.product != nullptr ? r.product[i] : 0.0f;
    float force = r.couplingScale * p - r.a[i] * x - r.c[i] * x * x * x + r.h[i];
    if (r.field != nullptr)
      force += r.fieldScale * r.field[i];
    float w = r.noise[i];
    if (r.prev != nullptr) {
      w = 0.5f * (w + r.prev[i]);
      r.prev[i] = r.noise[i];
    }
    const float next = x + r.free[i] * (r.muDt * force + r.sigma * w);
    finite = finite && std::isfinite(next);
    r.x[i] = next;
    if (r.heat != nullptr) {
      const float m = 0.5f * (x + next), dx = next - x;
      float onsite = r.h[i] - r.a[i] * m - r.c[i] * m * m * m;
      if (r.field != nullptr)
        onsite += r.midFieldScale * r.field[i];
      work += static_cast<double>(onsite * dx);
      xDotP += static_cast<double>(x) * p;
    }
  }
  if (r.heat != nullptr)
    *r.heat = {work, xDotP};
  return finite;
}

void sparseProductScalar(const SparseCouplings& j, const float* x, int64_t rows, int64_t ld, bool accumulate,
                         float* out, float*) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * ld;
    float* pr = out + r * ld;
    for (int64_t i = 0; i < ld; ++i) {
      float part[4] = {0.0f, 0.0f, 0.0f, 0.0f};
      const int32_t end = i < j.n ? j.rowPtr[i + 1] : 0;
      int32_t k = i < j.n ? j.rowPtr[i] : 0;
      for (; k + 4 <= end; k += 4) {
        for (int q = 0; q < 4; ++q)
          part[q] += j.values[k + q] * xr[j.cols[k + q]];
      }
      for (; k < end; ++k)
        part[0] += j.values[k] * xr[j.cols[k]];
      pr[i] = (accumulate ? pr[i] : 0.0f) + ((part[0] + part[1]) + (part[2] + part[3]));
    }
  }
}

}  // namespace heatbath::kernels
