// The one place that chooses an instruction set and hands out each kernel family's table for it: the
// best the CPU supports, unless overridden by HEATBATH_SIMD=scalar|avx2|avx512 or by the caller (for
// tests and benchmarks). A level's table may use a lower level's kernel where that is as fast or the
// CPU lacks an extension (AVX512BW, AVX512_VPOPCNTDQ); every choice gives the same bits.
#pragma once
#include <string>
#include <vector>

#include "ceiling/ceiling.h"
#include "dense/dense_kernel.h"
#include "gibbs/gibbs_kernel.h"
#include "gibbs_int/gibbs_int_kernel.h"
#include "langevin/langevin_kernel.h"
#include "multispin/multispin_kernel.h"

namespace heatbath::kernels {

// Ordered: each level's CPUs also run every lower level.
enum class Isa { Scalar, Avx2, Avx512 };

const char* isaName(Isa isa);
// Parses "scalar" / "avx2" / "avx512"; throws Error ERR_INVALID_ARGUMENT for unknown or unsupported names.
Isa parseIsa(const std::string& name);
std::vector<Isa> supportedIsas();  // best last
Isa bestIsa();
// The ISA named by HEATBATH_SIMD if set (validated), else bestIsa().
Isa defaultIsa();

GibbsKernels gibbsKernels(Isa isa);
IntSweepFn intSweeps(Isa isa);
MultispinSweepFn multispinSweeps(Isa isa);
DenseKernels denseKernels(Isa isa);
LangevinKernels langevinKernels(Isa isa);
// The multiply-add loop of the instruction set, so the ceiling is the peak of the kernels that run.
MultiplyAddLoopFn multiplyAddLoop(Isa isa);

}  // namespace heatbath::kernels
