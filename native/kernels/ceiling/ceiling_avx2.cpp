// 12 independent 8-lane FMAs per round (two FMA pipes × 4-cycle latency needs ≥ 8 in flight).
// Written in assembly so the compiler cannot fold, reorder or spill the accumulators.
#include "ceiling.h"

namespace heatbath::kernels {

int64_t multiplyAddLoopAvx2(int64_t rounds) {
#if defined(__x86_64__)
  const int64_t count = rounds * 12 * 8;
  if (rounds <= 0)
    return 0;
  __asm__ volatile(
      "vxorps %%ymm0, %%ymm0, %%ymm0\n\t"
      "vmovaps %%ymm0, %%ymm1\n\tvmovaps %%ymm0, %%ymm2\n\tvmovaps %%ymm0, %%ymm3\n\t"
      "vmovaps %%ymm0, %%ymm4\n\tvmovaps %%ymm0, %%ymm5\n\tvmovaps %%ymm0, %%ymm6\n\t"
      "vmovaps %%ymm0, %%ymm7\n\tvmovaps %%ymm0, %%ymm8\n\tvmovaps %%ymm0, %%ymm9\n\t"
      "vmovaps %%ymm0, %%ymm10\n\tvmovaps %%ymm0, %%ymm11\n\tvmovaps %%ymm0, %%ymm15\n\t"
      "1:\n\t"
      "vfmadd231ps %%ymm15, %%ymm15, %%ymm0\n\tvfmadd231ps %%ymm15, %%ymm15, %%ymm1\n\t"
      "vfmadd231ps %%ymm15, %%ymm15, %%ymm2\n\tvfmadd231ps %%ymm15, %%ymm15, %%ymm3\n\t"
      "vfmadd231ps %%ymm15, %%ymm15, %%ymm4\n\tvfmadd231ps %%ymm15, %%ymm15, %%ymm5\n\t"
      "vfmadd231ps %%ymm15, %%ymm15, %%ymm6\n\tvfmadd231ps %%ymm15, %%ymm15, %%ymm7\n\t"
      "vfmadd231ps %%ymm15, %%ymm15, %%ymm8\n\tvfmadd231ps %%ymm15, %%ymm15, %%ymm9\n\t"
      "vfmadd231ps %%ymm15, %%ymm15, %%ymm10\n\tvfmadd231ps %%ymm15, %%ymm15, %%ymm11\n\t"
      "dec %0\n\t"
      "jnz 1b\n\t"
      "vzeroupper\n\t"
      : "+r"(rounds)
      :
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm15",
        "cc");
  return count;
#else
  return 0;
#endif
}

}  // namespace heatbath::kernels
