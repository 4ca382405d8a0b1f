#include "langevin_kernel.h"

namespace heatbath::kernels {

LangevinKernels langevinKernels(Isa isa) {
  // AVX-512 has its own normals (the same bits, twice the lanes); the step and the sparse product are
  // the AVX2 kernels' (memory, not arithmetic, sets their pace), so both levels give the same results.
  if (isa == Isa::Avx512) return {normalsAvx512, overdampedStepAvx2, sparseProductAvx2};
  if (isa == Isa::Avx2) return {normalsAvx2, overdampedStepAvx2, sparseProductAvx2};
  return {normalsScalar, overdampedStepScalar, sparseProductScalar};
}

}  // namespace heatbath::kernels
