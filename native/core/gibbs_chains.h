// Many Markov chains of one sparse Ising model, advanced by block Gibbs sweeps.
// Chains live in tiles of kernels::kLanes; chain c has its own random stream, so results are
// identical for any thread count and any grouping of tiles.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "../kernels/gibbs/gibbs_kernel.h"
#include "beta_schedule.h"
#include "cancel.h"
#include "graph.h"
#include "update_order.h"
#include "memory.h"
#include "thread_pool.h"

namespace heatbath {

// THRML semantics: `warmup` sweeps, observe sample 0, then (samples - 1) times: `thin` sweeps,
// observe. samples may be 0 (just advance `warmup` sweeps).
struct SampleSchedule {
  int64_t warmup = 0, samples = 1, thin = 1;
};

struct Observe {
  bool states = false;   // every chain's spins at every sample
  bool moments = false;  // <s_i> and <s_a s_b> for the pairs, over samples and chains
  std::vector<int32_t> pairA, pairB;
  bool energy = false;          // E(s) per sample per chain
  bool magnetization = false;   // sum_i s_i / n per sample per chain
  bool chainMeans = false;      // <s_i> of each chain over its samples
  bool meanFieldPairs = false;  // per pair, the mean over chains of m_a m_b (m: each chain's <s_i>)
};

struct Observations {
  std::vector<int8_t> states;         // samples x chains x nodes
  std::vector<double> mean;           // nodes
  std::vector<double> pairMean;       // pairs
  std::vector<double> energy;         // samples x chains
  std::vector<double> magnetization;  // samples x chains
  std::vector<float> chainMeans;      // chains x nodes
  std::vector<double> pairMeanField;  // pairs
  int64_t sweeps = 0;
  double seconds = 0;
};

class GibbsChains {
 public:
  // Throws ERR_TOO_LARGE, before allocating, when footprint() does not fit.
  GibbsChains(std::shared_ptr<const SparseGraph> graph, int64_t chains, uint64_t seed);

  // Bytes `chains` chains on graph g hold: spins, random states, couplings, update order.
  static long double footprint(const SparseGraph& g, int64_t chains);

  // Per-edge couplings (in the graph's edge order) and per-node biases; all must be finite.
  void setParameters(const float* couplingPerEdge, const float* bias);
  // Clamps `count` distinct nodes; values holds chains x count spins (+1/-1). Clamped nodes are
  // never updated. Applies to the current state at once.
  void setClamp(const int32_t* nodes, int64_t count, const int8_t* values);

  void initRandom();
  void initHinton(float beta);          // each spin from its bias alone: P(+1) = sigmoid(2 beta h_i)
  void initGiven(const int8_t* spins);  // chains x nodes, +1/-1

  // Runs the schedule with β of sweep k from `betas` (which covers the schedule's sweeps). Checks the
  // chains' footprint plus everything the run allocates (runFootprint) in one check before allocating.
  Observations run(const SampleSchedule& schedule, const BetaSchedule& betas, const Observe& observe,
                   const kernels::GibbsKernels& kernelSet, ThreadPool& pool, int threads, const CancelToken* cancel);

  // Bytes a run holds: the chains' footprint and the observation buffers and scratch it allocates.
  long double runFootprint(int64_t samples, const Observe& observe, int threads) const;

  void readSpins(int8_t* out) const;  // chains x nodes
  int64_t chains() const { return chains_; }
  int32_t numNodes() const { return graph_->numNodes; }
  const SparseGraph& graph() const { return *graph_; }
  // Bytes these chains hold (states, generators, parameters; the shared graph not included).
  int64_t memoryBytes() const;

 private:
  // Spin of `node` in `lane` of `tile`.
  float& spin(int64_t tile, int32_t node, int lane) const { return tileSpins(tile)[node * nodeStride_ + lane]; }
  float* tileSpins(int64_t tile) const {
    return spins_.get() + (tile / kernels::kTilesPerBlock) * blockStride_ +
           (tile % kernels::kTilesPerBlock) * kernels::kLanes;
  }
  kernels::SparseModel kernelModel() const;
  // Spins of chains [firstChain, firstChain + width) (within one block) as rows of ±1 bytes.
  void copySpins(int64_t firstChain, int width, int8_t* rows) const;
  // From per-chain spin sums in tile layout ([tile][node][lane]): (1/chains) Σ_c m_a m_b per pair.
  std::vector<double> meanFieldPairs(const std::vector<float>& chainSums, const Observe& observe,
                                     int64_t samples) const;
  void rebuildUpdateOrder();
  void applyClamp();
  template <typename DrawSpin>
  void initEachSpin(DrawSpin draw);

  std::shared_ptr<const SparseGraph> graph_;
  // Tiles are stored in blocks of kernels::kTilesPerBlock, interleaved per node ([block][node][tile][lane]),
  // so the kernel's reads of one neighbour for all tiles of a call touch adjacent cache lines.
  static constexpr int64_t nodeStride_ = kernels::kBlockLanes;
  int64_t chains_, tiles_;
  int64_t blockStride_;  // floats from one block to the next
  AlignedArray<float> spins_;
  AlignedArray<kernels::RngLanes> rng_;  // tiles
  std::vector<float> slotCoupling_, bias_, edgeCoupling_;
  std::vector<int32_t> slotOffset_;  // neighbour * nodeStride_ per CSR slot (empty if it would overflow)
  std::vector<int32_t> clampNodes_;
  std::vector<int8_t> clampValues_;  // chains x clampNodes_.size()
  UpdateOrder order_;
};

}  // namespace heatbath
