#include "beta_schedule.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "error.h"

namespace heatbath {

namespace {

constexpr double kPi = 3.141592653589793;  // Math.PI

enum Kind { kConstant = 0, kLinear = 1, kCosine = 2, kStepDecay = 3, kWarmup = 4, kTable = 5 };

double progress(double step, double total) {
  return total <= 1 ? 1.0 : std::min(1.0, std::max(0.0, step / (total - 1)));
}

void requireBeta(double value, const char* name) {
  if (!std::isfinite(value) || value < 0) {
    throw invalidArgument(std::string("beta schedule: ") + name + " must be finite and >= 0, got " +
                          std::to_string(value));
  }
}

}  // namespace

int64_t totalSweeps(int64_t warmup, int64_t samples, int64_t thin) {
  if (warmup < 0 || samples < 0 || thin < 1)
    throw invalidArgument("schedule needs warmup >= 0, samples >= 0 and thin >= 1");
  const long double total =
      static_cast<long double>(warmup) + (samples > 0 ? static_cast<long double>(samples - 1) * thin : 0);
  if (total > static_cast<long double>(kMaxSweeps)) {
    throw invalidArgument("the schedule's warmup + (samples - 1) * thin = " +
                          std::to_string(static_cast<double>(total)) + " sweeps exceeds the limit of 2^53 - 1");
  }
  return static_cast<int64_t>(total);
}

BetaSchedule::BetaSchedule(const double* program, int64_t length, std::vector<float> table, int64_t first, double total,
                           int64_t sweeps)
    : table_(std::move(table)), first_(first), sweeps_(sweeps), total_(total) {
  if (sweeps < 0 || sweeps > kMaxSweeps)
    throw invalidArgument("beta schedule: sweeps out of range");
  if (first < 0 || first > kMaxSweeps - sweeps)
    throw invalidArgument("beta schedule: first sweep out of range");
  if (std::isnan(total))
    throw invalidArgument("beta schedule: total must be a number");
  if (length < 1)
    throw invalidArgument("beta schedule: empty description");
  if (parse(program, length, 0) != static_cast<size_t>(length)) {
    throw invalidArgument("beta schedule: unexpected values after the description");
  }
  if (nodes_[0].kind == kTable) {
    if (static_cast<int64_t>(table_.size()) != sweeps) {
      throw invalidArgument("beta schedule: the table has " + std::to_string(table_.size()) + " values for " +
                            std::to_string(sweeps) + " sweeps");
    }
    for (size_t k = 0; k < table_.size(); ++k) {
      if (!std::isfinite(table_[k]) || table_[k] < 0) {
        throw invalidArgument("beta for sweep " + std::to_string(first + static_cast<int64_t>(k)) +
                              " must be finite and >= 0");
      }
    }
  } else if (sweeps > 0) {
    // Every form is monotone between its parameters, so a bound over the run checks every sweep.
    const double bound = upperBound(0, static_cast<double>(first + sweeps - 1), total);
    if (!std::isfinite(static_cast<float>(bound))) {
      throw invalidArgument("beta schedule: beta exceeds the float32 range within the run");
    }
  }
}

BetaSchedule BetaSchedule::constant(float beta, int64_t sweeps) {
  const double program[2] = {kConstant, beta};
  return BetaSchedule(program, 2, {}, 0, static_cast<double>(sweeps), sweeps);
}

size_t BetaSchedule::parse(const double* program, int64_t length, size_t at) {
  if (at >= static_cast<size_t>(length))
    throw invalidArgument("beta schedule: the description ends early");
  const double kind = program[at];
  auto arg = [&](size_t k) {
    if (at + k >= static_cast<size_t>(length))
      throw invalidArgument("beta schedule: the description ends early");
    return program[at + k];
  };
  if (nodes_.size() > 64)
    throw invalidArgument("beta schedule: nested too deeply");
  Node node{static_cast<int>(kind), 0, 0, 0};
  if (kind == kConstant) {
    node.a = arg(1);
    requireBeta(node.a, "the constant");
    nodes_.push_back(node);
    return at + 2;
  }
  if (kind == kLinear || kind == kCosine) {
    node.a = arg(1), node.b = arg(2);
    requireBeta(node.a, "from");
    requireBeta(node.b, "to");
    nodes_.push_back(node);
    return at + 3;
  }
  if (kind == kStepDecay) {
    node.a = arg(1), node.b = arg(2), node.c = arg(3);
    requireBeta(node.a, "v0");
    if (!std::isfinite(node.b) || node.b <= 0)
      throw invalidArgument("beta schedule: factor must be finite and > 0");
    if (!(node.c >= 1 && node.c <= static_cast<double>(kMaxSweeps)) || node.c != std::floor(node.c)) {
      throw invalidArgument("beta schedule: every must be an integer >= 1");
    }
    nodes_.push_back(node);
    return at + 4;
  }
  if (kind == kWarmup) {
    node.a = arg(1);
    if (!(node.a >= 1 && node.a <= static_cast<double>(kMaxSweeps)) || node.a != std::floor(node.a)) {
      throw invalidArgument("beta schedule: warm-up steps must be an integer >= 1");
    }
    nodes_.push_back(node);
    return parse(program, length, at + 2);
  }
  if (kind == kTable && at == 0) {
    nodes_.push_back(node);
    return at + 1;
  }
  throw invalidArgument("beta schedule: unknown form " + std::to_string(kind));
}

double BetaSchedule::value(size_t node, double step, double total) const {
  const Node& n = nodes_[node];
  switch (n.kind) {
    case kConstant:
      return n.a;
    case kLinear: {
      const double delta = n.b - n.a;  // separate statements: no fused multiply-add, as in JS
      const double scaled = delta * progress(step, total);
      return n.a + scaled;
    }
    case kCosine: {
      const double wave = 1 + std::cos(kPi * progress(step, total));
      const double scaled = (n.a - n.b) * wave;
      return n.b + scaled / 2;
    }
    case kStepDecay:
      return n.a * std::pow(n.b, std::floor(step / n.c));
    case kWarmup:
      if (step < n.a) {
        const double start = value(node + 1, 0, total - n.a) * step;
        return start / n.a;
      }
      return value(node + 1, step - n.a, total - n.a);
    default:
      return table_[static_cast<size_t>(step - static_cast<double>(first_))];
  }
}

double BetaSchedule::upperBound(size_t node, double lastStep, double total) const {
  const Node& n = nodes_[node];
  switch (n.kind) {
    case kConstant:
      return n.a;
    case kLinear:
    case kCosine:
      return std::max(n.a, n.b);
    case kStepDecay:
      return std::max(n.a, value(node, lastStep, total));
    case kWarmup:
      return upperBound(node + 1, std::max(0.0, lastStep - n.a), total - n.a);
    default:
      return 0;
  }
}

float BetaSchedule::at(int64_t k) const {
  return static_cast<float>(value(0, static_cast<double>(first_ + k), total_));
}

void BetaSchedule::fill(int64_t k, int count, float* out) const {
  if (nodes_[0].kind == kConstant) {
    std::fill(out, out + count, static_cast<float>(nodes_[0].a));
    return;
  }
  for (int j = 0; j < count; ++j)
    out[j] = at(k + j);
}

}  // namespace heatbath
