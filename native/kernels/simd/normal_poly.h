// Gaussian numbers without libm: Box–Muller with a polynomial log and sin/cos. Scalar reference;
// the vector kernels evaluate the same steps with the same constants (with FMA contraction).
//
// Per pair (two words w1, w2 of one lane):
//   u   = float((w1 >> 1) | 1) * 2^-31 in (0, 1]   (resolution 2^-31 near 0: |z| reaches 6.56)
//   r   = sqrt(-2 ln u)
//   phi = (k + 1/2) (pi/2) 2^-23 - pi/4 with k = bits 6..28 of w2: uniform on [-pi/4, pi/4)
//   (z1, z2) = r (cos phi, sin phi), swapped if bit 29 of w2, z1 negated if bit 31, z2 if bit 30.
// The eight reflections and quarter turns carry [-pi/4, pi/4) onto the whole circle, so the angle
// is uniform and (z1, z2) are independent standard normals. The bits used are the high ones, the
// strongest of xoshiro128+.
//
// logPoly is Cephes' logf (degree-8 polynomial, Cody–Waite ln 2); sinPoly/cosPoly are Cephes'
// sinf/cosf polynomials on [-pi/4, pi/4]. Their errors against double precision, measured in the
// native tests: log 7.9e-8 (relative; absolute near u = 1), sin 4.5e-8, cos 5.8e-8 (absolute).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>

#include "rng_lanes.h"

namespace heatbath::kernels {

constexpr float kSqrtHalf = 0.707106781186547524f;
constexpr float kLogP0 = 7.0376836292e-2f;
constexpr float kLogP1 = -1.1514610310e-1f;
constexpr float kLogP2 = 1.1676998740e-1f;
constexpr float kLogP3 = -1.2420140846e-1f;
constexpr float kLogP4 = 1.4249322787e-1f;
constexpr float kLogP5 = -1.6668057665e-1f;
constexpr float kLogP6 = 2.0000714765e-1f;
constexpr float kLogP7 = -2.4999993993e-1f;
constexpr float kLogP8 = 3.3333331174e-1f;
constexpr float kLogLn2Hi = 0.693359375f;
constexpr float kLogLn2Lo = -2.12194440e-4f;

constexpr float kSinS0 = -1.9515295891e-4f;
constexpr float kSinS1 = 8.3321608736e-3f;
constexpr float kSinS2 = -1.6666654611e-1f;
constexpr float kCosC0 = 2.443315711809948e-5f;
constexpr float kCosC1 = -1.388731625493765e-3f;
constexpr float kCosC2 = 4.166664568298827e-2f;

constexpr float kPhiScale = 1.57079632679489662f / 8388608.0f;          // (pi/2) 2^-23
constexpr float kPhiOffset = 0.5f * kPhiScale - 0.785398163397448310f;  // half a step - pi/4
constexpr float kTwoPowMinus31 = 1.0f / 2147483648.0f;

// ln u for a normal float u > 0.
inline float logPoly(float u) {
  uint32_t bits;
  std::memcpy(&bits, &u, sizeof bits);
  float e = static_cast<float>(static_cast<int32_t>(bits >> 23) - 126);
  bits = (bits & 0x807FFFFFu) | 0x3F000000u;  // mantissa in [0.5, 1)
  float m;
  std::memcpy(&m, &bits, sizeof m);
  float x;
  if (m < kSqrtHalf) {
    e -= 1.0f;
    x = m + m - 1.0f;
  } else {
    x = m - 1.0f;
  }
  const float z = x * x;
  float p = kLogP0;
  p = p * x + kLogP1;
  p = p * x + kLogP2;
  p = p * x + kLogP3;
  p = p * x + kLogP4;
  p = p * x + kLogP5;
  p = p * x + kLogP6;
  p = p * x + kLogP7;
  p = p * x + kLogP8;
  float y = p * x * z;
  y = y + e * kLogLn2Lo;
  y = y - 0.5f * z;
  return (x + y) + e * kLogLn2Hi;
}

inline float sinPoly(float phi) {
  const float z = phi * phi;
  return ((kSinS0 * z + kSinS1) * z + kSinS2) * z * phi + phi;
}

inline float cosPoly(float phi) {
  const float z = phi * phi;
  return ((kCosC0 * z + kCosC1) * z + kCosC2) * z * z - 0.5f * z + 1.0f;
}

inline float uniformLogArgument(uint32_t w1) {
  return static_cast<float>(static_cast<int32_t>((w1 >> 1) | 1u)) * kTwoPowMinus31;
}

inline float flipSign(float x, uint32_t signBit) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  bits ^= signBit & 0x80000000u;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

// Two standard normals from the words w1, w2.
inline void normalPair(uint32_t w1, uint32_t w2, float& z1, float& z2) {
  const float r = std::sqrt(-2.0f * logPoly(uniformLogArgument(w1)));
  const float phi = static_cast<float>((w2 >> 6) & 0x7FFFFFu) * kPhiScale + kPhiOffset;
  float a = r * cosPoly(phi), b = r * sinPoly(phi);
  if (w2 & (1u << 29))
    std::swap(a, b);
  z1 = flipSign(a, w2);
  z2 = flipSign(b, w2 << 1);
}

// Fills out[0, 16 * blocks): block q takes two words from each lane l, giving out[16q + l] and
// out[16q + 8 + l]. The vector kernels produce the same numbers (up to FMA rounding).
inline void normalsReference(RngLanes& rng, float* out, int64_t blocks) {
  for (int64_t q = 0; q < blocks; ++q) {
    for (int lane = 0; lane < kLanes; ++lane) {
      const uint32_t w1 = nextWord(rng, lane), w2 = nextWord(rng, lane);
      normalPair(w1, w2, out[16 * q + lane], out[16 * q + 8 + lane]);
    }
  }
}

}  // namespace heatbath::kernels
