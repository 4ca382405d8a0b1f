// The neighbour counts the SIMD p-bit kernels unroll their field loops for.
#pragma once
#include <cstdint>
#include <type_traits>

namespace heatbath::kernels {

// Calls sweep(std::integral_constant<int, D>{}) for the largest D of 24, 20, 16, 12, 8 and 4 (the
// degrees of graph.h's lattices and jump tori) that is at most minDegree, or for D = 0 below 4.
template <typename Sweep>
inline void withUnrollDegree(int32_t minDegree, Sweep&& sweep) {
  if (minDegree >= 24)
    sweep(std::integral_constant<int, 24>{});
  else if (minDegree >= 20)
    sweep(std::integral_constant<int, 20>{});
  else if (minDegree >= 16)
    sweep(std::integral_constant<int, 16>{});
  else if (minDegree >= 12)
    sweep(std::integral_constant<int, 12>{});
  else if (minDegree >= 8)
    sweep(std::integral_constant<int, 8>{});
  else if (minDegree >= 4)
    sweep(std::integral_constant<int, 4>{});
  else
    sweep(std::integral_constant<int, 0>{});
}

}  // namespace heatbath::kernels
