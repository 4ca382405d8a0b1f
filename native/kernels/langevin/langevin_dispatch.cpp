#include "langevin_kernel.h"

namespace heatbath::kernels {

LangevinKernels langevinKernels(Isa isa) {
  // AVX-512 normals and steps give the AVX2 kernels' bits on twice the lanes; the sparse product is
  // the AVX2 kernel's (gathering neighbours, not arithmetic, sets its pace).
  if (isa == Isa::Avx512) return {normalsAvx512, overdampedStepAvx512, sparseProductAvx2};
  if (isa == Isa::Avx2) return {normalsAvx2, overdampedStepAvx2, sparseProductAvx2};
  return {normalsScalar, overdampedStepScalar, sparseProductScalar};
}

}  // namespace heatbath::kernels
