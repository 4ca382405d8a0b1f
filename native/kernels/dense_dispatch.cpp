#include "dense_dispatch.h"

namespace heatbath::kernels {

DenseKernels denseKernels(Isa isa) {
  if (isa == Isa::Avx2) return {gemmMicroAvx2, addActiveRowsAvx2, sampleRowAvx2};
  return {gemmMicroScalar, addActiveRowsScalar, sampleRowScalar};
}

}  // namespace heatbath::kernels
