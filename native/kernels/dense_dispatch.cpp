#include "dense_dispatch.h"

namespace heatbath::kernels {

DenseKernels denseKernels(Isa isa) {
  // No AVX-512 dense kernels yet: the AVX2 ones are the widest there are.
  if (isa == Isa::Avx2 || isa == Isa::Avx512) return {gemmMicroAvx2, gemmMicroRowsAvx2, addActiveRowsAvx2, sampleRowAvx2};
  return {gemmMicroScalar, gemmMicroRowsScalar, addActiveRowsScalar, sampleRowScalar};
}

}  // namespace heatbath::kernels
