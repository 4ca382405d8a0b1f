#include "rbm_chains.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "checks.h"
#include "error.h"
#include "limits.h"
#include "memory.h"
#include "seed.h"

namespace heatbath {

long double RbmChains::footprint(int64_t numVisible, int64_t numHidden, int64_t chains) {
  const long double units = static_cast<long double>(numVisible) * numHidden * 2 +
                            static_cast<long double>(chains) * (2 * numVisible + numHidden) + numVisible + numHidden;
  return units * sizeof(float) + static_cast<long double>(chains) * sizeof(kernels::RngLanes);
}

RbmChains::RbmChains(int64_t numVisible, int64_t numHidden, int64_t chains, uint64_t seed)
    : numVisible_(numVisible), numHidden_(numHidden), chains_(chains) {
  if (numVisible < 1 || numHidden < 1 || numVisible > kMaxDenseDimension || numHidden > kMaxDenseDimension) {
    throw invalidArgument("numVisible and numHidden must be in [1, 2^31)");
  }
  if (chains < 1)
    throw invalidArgument("chains must be at least 1, got " + std::to_string(chains));
  checkFits(footprint(numVisible, numHidden, chains), std::to_string(chains) + " chains of a " +
                                                          std::to_string(numVisible) + " x " +
                                                          std::to_string(numHidden) + " RBM");
  visible_.assign(static_cast<size_t>(chains * numVisible), 0.0f);
  visibleProb_.assign(visible_.size(), 0.0f);
  hidden_.assign(static_cast<size_t>(chains * numHidden), 0.0f);
  rng_.resize(static_cast<size_t>(chains));
  for (int64_t c = 0; c < chains; ++c) {
    for (int lane = 0; lane < kernels::kLanes; ++lane)
      seedLane(rng_[c], lane, seed, c * kernels::kLanes + lane);
  }
  resizePanels(toHidden_, numVisible, numHidden, kernels::kPanelWidthAvx2);
  resizePanels(toVisible_, numHidden, numVisible, kernels::kPanelWidthAvx2);
  visibleBias_.assign(numVisible, 0.0f);
  hiddenBias_.assign(numHidden, 0.0f);
  initRandom();
}

void RbmChains::setParameters(const float* weights, const float* visibleBias, const float* hiddenBias, int panelWidth,
                              ThreadPool& pool, int threads) {
  if (threads < 1)
    throw invalidArgument("threads must be at least 1");
  requireFinite(weights, numVisible_ * numHidden_, "weights");
  requireFinite(visibleBias, numVisible_, "visible biases");
  requireFinite(hiddenBias, numHidden_, "hidden biases");
  packPanels(weights, false, numVisible_, numHidden_, panelWidth, toHidden_, pool, threads);
  packPanels(weights, true, numHidden_, numVisible_, panelWidth, toVisible_, pool, threads);
  visibleBias_.assign(visibleBias, visibleBias + numVisible_);
  hiddenBias_.assign(hiddenBias, hiddenBias + numHidden_);
}

void RbmChains::setVisible(const float* states) {
  requireBinary(states, chains_ * numVisible_, "visible states");
  std::copy(states, states + chains_ * numVisible_, visible_.begin());
  applyClamp(0, chains_, false);
}

void RbmChains::initRandom() {
  for (int64_t c = 0; c < chains_; ++c) {
    float* row = visible_.data() + c * numVisible_;
    for (int64_t j = 0; j < numVisible_; ++j) {
      row[j] = (kernels::nextWord(rng_[c], static_cast<int>(j % kernels::kLanes)) >> 31) ? 1.0f : 0.0f;
    }
  }
  applyClamp(0, chains_, false);
}

void RbmChains::setClamp(const int32_t* nodes, int64_t count, const float* values) {
  requireClampIndices(nodes, count, numVisible_, "unit");
  requireBinary(values, count * chains_, "clamped values");
  clampNodes_.assign(nodes, nodes + count);
  clampValues_.assign(values, values + count * chains_);
  applyClamp(0, chains_, false);
}

void RbmChains::applyClamp(int64_t chain0, int64_t count, bool probabilities) {
  const int64_t width = static_cast<int64_t>(clampNodes_.size());
  for (int64_t c = chain0; c < chain0 + count; ++c) {
    for (int64_t k = 0; k < width; ++k) {
      const float value = clampValues_[c * width + k];
      visible_[c * numVisible_ + clampNodes_[k]] = value;
      if (probabilities)
        visibleProb_[c * numVisible_ + clampNodes_[k]] = value;
    }
  }
}

int64_t RbmChains::memoryBytes() const {
  int64_t bytes = vectorBytes(visible_, hidden_, visibleProb_, rng_, visibleBias_, hiddenBias_, clampNodes_,
                              clampValues_, scratch_);
  bytes += (toHidden_.capacity + toVisible_.capacity) * static_cast<int64_t>(sizeof(float));
  for (const ConditionalScratch& s : scratch_) {
    bytes +=
        kGemmBlockRows * s.columns * static_cast<int64_t>(sizeof(float)) + vectorBytes(s.active, s.blockStart, s.rng);
  }
  return bytes;
}

void RbmChains::run(const BetaSchedule& betas, const kernels::DenseKernels& kernels, ThreadPool& pool, int threads,
                    const CancelToken* cancel) {
  const int64_t sweeps = betas.sweeps();
  if (threads < 1)
    throw invalidArgument("threads must be at least 1");
  checkFits(footprint(numVisible_, numHidden_, chains_) + betas.bytes(), "the RBM run");
  if (sweeps == 0)
    return;
  // Packed for other kernels (the SIMD level changed since setParameters): re-lay out once.
  setPanelWidth(toHidden_, kernels.panelWidth);
  setPanelWidth(toVisible_, kernels.panelWidth);
  // Chains are independent: each task runs all sweeps for its block of chains.
  const RowBlocks blocks(chains_, threads);
  const int workers = static_cast<int>(std::min<int64_t>(threads, blocks.count()));
  if (static_cast<int>(scratch_.size()) < workers)
    scratch_.resize(workers);
  const LayerProduct up{&toHidden_, hiddenBias_.data()}, down{&toVisible_, visibleBias_.data()};
  pool.parallelFor(blocks.count(), workers, [&](int64_t block, int worker) {
    const int64_t c0 = blocks.begin(block), rows = blocks.end(block) - c0;
    if (rows == 0)
      return;
    ConditionalScratch& s = scratch_[worker];
    float* v = visible_.data() + c0 * numVisible_;
    float* h = hidden_.data() + c0 * numHidden_;
    for (int64_t sweep = 0; sweep < sweeps; ++sweep) {
      if (cancel != nullptr && cancel->cancelled.load(std::memory_order_relaxed))
        return;
      const bool last = sweep + 1 == sweeps;
      const float beta = betas.at(sweep);
      sampleLayerBlock(up, v, rows, beta, &rng_[c0], nullptr, h, ProductPath::Auto, s, kernels);
      // Half a sweep of a large model can take tens of milliseconds: poll between the halves too.
      if (cancel != nullptr && cancel->cancelled.load(std::memory_order_relaxed))
        return;
      sampleLayerBlock(down, h, rows, beta, &rng_[c0], last ? visibleProb_.data() + c0 * numVisible_ : nullptr, v,
                       ProductPath::Auto, s, kernels);
      applyClamp(c0, rows, last);
    }
  });
  if (cancel != nullptr && cancel->cancelled.load())
    throw Error("ERR_ABORTED", "sampling was aborted");
}

}  // namespace heatbath
