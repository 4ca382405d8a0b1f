// Many Markov chains of one RBM, advanced natively by block Gibbs sweeps (h | v, then v | h).
// Chain c owns a random stream seeded with (seed, c), so results are identical for any thread
// count; chains are processed in blocks of rows through the fused layer conditionals.
#pragma once
#include <cstdint>
#include <vector>

#include "../kernels/dense/dense_kernel.h"
#include "beta_schedule.h"
#include "cancel.h"
#include "gemm.h"
#include "rbm_conditional.h"
#include "thread_pool.h"

namespace heatbath {

class RbmChains {
 public:
  // Throws ERR_TOO_LARGE, before allocating, when footprint() does not fit.
  RbmChains(int64_t numVisible, int64_t numHidden, int64_t chains, uint64_t seed);

  // Bytes the chains hold: W packed twice, states, probabilities and random states.
  static long double footprint(int64_t numVisible, int64_t numHidden, int64_t chains);

  // weights: numVisible x numHidden; all finite. Packs W and W^T for the two directions, in
  // panels of panelWidth (that of the kernels run() will get; others cost one re-packing).
  void setParameters(const float* weights, const float* visibleBias, const float* hiddenBias, int panelWidth,
                     ThreadPool& pool, int threads);
  void setVisible(const float* states);  // chains x numVisible, each 0 or 1; clamps reapplied
  void initRandom();                     // visible units uniform 0/1 from each chain's stream
  // Clamps `count` distinct visible units to values (chains x count, each 0 or 1), at once and
  // after every sweep. count 0 releases all clamps.
  void setClamp(const int32_t* nodes, int64_t count, const float* values);

  // betas.sweeps() sweeps with betas.at(s) for sweep s; the visible probabilities of the last one are kept.
  void run(const BetaSchedule& betas, const kernels::DenseKernels& kernels, ThreadPool& pool, int threads,
           const CancelToken* cancel);

  const std::vector<float>& visible() const { return visible_; }
  const std::vector<float>& hidden() const { return hidden_; }
  // p(v = 1 | h) of the last half-sweep (clamped units: their clamped value); zeros before any sweep.
  const std::vector<float>& visibleProbabilities() const { return visibleProb_; }
  int64_t numVisible() const { return numVisible_; }
  int64_t numHidden() const { return numHidden_; }
  int64_t chains() const { return chains_; }
  // Bytes these chains hold (states, packed weights, generators, scratch).
  int64_t memoryBytes() const;

 private:
  void applyClamp(int64_t chain0, int64_t count, bool probabilities);

  int64_t numVisible_, numHidden_, chains_;
  std::vector<float> visible_, hidden_, visibleProb_;
  std::vector<kernels::RngLanes> rng_;  // one per chain
  PackedPanels toHidden_, toVisible_;   // W (K = visible) and W^T (K = hidden)
  std::vector<float> visibleBias_, hiddenBias_;
  std::vector<int32_t> clampNodes_;
  std::vector<float> clampValues_;           // chains x clampNodes_.size()
  std::vector<ConditionalScratch> scratch_;  // per worker
};

}  // namespace heatbath
