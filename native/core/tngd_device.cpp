#include "tngd_device.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "checks.h"
#include "error.h"
#include "seed.h"

namespace heatbath {

namespace {

// Steps between divergence checks: a diverging state overflows within a few steps, so checking
// every step would only cost time.
constexpr int64_t kCheckEvery = 32;

int64_t roundUp16(int64_t n) {
  return (n + 15) / 16 * 16;
}

// Copies a rows x cols row-major matrix into `out` with row stride ld (zero padding), growing out
// only when it is too small (fresh pages are costly).
void copyPadded(const float* in, int64_t rows, int64_t cols, int64_t ld, AlignedArray<float>& out, size_t& capacity) {
  const size_t need = static_cast<size_t>(std::max<int64_t>(rows * ld, 16));
  if (need > capacity) {
    out = allocateAligned<float>(need);
    capacity = need;
  }
  for (int64_t i = 0; i < rows; ++i) {
    std::copy(in + i * cols, in + (i + 1) * cols, out.get() + i * ld);
    std::fill(out.get() + i * ld + cols, out.get() + (i + 1) * ld, 0.0f);
  }
}

bool allFinite(const float* x, int64_t n) {
  float sum = 0;
  for (int64_t i = 0; i < n; ++i)
    sum += x[i] * 0.0f;  // NaN iff some x is NaN or infinite
  return sum == 0.0f;
}

}  // namespace

TngdDevice::TngdDevice(uint64_t seed) {
  // Its own streams: not those of chains 0-7 of an engine seeded alike.
  const uint64_t deviceSeed = deriveSeed(seed, "tngd-device");
  for (int lane = 0; lane < kernels::kLanes; ++lane)
    seedLane(rng_, lane, deviceSeed, lane);
}

double TngdDevice::load(const DeviceModel& model, const kernels::DenseKernels& dense) {
  if (model.batch < 1 || model.classes < 1)
    throw invalidArgument("the device needs batch >= 1 and classes >= 1");
  const int64_t m = model.batch * model.classes;
  if (!std::isfinite(model.curvatureScale) || model.curvatureScale < 0) {
    throw invalidArgument("the curvature scale must be finite and >= 0");
  }
  requireFinite(model.gram, m * m, "gram");
  requireFinite(model.probs, m, "probs");
  requireFinite(model.gradient, m, "gradient");
  batch_ = model.batch, classes_ = model.classes, m_ = m;
  curvatureScale_ = model.curvatureScale;
  probs_.assign(model.probs, model.probs + m);
  gradient_.assign(model.gradient, model.gradient + m);
  ld_ = roundUp16(m);
  copyPadded(model.gram, m, m, ld_, gram_, gramCapacity_);
  rank_ = model.noisy ? factorGram(model.gram) : 0;
  gradient_.resize(static_cast<size_t>(ld_), 0.0f);
  gramGradient_.assign(static_cast<size_t>(ld_), 0.0f);  // the products write ld_ outputs
  curvatureY_.assign(static_cast<size_t>(ld_), 0.0f);
  product_.assign(static_cast<size_t>(ld_), 0.0f);
  noise_.assign(static_cast<size_t>(roundUp16(rank_)), 0.0f);
  noiseProduct_.assign(static_cast<size_t>(ld_), 0.0f);
  multiplyGram(gradient_.data(), gramGradient_.data(), dense);
  return largestEigenvalue(dense);
}

// Pivoted (left-looking) Cholesky of K in float64: K = G G^T over the pivot rows R it picks, stopping
// when every remaining pivot is below kRankTolerance of K's largest diagonal entry (K is float32, so
// smaller pivots are rounding). Keeps G^T (rank x m, for the noise G eta of every step), the pivot
// rows and L_R = G[R, :] (lower triangular, for foldNoise). Returns the rank.
int64_t TngdDevice::factorGram(const float* gram) {
  constexpr double kRankTolerance = 1e-6;
  const int64_t m = m_;
  factor_.assign(static_cast<size_t>(m * m), 0.0);  // G, row i = original unit i, column k = step k
  std::vector<double> remaining(static_cast<size_t>(m));
  std::vector<char> chosen(static_cast<size_t>(m), 0);
  double scale = 0;
  for (int64_t i = 0; i < m; ++i)
    scale = std::max(scale, remaining[i] = gram[i * m + i]);
  pivots_.clear();
  const CancelToken* cancel = CancelScope::active();
  for (int64_t k = 0; k < m; ++k) {
    if (cancel != nullptr && cancel->isCancelled()) {
      m_ = 0;  // a device half loaded refuses to run
      throw Error("ERR_ABORTED", "loading the device was aborted");
    }
    int64_t pivot = -1;
    for (int64_t i = 0; i < m; ++i) {
      if (!chosen[i] && (pivot < 0 || remaining[i] > remaining[pivot]))
        pivot = i;
    }
    if (!(remaining[pivot] > kRankTolerance * scale))
      break;
    chosen[pivot] = 1;
    pivots_.push_back(pivot);
    const double d = std::sqrt(remaining[pivot]);
    const double* gp = factor_.data() + pivot * m;
    factor_[pivot * m + k] = d;
    for (int64_t i = 0; i < m; ++i) {
      if (chosen[i])
        continue;
      const double* gi = factor_.data() + i * m;
      double dot = 0;
      for (int64_t l = 0; l < k; ++l)
        dot += gi[l] * gp[l];
      const double g = (gram[i * m + pivot] - dot) / d;
      factor_[i * m + k] = g;
      remaining[i] -= g * g;
    }
  }
  const int64_t rank = static_cast<int64_t>(pivots_.size());
  const size_t need = static_cast<size_t>(std::max<int64_t>(rank * ld_, 16));
  if (need > factorCapacity_) {
    factorT_ = allocateAligned<float>(need);
    factorCapacity_ = need;
  }
  std::fill(factorT_.get(), factorT_.get() + rank * ld_, 0.0f);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t k = 0; k < rank; ++k)
      factorT_[k * ld_ + i] = static_cast<float>(factor_[i * m + k]);
  return rank;
}

void TngdDevice::foldNoise(const float* h, const float* jZeta, double scale, float* v) const {
  if (rank_ == 0)
    return;
  const int64_t m = m_, r = rank_;
  // c = h - scale L_R^-1 (J zeta)_R  (forward substitution)
  std::vector<double> c(static_cast<size_t>(r));
  for (int64_t a = 0; a < r; ++a) {
    const double* row = factor_.data() + pivots_[a] * m;
    double sum = jZeta[pivots_[a]];
    for (int64_t b = 0; b < a; ++b)
      sum -= row[b] * c[b];
    c[a] = sum / row[a];
  }
  for (int64_t a = 0; a < r; ++a)
    c[a] = h[a] - scale * c[a];
  // v_R += L_R^-T c  (back substitution)
  for (int64_t a = r - 1; a >= 0; --a) {
    double sum = c[a];
    for (int64_t b = a + 1; b < r; ++b)
      sum -= factor_[pivots_[b] * m + a] * c[b];
    c[a] = sum / factor_[pivots_[a] * m + a];
  }
  for (int64_t a = 0; a < r; ++a)
    v[pivots_[a]] += static_cast<float>(c[a]);
}

// Power iteration on K H (similar to the symmetric H^1/2 K H^1/2, so its eigenvalues are real and
// >= 0), started from the previous load's eigenvector (the curvature changes little between
// iterations of a training run); the growth of the iterate converges to the largest eigenvalue. The
// estimate only sets the Euler–Maruyama step, which stays stable up to twice it.
double TngdDevice::largestEigenvalue(const kernels::DenseKernels& dense) {
  constexpr int kIterations = 12;
  if (eigenvector_.size() != static_cast<size_t>(ld_)) {
    eigenvector_.assign(static_cast<size_t>(ld_), 0.0f);
    for (int64_t i = 0; i < m_; ++i)
      eigenvector_[i] = 1.0f + 0.5f * static_cast<float>((i * 7919) % 13) / 13.0f;
  }
  float* x = eigenvector_.data();
  double estimate = 0;
  for (int it = 0; it < kIterations; ++it) {
    applyCurvature(x, curvatureY_.data());
    multiplyGram(curvatureY_.data(), product_.data(), dense);
    double before = 0, after = 0;
    for (int64_t i = 0; i < m_; ++i)
      before += double(x[i]) * x[i], after += double(product_[i]) * product_[i];
    if (!(after > 0) || !(before > 0)) {
      eigenvector_.clear();  // a null direction: start afresh next time
      return estimate;
    }
    estimate = std::sqrt(after / before);
    const float scale = static_cast<float>(1 / std::sqrt(after));
    for (int64_t i = 0; i < m_; ++i)
      x[i] = product_[i] * scale;
  }
  return estimate;
}

void TngdDevice::multiplyGram(const float* x, float* out, const kernels::DenseKernels& dense) const {
  dense.gemvTransposed(gram_.get(), m_, ld_, ld_, x, out);  // K symmetric: K x = K^T x
}

void TngdDevice::applyCurvature(const float* y, float* out) const {
  for (int64_t s = 0; s < batch_; ++s) {
    const float* p = probs_.data() + s * classes_;
    const float* ys = y + s * classes_;
    float py = 0;
    for (int64_t c = 0; c < classes_; ++c)
      py += p[c] * ys[c];
    for (int64_t c = 0; c < classes_; ++c)
      out[s * classes_ + c] = curvatureScale_ * p[c] * (ys[c] - py);
  }
}

void TngdDevice::run(const DeviceRunArgs& args, const kernels::DenseKernels& dense, kernels::NormalsFn normals) {
  if (m_ == 0)
    throw invalidArgument("load a linearisation into the device before running it");
  if (!(args.dt > 0) || !std::isfinite(args.dt))
    throw invalidArgument("dt must be finite and > 0");
  if (!(args.damping >= 0) || !std::isfinite(args.damping))
    throw invalidArgument("damping must be finite and >= 0");
  if (!(args.sigma >= 0) || !std::isfinite(args.sigma))
    throw invalidArgument("sigma must be finite and >= 0");
  if (args.steps < 0)
    throw invalidArgument("steps must be >= 0");
  requireFinite(args.y, m_, "y");
  requireFinite(args.v, m_, "v");
  const bool noisy = args.sigma > 0 && rank_ > 0;
  if (noisy)
    requireFinite(args.h, rank_, "h");
  const float c = 1.0f - args.damping * args.dt, dt = args.dt, sigma = args.sigma;
  float* y = args.y;
  float* v = args.v;
  const CancelToken* cancel = CancelScope::active();
  for (int64_t step = 0; step < args.steps; ++step) {
    if (cancel != nullptr && cancel->isCancelled())
      throw Error("ERR_ABORTED", "the device run was aborted");
    applyCurvature(y, curvatureY_.data());
    multiplyGram(curvatureY_.data(), product_.data(), dense);
    for (int64_t i = 0; i < m_; ++i) {
      v[i] = c * v[i] + dt * (gradient_[i] - curvatureY_[i]);
      y[i] = c * y[i] + dt * (gramGradient_[i] - product_[i]);
    }
    if (noisy) {
      normals(rng_, noise_.data(), static_cast<int64_t>(noise_.size()) / 16);
      dense.gemvTransposed(factorT_.get(), rank_, ld_, ld_, noise_.data(), noiseProduct_.data());
      for (int64_t i = 0; i < m_; ++i)
        y[i] += sigma * noiseProduct_[i];
      for (int64_t k = 0; k < rank_; ++k)
        args.h[k] = c * args.h[k] + sigma * noise_[k];
    }
    if (((step + 1) % kCheckEvery == 0 || step + 1 == args.steps) && !allFinite(y, m_)) {
      throw Error("ERR_NOT_FINITE", "the device diverged by step " + std::to_string(step + 1) +
                                        ": dt is too large for the curvature (Euler–Maruyama needs dt < 2 / "
                                        "largest eigenvalue of F); use a smaller dt");
    }
  }
}

int64_t TngdDevice::memoryBytes() const {
  return static_cast<int64_t>((gramCapacity_ + factorCapacity_) * sizeof(float)) +
         vectorBytes(eigenvector_, factor_, pivots_, probs_, gradient_, gramGradient_, curvatureY_, product_, noise_,
                     noiseProduct_);
}

}  // namespace heatbath
