// The quantized kernel of an instruction set (the AVX-512 one needs AVX512BW, else AVX2 serves).
#pragma once
#include "../dispatch.h"
#include "gibbs_int_kernel.h"

namespace heatbath::kernels {

IntSweepFn intSweeps(Isa isa);

}  // namespace heatbath::kernels
