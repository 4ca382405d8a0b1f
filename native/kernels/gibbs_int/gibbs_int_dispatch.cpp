#include "gibbs_int_dispatch.h"

namespace heatbath::kernels {

namespace {

bool cpuHasAvx512bw() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512bw");
#else
  return false;
#endif
}

}  // namespace

IntSweepFn intSweeps(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return cpuHasAvx512bw() ? intSweepsAvx512 : intSweepsAvx2;
    case Isa::Avx2: return intSweepsAvx2;
    default: return intSweepsScalar;
  }
}

}  // namespace heatbath::kernels
