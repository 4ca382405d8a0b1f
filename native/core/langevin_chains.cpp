#include "langevin_chains.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <string>

#include "../kernels/simd/normal_poly.h"
#include "checks.h"
#include "error.h"
#include "limits.h"
#include "memory.h"
#include "rbm_conditional.h"
#include "seed.h"

namespace heatbath {

using kernels::kGemmMr;

struct LangevinChains::Task {
  int64_t c0, rows;
  int worker;
  std::atomic<int64_t>* firstBad;  // step * chains + chain of the earliest non-finite state
};

using namespace langevin_run;

namespace {

constexpr int64_t kNoFailure = std::numeric_limits<int64_t>::max();

float valueAt(const std::vector<float>& values, int64_t k) {
  return values.size() == 1 ? values[0] : values[k];
}

void requireProtocol(const std::vector<float>& values, int64_t steps, const char* name, bool nonNegative) {
  if (values.size() != 1 && static_cast<int64_t>(values.size()) != steps + 1) {
    throw invalidArgument(std::string(name) + " must have 1 or steps + 1 = " + std::to_string(steps + 1) + " values");
  }
  requireFinite(values.data(), static_cast<int64_t>(values.size()), name);
  for (float value : values) {
    if (nonNegative && value < 0)
      throw invalidArgument(std::string(name) + " must be >= 0");
  }
}

void recordFailure(std::atomic<int64_t>& firstBad, int64_t code) {
  int64_t seen = firstBad.load();
  while (code < seen && !firstBad.compare_exchange_weak(seen, code)) {
  }
}

// Whether the products J x_k after k steps are needed: for the force and energy at time k (scale
// s_k), or for the heat of the steps before and after it (midpoint scales; overdamped only).
// Phases with the couplings switched off then cost no products.
bool productNeeded(const LangevinRunArgs& args, int64_t k, bool overdampedHeat) {
  if (valueAt(args.couplingScale, k) != 0.0f)
    return true;
  if (!overdampedHeat)
    return false;
  return (k > 0 && valueAt(args.couplingScale, k - 1) != 0.0f) ||
         (k < args.steps && valueAt(args.couplingScale, k + 1) != 0.0f);
}

std::string formatNumber(double x) {
  std::ostringstream s;
  s << x;
  return s.str();
}

}  // namespace

long double LangevinChains::footprint() const {
  // Positions, velocities, products, the last noise, each chain's random state (one RngLanes per chain).
  return static_cast<long double>(chains_) * (ld_ * sizeof(float) * 6 + sizeof(kernels::RngLanes));
}

LangevinChains::LangevinChains(int64_t numUnits, int64_t chains, uint64_t seed)
    : model_(numUnits), chains_(chains), ld_(model_.stride()) {
  if (chains < 1 || chains > kMaxChains)
    throw invalidArgument("chains must be in [1, 2^40]");
  checkFits(footprint(), std::to_string(chains) + " Langevin chains of " + std::to_string(numUnits) + " units");
  x_.assign(static_cast<size_t>(chains * ld_), 0.0f);
  v_.assign(x_.size(), 0.0f);
  product_.assign(x_.size(), 0.0f);
  prevNoise_.assign(x_.size(), 0.0f);
  free_.assign(ld_, 0.0f);
  std::fill(free_.begin(), free_.begin() + numUnits, 1.0f);
  rng_.resize(static_cast<size_t>(chains));
  for (int64_t c = 0; c < chains; ++c) {
    for (int lane = 0; lane < kernels::kLanes; ++lane)
      seedLane(rng_[c], lane, seed, c * kernels::kLanes + lane);
    // The first noise of a Leimkuhler–Matthews run pairs with this one.
    kernels::normalsReference(rng_[c], prevNoise_.data() + c * ld_, ld_ / 16);
  }
}

void LangevinChains::setState(const float* x) {
  const int64_t n = numUnits();
  requireFinite(x, chains_ * n, "states");
  for (int64_t c = 0; c < chains_; ++c)
    std::copy(x + c * n, x + (c + 1) * n, x_.begin() + c * ld_);
  applyClamp();
  productValid_ = false;
}

void LangevinChains::setVelocity(const float* v) {
  const int64_t n = numUnits();
  requireFinite(v, chains_ * n, "velocities");
  for (int64_t c = 0; c < chains_; ++c)
    std::copy(v + c * n, v + (c + 1) * n, v_.begin() + c * ld_);
  applyClamp();
}

void LangevinChains::setField(const float* field) {
  const int64_t n = numUnits();
  if (field == nullptr) {
    field_.clear();
    return;
  }
  requireFinite(field, chains_ * n, "field");
  field_.assign(x_.size(), 0.0f);
  for (int64_t c = 0; c < chains_; ++c)
    std::copy(field + c * n, field + (c + 1) * n, field_.begin() + c * ld_);
}

void LangevinChains::setClamp(const int32_t* nodes, int64_t count, const float* values) {
  const int64_t n = numUnits();
  requireClampIndices(nodes, count, n, "unit");
  requireFinite(values, count * chains_, "clamped values");
  clampNodes_.assign(nodes, nodes + count);
  clampValues_.assign(values, values + count * chains_);
  std::fill(free_.begin(), free_.begin() + n, 1.0f);
  for (int32_t i : clampNodes_)
    free_[i] = 0.0f;
  applyClamp();
  productValid_ = false;
}

void LangevinChains::applyClamp() {
  const int64_t width = static_cast<int64_t>(clampNodes_.size());
  for (int64_t c = 0; c < chains_; ++c) {
    for (int64_t k = 0; k < width; ++k) {
      x_[c * ld_ + clampNodes_[k]] = clampValues_[c * width + k];
      v_[c * ld_ + clampNodes_[k]] = 0.0f;
    }
  }
}

std::vector<float> LangevinChains::compact(const std::vector<float>& padded) const {
  const int64_t n = numUnits();
  std::vector<float> out(static_cast<size_t>(chains_ * n));
  for (int64_t c = 0; c < chains_; ++c) {
    std::copy(padded.begin() + c * ld_, padded.begin() + c * ld_ + n, out.begin() + c * n);
  }
  return out;
}

std::vector<float> LangevinChains::state() const {
  return compact(x_);
}
std::vector<float> LangevinChains::velocity() const {
  return compact(v_);
}

void LangevinChains::couplingProduct(const float* x, int64_t rows, float* out, int worker,
                                     const kernels::DenseKernels& dense, const kernels::LangevinKernels& kernels) {
  Scratch& s = scratch_[worker];
  if (model_.hasSparse() && !s.sparse)
    s.sparse = allocateAligned<float>(static_cast<size_t>(ld_ * kernels::kSparseChains));
  model_.couplingProduct(x, rows, out, dense, kernels.sparseProduct, s.sparse.get());
}

void LangevinChains::refreshProducts(const kernels::DenseKernels& dense, const kernels::LangevinKernels& kernels,
                                     ThreadPool& pool, int threads) {
  if (productValid_)
    return;
  model_.usePanelWidth(dense.panelWidth);
  if (model_.hasCouplings()) {
    const int64_t rowsPerTask = kGemmBlockRows;
    const int64_t tasks = (chains_ + rowsPerTask - 1) / rowsPerTask;
    const int workers = static_cast<int>(std::min<int64_t>(threads, tasks));
    if (static_cast<int>(scratch_.size()) < workers)
      scratch_.resize(workers);
    // A cancelled refresh leaves some products stale: they stay invalid.
    productValid_ = pool.parallelFor(tasks, workers, [&](int64_t t, int worker) {
      const int64_t c0 = t * rowsPerTask, rows = std::min(rowsPerTask, chains_ - c0);
      couplingProduct(x_.data() + c0 * ld_, rows, product_.data() + c0 * ld_, worker, dense, kernels);
    });
  } else {
    std::fill(product_.begin(), product_.end(), 0.0f);
    productValid_ = true;
  }
}

std::vector<double> LangevinChains::energies(float couplingScale, float fieldScale, const kernels::DenseKernels& dense,
                                             const kernels::LangevinKernels& kernels, ThreadPool& pool) {
  if (!std::isfinite(couplingScale) || !std::isfinite(fieldScale))
    throw Error("ERR_NOT_FINITE", "scales must be finite");
  refreshProducts(dense, kernels, pool, ThreadPool::hardwareThreads());
  std::vector<double> out(static_cast<size_t>(chains_));
  for (int64_t c = 0; c < chains_; ++c) {
    out[c] = model_.energy(x_.data() + c * ld_, product_.data() + c * ld_,
                           field_.empty() ? nullptr : field_.data() + c * ld_, couplingScale, fieldScale);
  }
  return out;
}

int64_t LangevinChains::memoryBytes() const {
  int64_t bytes = model_.memoryBytes() +
                  vectorBytes(x_, v_, product_, prevNoise_, field_, free_, rng_, clampNodes_, clampValues_, scratch_);
  for (const Scratch& s : scratch_) {
    bytes += vectorBytes(s.nextProduct, s.noise, s.xDotP);
    if (s.sparse)
      bytes += ld_ * kernels::kSparseChains * static_cast<int64_t>(sizeof(float));
  }
  return bytes;
}

LangevinRunResult LangevinChains::run(const LangevinRunArgs& args, const kernels::DenseKernels& dense,
                                      const kernels::LangevinKernels& kernels, ThreadPool& pool,
                                      const CancelToken* cancel) {
  if (args.steps < 0)
    throw invalidArgument("steps must be >= 0");
  if (!std::isfinite(args.dt) || !std::isfinite(args.mobility) || !std::isfinite(args.friction)) {
    throw Error("ERR_NOT_FINITE", "dt, mobility and friction must be finite");
  }
  if (!(args.dt > 0))
    throw invalidArgument("dt must be > 0, got " + formatNumber(args.dt));
  if (!(args.mobility > 0))
    throw invalidArgument("mobility must be > 0");
  if (args.integrator == Integrator::Baoab && !(args.friction > 0))
    throw invalidArgument("friction must be > 0");
  if (args.every < 1)
    throw invalidArgument("every must be >= 1");
  if (args.burnIn < 0)
    throw invalidArgument("burnIn must be >= 0");
  if (args.threads < 1)
    throw invalidArgument("threads must be at least 1");
  requireProtocol(args.kT, args.steps, "kT", true);
  requireProtocol(args.couplingScale, args.steps, "couplingScale", false);
  requireProtocol(args.fieldScale, args.steps, "fieldScale", false);
  model_.usePanelWidth(dense.panelWidth);

  const int64_t n = numUnits();
  LangevinRunResult out;
  const bool sampled = (args.observe & (kObserveTrajectory | kObserveEnergy | kObserveVelocities)) != 0;
  out.samples = sampled ? args.steps / args.every : 0;
  const long double perSample =
      static_cast<long double>(chains_) *
      (((args.observe & kObserveTrajectory) ? n * 4 : 0) + ((args.observe & kObserveVelocities) ? n * 4 : 0) + 8);
  checkFits(footprint() + perSample * out.samples + static_cast<long double>(chains_) * n * 16,
            "observing " + std::to_string(out.samples) + " samples of " + std::to_string(chains_) + " Langevin chains");
  if (args.observe & kObserveTrajectory)
    out.trajectory.assign(static_cast<size_t>(out.samples * chains_ * n), 0.0f);
  if (args.observe & kObserveVelocities)
    out.velocities.assign(static_cast<size_t>(out.samples * chains_ * n), 0.0f);
  if (args.observe & kObserveEnergy)
    out.energy.assign(static_cast<size_t>(out.samples * chains_), 0.0);
  if (args.observe & kObserveHeat)
    out.heat.assign(static_cast<size_t>(chains_), 0.0);
  if (args.observe & kObserveMoments) {
    out.mean.assign(static_cast<size_t>(chains_ * n), 0.0);
    out.meanSquare.assign(out.mean.size(), 0.0);
    out.momentSteps = std::max<int64_t>(0, args.steps - args.burnIn);
  }
  const bool overdampedHeat = !out.heat.empty() && args.integrator != Integrator::Baoab;
  // A coupled run that starts with the couplings off leaves the products stale until it needs them
  // (without couplings they are zeros, which the coupling scale may multiply at any step).
  if (!model_.hasCouplings() || productNeeded(args, 0, overdampedHeat))
    refreshProducts(dense, kernels, pool, args.threads);
  if (args.steps == 0)
    return out;

  // Blocks of chains run all steps independently; a multiple of the thread count of them, each a
  // multiple of the chains the product takes at once (the sparse kernel's or the micro-kernel's
  // rows). The split never changes results.
  const int threads = args.threads;
  const int64_t granule = model_.hasSparse() ? kernels::kSparseChains : kGemmMr;
  const int64_t rowPanels = (chains_ + granule - 1) / granule;
  const int64_t maxPanels = kGemmBlockRows / granule;
  const int64_t rounds = (rowPanels + maxPanels * threads - 1) / (maxPanels * threads);
  const int64_t rowsPerTask = (rowPanels + rounds * threads - 1) / (rounds * threads) * granule;
  const int64_t tasks = (chains_ + rowsPerTask - 1) / rowsPerTask;
  const int workers = static_cast<int>(std::min<int64_t>(threads, tasks));
  if (static_cast<int>(scratch_.size()) < workers)
    scratch_.resize(workers);
  std::atomic<int64_t> firstBad{kNoFailure};
  pool.parallelFor(tasks, workers, [&](int64_t t, int worker) {
    Task task{t * rowsPerTask, std::min(rowsPerTask, chains_ - t * rowsPerTask), worker, &firstBad};
    runBlock(args, task, dense, kernels, out, cancel);
  });
  const int64_t bad = firstBad.load();
  if (bad != kNoFailure) {
    productValid_ = false;
    const int64_t step = bad / chains_, chain = bad % chains_;
    throw Error("ERR_NOT_FINITE", "the state became non-finite at step " + std::to_string(step + 1) + " of " +
                                      std::to_string(args.steps) + " (chain " + std::to_string(chain) +
                                      "): the integrator is unstable at dt = " + formatNumber(args.dt) +
                                      " for this potential; use a smaller dt");
  }
  if (cancel != nullptr && cancel->cancelled.load()) {
    productValid_ = false;
    throw Error("ERR_ABORTED", "the simulation was aborted");
  }
  productValid_ = !model_.hasCouplings() || productNeeded(args, args.steps, overdampedHeat);
  if (out.momentSteps > 0) {
    const double scale = 1.0 / static_cast<double>(out.momentSteps);
    for (double& m : out.mean)
      m *= scale;
    for (double& m : out.meanSquare)
      m *= scale;
  }
  return out;
}

void LangevinChains::runBlock(const LangevinRunArgs& args, Task& task, const kernels::DenseKernels& dense,
                              const kernels::LangevinKernels& kernels, LangevinRunResult& out,
                              const CancelToken* cancel) {
  const int64_t n = numUnits(), c0 = task.c0, rows = task.rows, ld = ld_;
  Scratch& s = scratch_[task.worker];
  const bool coupled = model_.hasCouplings(), heat = !out.heat.empty(), baoab = args.integrator == Integrator::Baoab;
  const bool overdampedHeat = heat && !baoab;
  // Kept between runs (fresh large allocations cost page faults); every entry is written before use.
  if (coupled)
    s.nextProduct.resize(static_cast<size_t>(rows * ld));
  s.noise.resize(static_cast<size_t>(ld));
  if (overdampedHeat)
    s.xDotP.resize(static_cast<size_t>(rows));
  float* x = x_.data() + c0 * ld;
  float* v = v_.data() + c0 * ld;
  // This step's products J x alternate between their home in product_ and the scratch (no copy
  // per step); they end at home however the run stops.
  float* product = product_.data() + c0 * ld;
  float* next = coupled ? s.nextProduct.data() : nullptr;
  struct ProductsHome {
    float* home;
    float*& current;
    int64_t size;
    ~ProductsHome() {
      if (current != home)
        std::copy(current, current + size, home);
    }
  } productsHome{product, product, rows * ld};
  const float* field = field_.empty() ? nullptr : field_.data() + c0 * ld;
  auto fieldRow = [&](int64_t r) { return field == nullptr ? nullptr : field + r * ld; };
  const float *a = model_.a(), *c = model_.c(), *h = model_.h(), *mass = model_.mass(), *free = free_.data();

  // BAOAB constants: e^{-gamma dt} and the per-unit O-step noise for kT = 1.
  const double decay = baoab ? std::exp(-args.friction * args.dt) : 0.0;
  std::vector<float> oNoise(baoab ? ld : 0);
  for (int64_t i = 0; i < static_cast<int64_t>(oNoise.size()); ++i) {
    oNoise[i] = static_cast<float>(std::sqrt((1.0 - decay * decay) / mass[i])) * free[i];
  }
  const float halfDt = static_cast<float>(0.5 * args.dt);
  // v += dt/2 F(x)/m on one row, with the force's parameters at one time.
  auto kick = [&](int64_t r, float scale, float fieldScale) {
    const float* xr = x + r * ld;
    const float* pr = product + r * ld;
    const float* fr = fieldRow(r);
    float* vr = v + r * ld;
    for (int64_t i = 0; i < n; ++i) {
      float force = scale * pr[i] - a[i] * xr[i] - c[i] * xr[i] * xr[i] * xr[i] + h[i];
      if (fr != nullptr)
        force += fieldScale * fr[i];
      vr[i] += halfDt * force / mass[i] * free[i];
    }
  };
  auto finiteRow = [&](const float* row) {
    bool ok = true;
    for (int64_t i = 0; i < n; ++i)
      ok = ok && std::isfinite(row[i]);
    return ok;
  };

  for (int64_t step = 0; step < args.steps; ++step) {
    if (cancel != nullptr && cancel->cancelled.load(std::memory_order_relaxed))
      return;
    if (step * chains_ > task.firstBad->load(std::memory_order_relaxed))
      return;
    const float kT = valueAt(args.kT, step), scale = valueAt(args.couplingScale, step);
    const float fieldScale = valueAt(args.fieldScale, step);
    const float nextScale = valueAt(args.couplingScale, step + 1), nextFieldScale = valueAt(args.fieldScale, step + 1);
    bool failed = false;
    // Null products read as zeros: no couplings, or switched off with no heat to account (stale).
    const bool productNow = coupled && productNeeded(args, step, overdampedHeat);
    const bool productNext = coupled && productNeeded(args, step + 1, overdampedHeat);
    if (!baoab) {
      const float sigma = static_cast<float>(std::sqrt(2.0 * args.mobility * kT * args.dt));
      const float muDt = static_cast<float>(args.mobility * args.dt);
      const bool lm = args.integrator == Integrator::LeimkuhlerMatthews;
      const float midField = 0.5f * (fieldScale + nextFieldScale);
      // The coupling heat of the previous step, s/2 (x.P now - x.P then), completes with this step's x.P.
      const float lastMidScale = step > 0 ? 0.5f * (valueAt(args.couplingScale, step - 1) + scale) : 0.0f;
      for (int64_t r = 0; r < rows; ++r) {
        kernels.normals(rng_[c0 + r], s.noise.data(), ld / 16);
        kernels::OverdampedHeat rowHeat{0.0, 0.0};
        const kernels::OverdampedRow row{ld,
                                         a,
                                         c,
                                         h,
                                         free,
                                         fieldRow(r),
                                         productNow ? product + r * ld : nullptr,
                                         s.noise.data(),
                                         lm ? prevNoise_.data() + (c0 + r) * ld : nullptr,
                                         x + r * ld,
                                         scale,
                                         fieldScale,
                                         muDt,
                                         sigma,
                                         midField,
                                         overdampedHeat ? &rowHeat : nullptr};
        if (!kernels.overdampedStep(row)) {
          recordFailure(*task.firstBad, step * chains_ + c0 + r);
          failed = true;
          break;
        }
        if (overdampedHeat) {
          out.heat[c0 + r] += rowHeat.onsiteWork;
          if (lastMidScale != 0.0f)
            out.heat[c0 + r] += 0.5 * lastMidScale * (rowHeat.xDotP - s.xDotP[r]);
          s.xDotP[r] = rowHeat.xDotP;
        }
      }
      if (failed)
        return;
      if (productNext) {
        couplingProduct(x, rows, next, task.worker, dense, kernels);
        std::swap(product, next);
      }
    } else {
      const float kTMid = 0.5f * (kT + valueAt(args.kT, step + 1));
      const float noiseScale = std::sqrt(kTMid);
      const float decayF = static_cast<float>(decay);
      for (int64_t r = 0; r < rows; ++r) {
        float* xr = x + r * ld;
        float* vr = v + r * ld;
        kick(r, scale, fieldScale);
        for (int64_t i = 0; i < n; ++i)
          xr[i] += halfDt * vr[i] * free[i];
        kernels.normals(rng_[c0 + r], s.noise.data(), ld / 16);
        double released = 0.0;
        for (int64_t i = 0; i < n; ++i) {
          const float fresh = decayF * vr[i] + noiseScale * oNoise[i] * s.noise[i];
          released += 0.5 * mass[i] * (static_cast<double>(vr[i]) * vr[i] - static_cast<double>(fresh) * fresh);
          vr[i] = fresh;
          xr[i] += halfDt * vr[i] * free[i];
        }
        if (heat)
          out.heat[c0 + r] += released;
        if (!finiteRow(xr) || !finiteRow(vr)) {
          recordFailure(*task.firstBad, step * chains_ + c0 + r);
          return;
        }
      }
      if (productNext) {
        couplingProduct(x, rows, next, task.worker, dense, kernels);
        std::swap(product, next);
      }
      for (int64_t r = 0; r < rows; ++r) {
        kick(r, nextScale, nextFieldScale);
        if (!finiteRow(v + r * ld)) {
          recordFailure(*task.firstBad, step * chains_ + c0 + r);
          return;
        }
      }
    }

    const int64_t done = step + 1;
    if (out.samples > 0 && done % args.every == 0 && done / args.every <= out.samples) {
      const int64_t sample = done / args.every - 1;
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t at = (sample * chains_ + c0 + r) * n;
        if (!out.trajectory.empty())
          std::copy(x + r * ld, x + r * ld + n, out.trajectory.begin() + at);
        if (!out.velocities.empty())
          std::copy(v + r * ld, v + r * ld + n, out.velocities.begin() + at);
        if (!out.energy.empty()) {
          out.energy[sample * chains_ + c0 + r] =
              model_.energy(x + r * ld, product + r * ld, fieldRow(r), nextScale, nextFieldScale);
        }
      }
    }
    if (!out.mean.empty() && done > args.burnIn) {
      for (int64_t r = 0; r < rows; ++r) {
        double* mean = out.mean.data() + (c0 + r) * n;
        double* square = out.meanSquare.data() + (c0 + r) * n;
        const float* xr = x + r * ld;
        for (int64_t i = 0; i < n; ++i) {
          const double xi = xr[i];
          mean[i] += xi;
          square[i] += xi * xi;
        }
      }
    }
  }
  if (overdampedHeat && args.steps > 0) {
    const float lastMidScale =
        0.5f * (valueAt(args.couplingScale, args.steps - 1) + valueAt(args.couplingScale, args.steps));
    if (lastMidScale == 0.0f)
      return;
    for (int64_t r = 0; r < rows; ++r) {
      double xDotP = 0.0;
      for (int64_t i = 0; i < n; ++i)
        xDotP += static_cast<double>(x[r * ld + i]) * product[r * ld + i];
      out.heat[c0 + r] += 0.5 * lastMidScale * (xDotP - s.xDotP[r]);
    }
  }
}

}  // namespace heatbath
