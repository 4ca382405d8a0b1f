// 16 independent 16-lane FMAs per round: two 512-bit FMA pipes × 4-cycle latency need ≥ 8 in
// flight; 16 leaves room for cores with longer latency. Written in assembly so the compiler
// cannot fold, reorder or spill the accumulators.
#include "ceiling.h"

namespace heatbath::kernels {

int64_t multiplyAddLoopAvx512(int64_t rounds) {
#if defined(__x86_64__)
  const int64_t count = rounds * 16 * 16;
  if (rounds <= 0)
    return 0;
  __asm__ volatile(
      "vxorps %%xmm0, %%xmm0, %%xmm0\n\t"  // VEX xmm zeroing clears the whole zmm
      "vmovaps %%zmm0, %%zmm1\n\tvmovaps %%zmm0, %%zmm2\n\tvmovaps %%zmm0, %%zmm3\n\t"
      "vmovaps %%zmm0, %%zmm4\n\tvmovaps %%zmm0, %%zmm5\n\tvmovaps %%zmm0, %%zmm6\n\t"
      "vmovaps %%zmm0, %%zmm7\n\tvmovaps %%zmm0, %%zmm8\n\tvmovaps %%zmm0, %%zmm9\n\t"
      "vmovaps %%zmm0, %%zmm10\n\tvmovaps %%zmm0, %%zmm11\n\tvmovaps %%zmm0, %%zmm12\n\t"
      "vmovaps %%zmm0, %%zmm13\n\tvmovaps %%zmm0, %%zmm14\n\tvmovaps %%zmm0, %%zmm15\n\t"
      "vmovaps %%zmm0, %%zmm16\n\t"
      "1:\n\t"
      "vfmadd231ps %%zmm16, %%zmm16, %%zmm0\n\tvfmadd231ps %%zmm16, %%zmm16, %%zmm1\n\t"
      "vfmadd231ps %%zmm16, %%zmm16, %%zmm2\n\tvfmadd231ps %%zmm16, %%zmm16, %%zmm3\n\t"
      "vfmadd231ps %%zmm16, %%zmm16, %%zmm4\n\tvfmadd231ps %%zmm16, %%zmm16, %%zmm5\n\t"
      "vfmadd231ps %%zmm16, %%zmm16, %%zmm6\n\tvfmadd231ps %%zmm16, %%zmm16, %%zmm7\n\t"
      "vfmadd231ps %%zmm16, %%zmm16, %%zmm8\n\tvfmadd231ps %%zmm16, %%zmm16, %%zmm9\n\t"
      "vfmadd231ps %%zmm16, %%zmm16, %%zmm10\n\tvfmadd231ps %%zmm16, %%zmm16, %%zmm11\n\t"
      "vfmadd231ps %%zmm16, %%zmm16, %%zmm12\n\tvfmadd231ps %%zmm16, %%zmm16, %%zmm13\n\t"
      "vfmadd231ps %%zmm16, %%zmm16, %%zmm14\n\tvfmadd231ps %%zmm16, %%zmm16, %%zmm15\n\t"
      "dec %0\n\t"
      "jnz 1b\n\t"
      "vzeroupper\n\t"
      : "+r"(rounds)
      :
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
        "xmm13", "xmm14", "xmm15", "xmm16", "cc");
  return count;
#else
  return 0;
#endif
}

}  // namespace heatbath::kernels
