// xoshiro128+ with one independent stream per SIMD lane.
// Every kernel (scalar or vector) must produce the same words from the same state,
// so the scalar version here is the reference the vector kernels are tested against.
#pragma once
#include <cstdint>

namespace heatbath::kernels {

constexpr int kLanes = 8;  // chains per tile = float lanes of one AVX2 register

// State words are word-major: s[k][lane]. 32-byte aligned for vector loads.
struct alignas(32) RngLanes {
  uint32_t s[4][kLanes];
};

inline uint32_t rotl32(uint32_t x, int k) {
  return (x << k) | (x >> (32 - k));
}

// One xoshiro128+ step of the state (s0, s1, s2, s3), returning its output word.
inline uint32_t xoshiroStep(uint32_t& s0, uint32_t& s1, uint32_t& s2, uint32_t& s3) {
  const uint32_t result = s0 + s3;
  const uint32_t t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl32(s3, 11);
  return result;
}

// Advances lane `lane` and returns its next 32-bit word (xoshiro128+).
inline uint32_t nextWord(RngLanes& r, int lane) {
  return xoshiroStep(r.s[0][lane], r.s[1][lane], r.s[2][lane], r.s[3][lane]);
}

// Uniform in the open interval (0, 1) from the top 24 bits: never 0, never 1,
// so the Gibbs acceptance test below is well defined at extreme fields.
inline float uniformOpen(uint32_t word) {
  return (static_cast<float>(word >> 8) + 0.5f) * (1.0f / 16777216.0f);
}

}  // namespace heatbath::kernels
