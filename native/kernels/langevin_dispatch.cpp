#include "langevin_kernel.h"

namespace heatbath::kernels {

LangevinKernels langevinKernels(Isa isa) {
  // The AVX2 kernels serve AVX-512 CPUs too: the dense product or the noise sets the pace there.
  if (isa == Isa::Avx2 || isa == Isa::Avx512) return {normalsAvx2, overdampedStepAvx2, sparseProductAvx2};
  return {normalsScalar, overdampedStepScalar, sparseProductScalar};
}

}  // namespace heatbath::kernels
