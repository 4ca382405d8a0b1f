// Tests of the TNGD device (core/tngd_device).
#include "fixtures.h"

namespace {

void testTngdDevice() {
  std::puts("TNGD device");
  // Two examples of three classes: K = G G^T (positive definite), probabilities, gradient.
  const int64_t batch = 2, classes = 3, m = batch * classes;
  const auto g = randomFloats(m * m, 21, 1.0f);
  std::vector<float> gram(m * m, 0.0f);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < m; ++j)
      for (int64_t k = 0; k < m; ++k)
        gram[i * m + j] += g[i * m + k] * g[j * m + k];
  const std::vector<float> probs = {0.2f, 0.3f, 0.5f, 0.6f, 0.3f, 0.1f};
  const auto gradient = randomFloats(m, 22, 1.0f);
  DeviceModel model;
  model.batch = batch, model.classes = classes, model.gram = gram.data(), model.probs = probs.data();
  model.curvatureScale = 0.5f, model.gradient = gradient.data();
  // Reference: the recursion of tngd_device.h in double precision, without noise.
  const int64_t steps = 50;
  const double dt = 0.05, damping = 0.1, c = 1 - damping * dt;
  std::vector<double> y(m, 0.3), v(m, 0.0), hy(m);
  for (int64_t step = 0; step < steps; ++step) {
    for (int64_t s = 0; s < batch; ++s) {
      double py = 0;
      for (int64_t k = 0; k < classes; ++k)
        py += probs[s * classes + k] * y[s * classes + k];
      for (int64_t k = 0; k < classes; ++k)
        hy[s * classes + k] = 0.5 * probs[s * classes + k] * (y[s * classes + k] - py);
    }
    std::vector<double> next(m);
    for (int64_t i = 0; i < m; ++i) {
      double khy = 0, ke = 0;
      for (int64_t j = 0; j < m; ++j)
        khy += gram[i * m + j] * hy[j], ke += gram[i * m + j] * gradient[j];
      v[i] = c * v[i] + dt * (gradient[i] - hy[i]);
      next[i] = c * y[i] + dt * (ke - khy);
    }
    y = next;
  }
  for (kernels::Isa isa : kernels::supportedIsas()) {
    TngdDevice device(5);
    const double largest = device.load(model, kernels::denseKernels(isa));
    CHECK(largest > 0 && std::isfinite(largest));
    std::vector<float> yf(m, 0.3f), vf(m, 0.0f);
    DeviceRunArgs args;
    args.steps = steps, args.dt = static_cast<float>(dt), args.damping = static_cast<float>(damping);
    args.y = yf.data(), args.v = vf.data();
    device.run(args, kernels::denseKernels(isa), kernels::langevinKernels(isa).normals);
    double worst = 0;
    for (int64_t i = 0; i < m; ++i)
      worst = std::max(
          {worst, std::fabs(yf[i] - y[i]) / (1 + std::fabs(y[i])), std::fabs(vf[i] - v[i]) / (1 + std::fabs(v[i]))});
    CHECK(worst < 1e-4);
    // Too large a step diverges with a coded error naming the step, never silent NaN.
    args.dt = 1e4f;
    bool diverged = false;
    try {
      device.run(args, kernels::denseKernels(isa), kernels::langevinKernels(isa).normals);
    } catch (const Error& e) {
      diverged = e.code() == "ERR_NOT_FINITE" && std::string(e.what()).find("step") != std::string::npos;
    }
    CHECK(diverged);
  }
  // The noise factorisation finds K's rank: K = B B^T with B of rank 3 (m = 6).
  {
    const auto low = randomFloats(m * 3, 23, 1.0f);
    std::vector<float> lowRank(m * m, 0.0f);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < m; ++j)
        for (int64_t k = 0; k < 3; ++k)
          lowRank[i * m + j] += low[i * 3 + k] * low[j * 3 + k];
    DeviceModel noisy = model;
    noisy.gram = lowRank.data(), noisy.noisy = true;
    TngdDevice device(3);
    device.load(noisy, kernels::denseKernels(kernels::defaultIsa()));
    CHECK(device.rank() == 3);
    std::vector<float> yf(m, 0.1f), vf(m, 0.0f), h(3, 0.0f), jZeta(m, 0.5f);
    DeviceRunArgs args;
    args.steps = 20, args.dt = 0.05f, args.damping = 0.1f, args.sigma = 0.2f;
    args.y = yf.data(), args.v = vf.data(), args.h = h.data();
    device.run(args, kernels::denseKernels(kernels::defaultIsa()),
               kernels::langevinKernels(kernels::defaultIsa()).normals);
    device.foldNoise(h.data(), jZeta.data(), 0.3, vf.data());
    bool finite = true;
    for (int64_t i = 0; i < m; ++i)
      finite = finite && std::isfinite(yf[i]) && std::isfinite(vf[i]);
    CHECK(finite && (h[0] != 0.0f || h[1] != 0.0f));
    // The same seed draws the same noise.
    TngdDevice twin(3);
    twin.load(noisy, kernels::denseKernels(kernels::defaultIsa()));
    std::vector<float> y2(m, 0.1f), v2(m, 0.0f), h2(3, 0.0f);
    args.y = y2.data(), args.v = v2.data(), args.h = h2.data();
    twin.run(args, kernels::denseKernels(kernels::defaultIsa()),
             kernels::langevinKernels(kernels::defaultIsa()).normals);
    twin.foldNoise(h2.data(), jZeta.data(), 0.3, v2.data());
    CHECK(y2 == yf && v2 == vf && h2 == h);
    // With h = 0 and scale 1, foldNoise adds -L_R^-T L_R^-1 z_R = -K_RR^-1 z_R on the pivot rows R.
    // For z = K w in K's range, K_{:,R} K_RR^-1 K_{R,:} = K (K has rank |R|), so K folded = -z.
    const auto w = randomFloats(m, 24, 1.0f);
    std::vector<float> z(m, 0.0f), zeroH(3, 0.0f), folded(m, 0.0f);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < m; ++j)
        z[i] += lowRank[i * m + j] * w[j];
    twin.foldNoise(zeroH.data(), z.data(), 1.0, folded.data());
    double worst = 0;
    for (int64_t i = 0; i < m; ++i) {
      double kf = 0;
      for (int64_t j = 0; j < m; ++j)
        kf += double(lowRank[i * m + j]) * folded[j];
      worst = std::max(worst, std::fabs(kf + z[i]) / (1 + std::fabs(z[i])));
    }
    CHECK(worst < 1e-3);
  }
  TngdDevice fresh(1);
  DeviceRunArgs idle;
  std::vector<float> y1(1), v1(1);
  idle.steps = 1, idle.dt = 0.1f, idle.y = y1.data(), idle.v = v1.data();
  bool refused = false;
  try {
    fresh.run(idle, kernels::denseKernels(kernels::Isa::Scalar),
              kernels::langevinKernels(kernels::Isa::Scalar).normals);
  } catch (const Error& e) {
    refused = e.code() == "ERR_INVALID_ARGUMENT";
  }
  CHECK(refused);
  gram[3] = NAN;
  bool rejected = false;
  try {
    fresh.load(model, kernels::denseKernels(kernels::Isa::Scalar));
  } catch (const Error& e) {
    rejected = e.code() == "ERR_NOT_FINITE";
  }
  CHECK(rejected);
}

const heatbath::test::Registered registered{testTngdDevice};

}  // namespace
