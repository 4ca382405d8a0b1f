// The dense engine's kernels for an instruction set (see dispatch.h for how the set is chosen).
#pragma once
#include "dense_kernel.h"
#include "../dispatch.h"

namespace heatbath::kernels {

DenseKernels denseKernels(Isa isa);

}  // namespace heatbath::kernels
