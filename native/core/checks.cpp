#include "checks.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "error.h"

namespace heatbath {

void requireFinite(const float* values, int64_t count, const char* what) {
  // Chunks are tested on the exponent bits (all ones: infinite or NaN) with an OR that compilers
  // vectorise; a per-entry test with an early exit cannot be, and cost more than a 64-row product
  // on a 784 x 500 weight matrix. Only a chunk that fails is searched for the entry to name.
  constexpr int64_t kChunk = 4096;
  constexpr uint32_t kExponent = 0x7F800000u;
  for (int64_t start = 0; start < count; start += kChunk) {
    const int64_t end = std::min(count, start + kChunk);
    uint32_t bad = 0;
    for (int64_t k = start; k < end; ++k) {
      uint32_t bits;
      std::memcpy(&bits, values + k, sizeof bits);
      bad |= (bits & kExponent) == kExponent;
    }
    if (bad == 0)
      continue;
    for (int64_t k = start; k < end; ++k) {
      if (!std::isfinite(values[k])) {
        throw Error("ERR_NOT_FINITE", std::string(what) + "[" + std::to_string(k) + "] is " +
                                          (std::isnan(values[k]) ? "NaN" : "infinite"));
      }
    }
  }
}

void requireSpins(const int8_t* values, int64_t count, const char* what) {
  for (int64_t k = 0; k < count; ++k) {
    if (values[k] != 1 && values[k] != -1) {
      throw invalidArgument(std::string(what) + " must be +1 or -1; entry " + std::to_string(k) + " is " +
                            std::to_string(values[k]));
    }
  }
}

void requireBinary(const float* values, int64_t count, const char* what) {
  for (int64_t k = 0; k < count; ++k) {
    if (values[k] != 0.0f && values[k] != 1.0f) {
      throw invalidArgument(std::string(what) + " must be 0 or 1; entry " + std::to_string(k) + " is " +
                            std::to_string(values[k]));
    }
  }
}

void requireClampIndices(const int32_t* indices, int64_t count, int64_t size, const char* unit) {
  std::vector<char> seen(static_cast<size_t>(size), 0);
  for (int64_t k = 0; k < count; ++k) {
    const int32_t i = indices[k];
    if (i < 0 || i >= size)
      throw invalidArgument("clamped " + std::string(unit) + " " + std::to_string(i) + " is out of range");
    if (seen[i])
      throw invalidArgument(std::string(unit) + " " + std::to_string(i) + " is clamped twice");
    seen[i] = 1;
  }
}

void requireNodePairs(const int32_t* pairA, const int32_t* pairB, int64_t numPairs, int64_t numNodes) {
  for (int64_t p = 0; p < numPairs; ++p) {
    if (pairA[p] < 0 || pairA[p] >= numNodes || pairB[p] < 0 || pairB[p] >= numNodes) {
      throw invalidArgument("moment pair " + std::to_string(p) + " refers to a node out of range");
    }
  }
}

}  // namespace heatbath
