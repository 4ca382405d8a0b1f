// Portable multiply-add loop: 8 independent accumulators of multiply-then-add. An empty asm
// statement ties each accumulator to a register every round so the loop is neither folded nor
// merged into fewer chains; compilers may still vectorise it with the baseline instruction set.
#include "ceiling.h"

namespace heatbath::kernels {

int64_t multiplyAddLoopScalar(int64_t rounds) {
  float a[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  const float m = 0.999f, c = 1e-3f;
  for (int64_t r = 0; r < rounds; ++r) {
    for (float& x : a) {
      x = x * m + c;
#if defined(__x86_64__)
      __asm__ volatile("" : "+x"(x));
#elif defined(__aarch64__)
      __asm__ volatile("" : "+w"(x));
#endif
    }
  }
  volatile float sink = a[0] + a[7];
  (void)sink;
  return rounds * 8;
}

}  // namespace heatbath::kernels
