#include "accept_table.h"

#include <algorithm>
#include <cmath>

namespace heatbath {

void AcceptTable::build(int bits, int32_t maxField, double beta, double scale, bool withInverse) {
  bits_ = bits;
  maxField_ = maxField;
  beta_ = beta;
  scale_ = scale;
  const double twoBetaScale = 2.0 * beta * scale;
  table_.assign(static_cast<size_t>(2 * int64_t{maxField} + 1), 0);
  uint64_t previous = 0;
  for (int32_t field = -maxField; field <= maxField; ++field) {
    const double p = 1.0 / (1.0 + std::exp(-twoBetaScale * field));
    const uint64_t t = static_cast<uint64_t>(std::floor(std::ldexp(p, bits)));
    previous = std::max(previous, t);
    table_[field + maxField] = previous;
  }
  theta_.clear();
  if (withInverse && bits <= 16) {
    // Padded to at least 64 entries (a kernel's register pieces) plus one (a gather's 4-byte read).
    const int64_t draws = int64_t{1} << bits;
    theta_.assign(static_cast<size_t>(std::max<int64_t>(draws, 64) + 1), static_cast<int16_t>(maxField + 1));
    int32_t field = -maxField;
    for (int64_t r = 0; r < draws; ++r) {
      while (field <= maxField && table_[field + maxField] <= static_cast<uint64_t>(r))
        ++field;
      theta_[r] = static_cast<int16_t>(field);
    }
  }
  built_ = true;
}

}  // namespace heatbath
