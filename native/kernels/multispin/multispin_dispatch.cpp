#include "multispin_dispatch.h"

namespace heatbath::kernels {

MultispinSweepFn multispinKernel(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return multispinSweepsAvx512;
    case Isa::Avx2: return multispinSweepsAvx2;
    default: return multispinSweepsScalar;
  }
}

}  // namespace heatbath::kernels
