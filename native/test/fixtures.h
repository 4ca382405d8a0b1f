// What the test files share: the headers they use, and small builders of graphs and random inputs.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <unistd.h>

#include "../core/engines.h"
#include "../core/beta_schedule.h"
#include "../core/memory.h"
#include "../core/seed.h"
#include "../core/thread_pool.h"
#include "../core/update_order.h"
#include "../kernels/simd/exp_poly.h"
#include "../kernels/simd/normal_poly.h"
#include "check.h"

using namespace heatbath;

namespace heatbath::test {

// The L x L torus (4 neighbours, or 8 for the king's graph; 4 more with `far`: the nodes two steps
// along each axis; L >= 5), plus `pendants` nodes after it, pendant k joined to torus node 7k mod 25
// alone (so a node holds two once there are more than 25).
inline SparseGraph torusGraph(int L, bool king, int pendants = 0, bool far = false) {
  std::vector<int32_t> src, dst;
  for (int k = 0; k < pendants; ++k)
    src.push_back(L * L + k), dst.push_back(7 * k % 25);
  for (int y = 0; y < L; ++y) {
    for (int x = 0; x < L; ++x) {
      const int i = y * L + x;
      const int right = y * L + (x + 1) % L, down = ((y + 1) % L) * L + x;
      src.push_back(i), dst.push_back(right);
      src.push_back(i), dst.push_back(down);
      if (king) {
        src.push_back(i), dst.push_back(((y + 1) % L) * L + (x + 1) % L);
        src.push_back(i), dst.push_back(((y + 1) % L) * L + (x + L - 1) % L);
      }
      if (far) {
        src.push_back(i), dst.push_back(y * L + (x + 2) % L);
        src.push_back(i), dst.push_back(((y + 2) % L) * L + x);
      }
    }
  }
  return buildGraph(L * L + pendants, src.data(), dst.data(), static_cast<int64_t>(src.size()));
}

inline std::vector<float> randomFloats(size_t count, uint32_t seed, float scale = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  std::vector<float> out(count);
  for (float& x : out)
    x = dist(gen);
  return out;
}

// Binary states with P(1) = density.
inline std::vector<float> randomStates(size_t count, uint32_t seed, double density) {
  std::mt19937 gen(seed);
  std::bernoulli_distribution bit(density);
  std::vector<float> out(count);
  for (float& x : out)
    x = bit(gen) ? 1.0f : 0.0f;
  return out;
}

inline bool sameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace heatbath::test

using namespace heatbath::test;
