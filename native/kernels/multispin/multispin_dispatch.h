// The multispin kernel of an instruction set.
#pragma once
#include "../dispatch.h"
#include "multispin_kernel.h"

namespace heatbath::kernels {

MultispinSweepFn multispinKernel(Isa isa);

}  // namespace heatbath::kernels
