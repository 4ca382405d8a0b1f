// Tests of seed derivation (core/seed).
#include "fixtures.h"

namespace {

void testSeeds() {
  std::printf("seeds\n");
  static_assert(deriveSeed(1, "chain", 2) == deriveSeed(1, kChainTag, 2));
  CHECK(deriveSeed(5, "dtm-generate", 1) != deriveSeed(6, "dtm-generate", 0));
  CHECK(deriveSeed(5, "a", 0) != deriveSeed(5, "b", 0));
  std::unordered_set<uint64_t> seen;
  int64_t count = 0;
  for (const char* tag : {"chain", "conditional", "normals", "dtm-generate"}) {
    for (uint64_t seed = 0; seed < 300; ++seed) {
      for (uint64_t index = 0; index < 300; ++index, ++count)
        seen.insert(deriveSeed(seed, tag, index));
    }
  }
  CHECK(static_cast<int64_t>(seen.size()) == count);
  // Lanes seeded for chains c and c + 1 of seed s, and chain c of seed s + 1, start in different states.
  kernels::RngLanes rng{};
  seedLane(rng, 0, 9, 4);
  seedLane(rng, 1, 9, 5);
  seedLane(rng, 2, 10, 4);
  CHECK(rng.s[0][0] != rng.s[0][1] && rng.s[0][0] != rng.s[0][2] && rng.s[3][0] != 0);
}

const heatbath::test::Registered registered{testSeeds};

}  // namespace
