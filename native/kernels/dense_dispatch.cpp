#include "dense_dispatch.h"

namespace heatbath::kernels {

DenseKernels denseKernels(Isa isa) {
  if (isa == Isa::Avx2) return {gemmMicroAvx2, gemmMicroRowsAvx2, addActiveRowsAvx2, sampleRowAvx2};
  return {gemmMicroScalar, gemmMicroRowsScalar, addActiveRowsScalar, sampleRowScalar};
}

}  // namespace heatbath::kernels
