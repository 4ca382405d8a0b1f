// β schedules described, not tabulated: a run carries a few numbers per schedule whatever its
// length, and the core evaluates β for each sweep as it goes. The forms mirror
// lib/training/schedules.ts, evaluated in double with the same operations as the TypeScript and
// rounded to float, so constant, linear and warm-up schedules give the same float32 values
// bit for bit (cosine and step decay call cos/pow, whose last double bit may differ across libms).
//
// A description is a flat program in prefix form (a Float64Array from JS):
//   0 v                  constant v
//   1 from to            from + (to − from)·p, p = progress(step, total)
//   2 from to            to + (from − to)(1 + cos πp)/2
//   3 v0 factor every    v0 · factor^⌊step / every⌋
//   4 steps <schedule>   step < steps ? f(0, total − steps)·step/steps : f(step − steps, total − steps)
//   5                    table[step − first] (the whole program; for schedules only JS can evaluate)
// progress(step, total) = total ≤ 1 ? 1 : clamp(step / (total − 1), 0, 1). Sweep k of a run has
// step = first + k; `total` is what the schedule sees as the run's length (may be +∞ for streams).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "limits.h"

namespace heatbath {

// warmup + (samples − 1)·thin, or ERR_INVALID_ARGUMENT above kMaxSweeps.
int64_t totalSweeps(int64_t warmup, int64_t samples, int64_t thin);

class BetaSchedule {
 public:
  // Parses and checks a description for `sweeps` sweeps (every β finite and >= 0 in float32);
  // throws ERR_INVALID_ARGUMENT naming the problem. The table (if used) must hold `sweeps` values.
  BetaSchedule(const double* program, int64_t length, std::vector<float> table, int64_t first, double total,
               int64_t sweeps);
  // A constant β for `sweeps` sweeps.
  static BetaSchedule constant(float beta, int64_t sweeps);

  // β of sweep k of the run (0 <= k < sweeps).
  float at(int64_t k) const;
  // β of sweeps [k, k + count) into out.
  void fill(int64_t k, int count, float* out) const;
  int64_t sweeps() const { return sweeps_; }
  // Bytes the description holds (its table, if any): counted in the run's memory check.
  long double bytes() const { return static_cast<long double>(table_.size()) * sizeof(float) + sizeof(*this); }

 private:
  struct Node {
    int kind;
    double a, b, c;
  };
  BetaSchedule() = default;
  size_t parse(const double* program, int64_t length, size_t at);
  double value(size_t node, double step, double total) const;
  // An upper bound of the node's values over steps [0, lastStep] (all values are >= 0).
  double upperBound(size_t node, double lastStep, double total) const;

  std::vector<Node> nodes_;  // prefix order: a warm-up's schedule follows it
  std::vector<float> table_;
  int64_t first_ = 0, sweeps_ = 0;
  double total_ = 0;
};

}  // namespace heatbath
