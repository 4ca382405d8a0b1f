// Seeding of the per-chain random streams: chain c of a run seeded with s always gets the
// same stream, whatever the number of chains, tiles or threads.
#pragma once
#include <cstdint>

#include "../kernels/rng_lanes.h"

namespace heatbath {

inline uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Seeds lane `lane` of `rng` with the stream of chain `chain` under `seed`.
inline void seedLane(kernels::RngLanes& rng, int lane, uint64_t seed, uint64_t chain) {
  uint64_t x = seed;
  const uint64_t mixedSeed = splitmix64(x);
  uint64_t y = mixedSeed ^ (chain * 0xD1B54A32D192ED03ull);
  const uint64_t a = splitmix64(y), b = splitmix64(y);
  rng.s[0][lane] = static_cast<uint32_t>(a);
  rng.s[1][lane] = static_cast<uint32_t>(a >> 32);
  rng.s[2][lane] = static_cast<uint32_t>(b);
  rng.s[3][lane] = static_cast<uint32_t>(b >> 32) | 1u;  // never the all-zero state
}

}  // namespace heatbath
