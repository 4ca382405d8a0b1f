// The analog device of thermodynamic natural gradient descent (TNGD), simulated by Euler–Maruyama
// steps in the coordinates of the Jacobian's row space.
//
// With g the device state (one unit per model parameter), J the m x N Jacobian of a batch's logits,
// H the loss's Hessian in the logits (block diagonal, one classes x classes block per example:
// scale (diag p - p p^T)) and e the loss's gradient in the logits (so grad l = J^T e), the device's
// Euler–Maruyama step
//     g' = c g - dt J^T H J g + dt J^T e + sigma xi,          c = 1 - damping dt
// changes g only along J^T and through y = J g. Writing g_k = c^k g_0 + J^T v_k + w_k (w the
// accumulated noise), the same steps read
//     v' = c v + dt (e - H y)
//     y' = c y - dt K H y + dt K e + sigma G eta              K = J J^T = G G^T
//     h' = c h + sigma eta                                    (J w = G h)
// with eta the row-space part of xi: O(m^2) per step instead of O(m N). The caller maps (v, h) back
// to g (lib/training/tngd-device.ts).
#pragma once
#include <cstdint>
#include <vector>

#include "../kernels/dense/dense_kernel.h"
#include "../kernels/langevin/langevin_kernel.h"
#include "cancel.h"
#include "memory.h"

namespace heatbath {

struct DeviceModel {
  int64_t batch = 0, classes = 0;
  const float* gram = nullptr;      // K, m x m, symmetric
  const float* probs = nullptr;     // batch x classes
  float curvatureScale = 0;         // H_s = curvatureScale (diag p_s - p_s p_s^T)
  const float* gradient = nullptr;  // e, m
  bool noisy = false;               // factor K for the noise (pivoted Cholesky, O(m^3))
};

struct DeviceRunArgs {
  int64_t steps = 0;
  float dt = 0, damping = 0, sigma = 0;
  float *y = nullptr, *v = nullptr, *h = nullptr;  // m, m and rank numbers, updated in place
};

class TngdDevice {
 public:
  explicit TngdDevice(uint64_t seed);

  // Copies one linearisation (the device keeps it until the next load), factoring K when noisy.
  // Returns an estimate of the largest eigenvalue of J^T H J (= that of K H), within a few percent.
  double load(const DeviceModel& model, const kernels::DenseKernels& dense);
  // The noise accumulated outside the steps' coordinates (lib/training/tngd-device.ts): with Q the
  // orthonormal basis J_R^T L_R^-T of J's row space, v_R += L_R^-T (h - scale L_R^-1 (J zeta)_R).
  void foldNoise(const float* h, const float* jZeta, double scale, float* v) const;
  // Runs args.steps steps. Throws ERR_NOT_FINITE (naming the step) if y diverges. load and run stop
  // with ERR_ABORTED when the calling thread's CancelScope token is cancelled.
  void run(const DeviceRunArgs& args, const kernels::DenseKernels& dense, kernels::NormalsFn normals);

  int64_t units() const { return m_; }
  int64_t rank() const { return rank_; }
  int64_t memoryBytes() const;  // the loaded linearisation, its factor and the step buffers

 private:
  // out[0, ld_) = K x (x padded to ld_ floats with zeros; out's padding gets zeros too).
  void multiplyGram(const float* x, float* out, const kernels::DenseKernels& dense) const;
  // out = H y.
  void applyCurvature(const float* y, float* out) const;
  double largestEigenvalue(const kernels::DenseKernels& dense);
  int64_t factorGram(const float* gram);

  int64_t batch_ = 0, classes_ = 0, m_ = 0, rank_ = 0;
  int64_t ld_ = 0;  // row stride of gram_ and factorT_, a multiple of 16
  float curvatureScale_ = 0;
  // Padded row-major copies (zero padding), reallocated only when a larger one is needed.
  AlignedArray<float> gram_, factorT_;  // K (m x m) and G^T (rank x m)
  size_t gramCapacity_ = 0, factorCapacity_ = 0;
  std::vector<float> eigenvector_;  // of the last power iteration, padded to ld_
  std::vector<double> factor_;      // G (m x m storage, columns [0, rank) used), float64
  std::vector<int64_t> pivots_;     // R, in pivot order
  std::vector<float> probs_, gradient_, gramGradient_, curvatureY_, product_, noise_, noiseProduct_;
  kernels::RngLanes rng_;
};

}  // namespace heatbath
