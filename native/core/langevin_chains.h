// Many chains of one Langevin network, advanced natively. Chains are the rows of a matrix, so the
// dense couplings of all chains in a block are one packed matrix product per step. Chain c draws its
// noise from its own stream seeded with (seed, c): results do not depend on the thread count.
//
// Integrators (time step dt, mobility mu, temperature kT, force F = -grad U):
//   Euler–Maruyama:       x' = x + mu dt F(x) + sqrt(2 mu kT dt) xi_n
//   Leimkuhler–Matthews:  x' = x + mu dt F(x) + sqrt(2 mu kT dt) (xi_n + xi_{n+1}) / 2
//   BAOAB (underdamped, masses m, friction gamma): v += dt/2 F/m; x += dt/2 v;
//     v = e^{-gamma dt} v + sqrt(kT/m (1 - e^{-2 gamma dt})) xi; x += dt/2 v; v += dt/2 F(x')/m
// Heat released to the bath: overdamped, the Stratonovich sum -sum grad U(x_mid) . dx (its coupling
// part s (Jx + Jx')/2 . dx = s/2 (x'.Jx' - x.Jx), measured by the step kernel); BAOAB, the kinetic
// energy the O steps give to the bath, sum 1/2 m (v^2 - v'^2). Steps whose coupling scale is 0
// compute no products.
#pragma once
#include <cstdint>
#include <vector>

#include "../kernels/dense/dense_kernel.h"
#include "../kernels/langevin/langevin_kernel.h"
#include "cancel.h"
#include "langevin_model.h"
#include "memory.h"
#include "run_protocol.h"
#include "thread_pool.h"

namespace heatbath {

enum class Integrator { EulerMaruyama = 0, LeimkuhlerMatthews = 1, Baoab = 2 };

struct LangevinRunArgs {
  Integrator integrator = Integrator::EulerMaruyama;
  int64_t steps = 0;
  double dt = 0, mobility = 1, friction = 1;
  // One value for the whole run, or steps + 1 values (at t = k dt): piecewise-linear protocols.
  std::vector<float> kT, couplingScale, fieldScale;
  int observe = 0;
  int64_t every = 1;   // trajectory / energy sample spacing in steps
  int64_t burnIn = 0;  // steps before moments start accumulating
  int threads = 1;
};

struct LangevinRunResult {
  int64_t samples = 0;                        // trajectory / energy samples per chain
  std::vector<float> trajectory, velocities;  // samples x chains x N
  std::vector<double> energy;                 // samples x chains
  std::vector<double> heat;                   // chains
  std::vector<double> mean, meanSquare;       // chains x N, over steps burnIn + 1 .. steps
  int64_t momentSteps = 0;
};

class LangevinChains {
 public:
  LangevinChains(int64_t numUnits, int64_t chains, uint64_t seed);
  // Bytes the chains hold (counted, with what a run allocates, in every memory check).
  long double footprint() const;

  LangevinModel& model() { return model_; }
  const LangevinModel& model() const { return model_; }
  int64_t chains() const { return chains_; }
  int64_t numUnits() const { return model_.numUnits(); }
  // Bytes these chains and their model hold (states, couplings, generators, scratch).
  int64_t memoryBytes() const;

  void setState(const float* x);     // chains x N, finite; clamps reapplied
  void setVelocity(const float* v);  // chains x N, finite
  // Per-chain external field f (chains x N), scaled by the run's fieldScale; null removes it.
  void setField(const float* field);
  // Clamps units to per-chain values (chains x count); count 0 releases all clamps.
  void setClamp(const int32_t* nodes, int64_t count, const float* values);
  // The model changed: cached coupling products are stale.
  void invalidate() { productValid_ = false; }

  std::vector<float> state() const;     // chains x N
  std::vector<float> velocity() const;  // chains x N
  std::vector<double> energies(float couplingScale, float fieldScale, const kernels::DenseKernels& dense,
                               const kernels::LangevinKernels& kernels, ThreadPool& pool);

  LangevinRunResult run(const LangevinRunArgs& args, const kernels::DenseKernels& dense,
                        const kernels::LangevinKernels& kernels, ThreadPool& pool, const CancelToken* cancel);

 private:
  struct Scratch {
    std::vector<float> nextProduct, noise;
    std::vector<double> xDotP;   // per row: x . J x before the current step (overdamped heat)
    AlignedArray<float> sparse;  // the sparse product's chain-minor states
  };
  struct Task;

  void applyClamp();
  void refreshProducts(const kernels::DenseKernels& dense, const kernels::LangevinKernels& kernels, ThreadPool& pool,
                       int threads);
  // J x for `rows` chains from x into out, with worker `worker`'s scratch.
  void couplingProduct(const float* x, int64_t rows, float* out, int worker, const kernels::DenseKernels& dense,
                       const kernels::LangevinKernels& kernels);
  std::vector<float> compact(const std::vector<float>& padded) const;
  void runBlock(const LangevinRunArgs& args, Task& task, const kernels::DenseKernels& dense,
                const kernels::LangevinKernels& kernels, LangevinRunResult& out, const CancelToken* cancel);

  LangevinModel model_;
  int64_t chains_, ld_;
  std::vector<float> x_, v_, product_, prevNoise_, field_, free_;
  std::vector<kernels::RngLanes> rng_;
  std::vector<int32_t> clampNodes_;
  std::vector<float> clampValues_;
  bool productValid_ = false;
  std::vector<Scratch> scratch_;  // per worker
};

}  // namespace heatbath
