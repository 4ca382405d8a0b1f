// The acceptance table of a quantized p-bit at one inverse temperature (kernels/gibbs_int/gibbs_int_kernel.h):
// T[I] = floor(2^b / (1 + exp(-2 beta scale I))) for |I| <= maxField, evaluated in double precision
// and made non-decreasing by a running maximum (so that its inverse theta is exact even if exp were
// not monotone in its last bit), and theta[r] = min { I : T[I] > r } for b <= 16.
#pragma once
#include <cstdint>
#include <vector>

#include "../kernels/gibbs_int/gibbs_int_kernel.h"

namespace heatbath {

class AcceptTable {
 public:
  // withInverse = false skips theta (2^b entries), which the multispin kernel does not use.
  void build(int bits, int32_t maxField, double beta, double scale, bool withInverse = true);
  bool matches(int bits, int32_t maxField, double beta, double scale) const {
    return built_ && bits == bits_ && maxField == maxField_ && beta == beta_ && scale == scale_;
  }
  kernels::AcceptView view() const {
    return {bits_, maxField_, table_.data(), theta_.empty() ? nullptr : theta_.data()};
  }
  // T[I] (I in [-maxField, maxField]).
  uint64_t threshold(int32_t field) const { return table_[field + maxField_]; }

 private:
  bool built_ = false;
  int bits_ = 0;
  int32_t maxField_ = 0;
  double beta_ = 0, scale_ = 0;
  std::vector<uint64_t> table_;
  std::vector<int16_t> theta_;
};

}  // namespace heatbath
