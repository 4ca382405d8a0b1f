// Tests of the multiply-add ceiling loops (kernels/ceiling).
#include "fixtures.h"

namespace {

void testCeilingLoops() {
  std::puts("multiply-add ceiling loops");
  // Each level's loop does its own register width: 8 lanes x 8 (scalar), 8 x 12 (AVX2), 16 x 16
  // (AVX-512) multiply-adds per round.
  const int64_t perRound[] = {8, 12 * 8, 16 * 16};
  for (kernels::Isa isa : kernels::supportedIsas()) {
    CHECK(kernels::multiplyAddLoop(isa)(10) == 10 * perRound[static_cast<int>(isa)]);
  }
}

const heatbath::test::Registered registered{testCeilingLoops};

}  // namespace
