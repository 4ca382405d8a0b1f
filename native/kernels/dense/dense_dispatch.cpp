#include "dense_dispatch.h"

namespace heatbath::kernels {

DenseKernels denseKernels(Isa isa) {
  switch (isa) {
    case Isa::Avx512:
      return {kPanelWidthAvx512, kActiveDensityLimitAvx512, gemmMicroAvx512, gemmMicroRowsAvx512,
              addActiveRowsAvx512, sampleRowsAvx512, countOnesAvx512, listOnesAvx512, gemvTransposedAvx512};
    case Isa::Avx2:
      return {kPanelWidthAvx2, kActiveDensityLimitAvx2, gemmMicroAvx2, gemmMicroRowsAvx2,
              addActiveRowsAvx2, sampleRowsAvx2, countOnesAvx2, listOnesScalar, gemvTransposedAvx2};  // no AVX2 compress
    default:
      return {kPanelWidthAvx2, kActiveDensityLimitAvx2, gemmMicroScalar, gemmMicroRowsScalar,
              addActiveRowsScalar, sampleRowsScalar, countOnesScalar, listOnesScalar, gemvTransposedScalar};
  }
}

}  // namespace heatbath::kernels
