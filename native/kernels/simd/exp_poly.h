// exp(x) for |x| <= 80 without libm: n = round(x log2 e), r = x − n ln2 in two parts (Cody–Waite,
// so large |x| keeps full precision), e^r by a degree-5 minimax polynomial on |r| <= ln2/2 in
// Horner form (5 multiply-adds; its own error 9.5e-8, about float rounding), then
// scaling by 2^n through the exponent bits. Relative error below 2e-7 over [−80, 80] (measured in
// the native tests). Scalar reference; the vector kernels evaluate the same steps with the same
// constants.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>

namespace heatbath::kernels {

constexpr float kExpClamp = 80.0f;
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;     // ln 2 rounded to few bits: n * kLn2Hi is exact
constexpr float kLn2Lo = -2.12194440e-4f;  // ln 2 − kLn2Hi
// e^r ~ 1 + r (kExpC1 + r (kExpC2 + r (kExpC3 + r (kExpC4 + r kExpC5)))), minimax relative error;
// the exact leading 1 keeps exp(0) == 1 and leaves a single rounding in the last step.
constexpr float kExpC5 = 8.2903150469e-3f;
constexpr float kExpC4 = 4.1897930205e-2f;
constexpr float kExpC3 = 1.6667635739e-1f;
constexpr float kExpC2 = 4.9999150634e-1f;
constexpr float kExpC1 = 9.9999970198e-1f;

inline float roundNearest(float x) {
  // Exact for |x| < 2^22 under round-to-nearest-even, the default FP mode.
  const float magic = 12582912.0f;  // 1.5 * 2^23
  return (x + magic) - magic;
}

inline float expPoly(float x) {
  x = std::min(std::max(x, -kExpClamp), kExpClamp);
  const float n = roundNearest(x * kLog2e);
  float r = x - n * kLn2Hi;
  r = r - n * kLn2Lo;
  float p = kExpC5;
  p = p * r + kExpC4;
  p = p * r + kExpC3;
  p = p * r + kExpC2;
  p = p * r + kExpC1;
  p = p * r + 1.0f;
  uint32_t bits;
  std::memcpy(&bits, &p, sizeof bits);
  bits += static_cast<uint32_t>(static_cast<int32_t>(n)) << 23;
  std::memcpy(&p, &bits, sizeof p);
  return p;
}

}  // namespace heatbath::kernels
