// Seed derivation: every random stream is named by (seed, tag, index) and gets its 64-bit seed from
// deriveSeed, the same function as deriveSeed in lib/util/seed.ts (the addon exposes this one so
// tests check they agree). Chain c of a run seeded with s uses deriveSeed(s, "chain", c), so it
// always gets the same stream, whatever the number of chains, tiles or threads.
#pragma once
#include <cstdint>
#include <string_view>

#include "../kernels/simd/rng_lanes.h"

namespace heatbath {

// The splitmix64 generator: advances x and returns its next output.
inline uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// splitmix64's output function: a bijection of 64-bit words that mixes every input bit into every output bit.
constexpr uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A tag's key: FNV-1a over its UTF-8 bytes, then mixed.
constexpr uint64_t seedTagKey(std::string_view tag) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (char c : tag)
    h = (h ^ static_cast<uint8_t>(c)) * 0x100000001B3ull;
  return mix64(h);
}

// The seed of stream (tag, index) under `seed`, from the tag's key. For a fixed (tag, index) it is
// a bijection of seeds; streams of different (tag, index) are keyed apart, so seed s at index k + 1
// has nothing in common with seed s + 1 at index k.
constexpr uint64_t deriveSeed(uint64_t seed, uint64_t tagKey, uint64_t index) {
  const uint64_t key = mix64(tagKey ^ mix64(index + 0x9E3779B97F4A7C15ull));
  return mix64(mix64(seed + 0x6A09E667F3BCC909ull) ^ key);
}

constexpr uint64_t deriveSeed(uint64_t seed, std::string_view tag, uint64_t index = 0) {
  return deriveSeed(seed, seedTagKey(tag), index);
}

constexpr uint64_t kChainTag = seedTagKey("chain");

// Seeds lane `lane` of `rng` from a stream seed (e.g. deriveSeed(seed, "chain", c)).
inline void seedLaneFrom(kernels::RngLanes& rng, int lane, uint64_t streamSeed) {
  uint64_t y = streamSeed;
  const uint64_t a = splitmix64(y), b = splitmix64(y);
  rng.s[0][lane] = static_cast<uint32_t>(a);
  rng.s[1][lane] = static_cast<uint32_t>(a >> 32);
  rng.s[2][lane] = static_cast<uint32_t>(b);
  rng.s[3][lane] = static_cast<uint32_t>(b >> 32) | 1u;  // never the all-zero state
}

// Seeds lane `lane` of `rng` with the stream of chain `chain` under `seed`.
inline void seedLane(kernels::RngLanes& rng, int lane, uint64_t seed, uint64_t chain) {
  seedLaneFrom(rng, lane, deriveSeed(seed, kChainTag, chain));
}

}  // namespace heatbath
