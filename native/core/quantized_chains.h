// Many Markov chains of one quantized (fixed-point) Ising model: integer couplings and biases times
// one scale, b-bit random draws and a table comparison per update (kernels/gibbs_int/gibbs_int_kernel.h).
// Chains live in tiles of kIntLanes as one bit each, kGroupTiles tiles per group; chain c always has
// the same tile, lane and random stream, so results are identical for any thread count, any number
// of chains beside it and any instruction set.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "../kernels/gibbs_int/gibbs_int_kernel.h"
#include "cancel.h"
#include "gibbs_chains.h"
#include "graph.h"
#include "memory.h"
#include "thread_pool.h"
#include "update_order.h"

namespace heatbath {

class QuantizedChains {
 public:
  QuantizedChains(std::shared_ptr<const SparseGraph> graph, int64_t chains, uint64_t seed);

  // Integer couplings per edge (graph edge order) and biases per node, the scale they are multiplied
  // by, and the bits of each random draw (1..32). Throws naming the first node whose field
  // |h_i| + sum_j |J_ij| exceeds kMaxIntField.
  void setParameters(const int32_t* couplingPerEdge, const int32_t* bias, double scale, int randomBits);
  void setClamp(const int32_t* nodes, int64_t count, const int8_t* values);

  void initRandom();
  void initHinton(float beta);  // each spin by the circuit with its bias alone: r < T[h_i]
  void initGiven(const int8_t* spins);

  // Observes states, moments, energy, magnetization, chain means and mean-field pairs.
  Observations run(const SampleSchedule& schedule, const BetaSchedule& betas, const Observe& observe,
                   kernels::IntSweepFn sweeps, ThreadPool& pool, int threads, const CancelToken* cancel);

  void readSpins(int8_t* out) const;  // chains x nodes
  int64_t chains() const { return chains_; }
  int32_t numNodes() const { return graph_->numNodes; }
  const SparseGraph& graph() const { return *graph_; }
  // Bytes held (spins, random streams, parameters), reported to the JS engine.
  int64_t memoryBytes() const;

 private:
  uint32_t* groupSpins(int64_t group) const {
    return spins_.get() + group * int64_t{graph_->numNodes} * kernels::kGroupTiles;
  }
  uint32_t& word(int64_t tile, int32_t node) const {
    return groupSpins(tile / kernels::kGroupTiles)[int64_t{node} * kernels::kGroupTiles + tile % kernels::kGroupTiles];
  }
  bool spinUp(int64_t chain, int32_t node) const {
    return (word(chain / kernels::kIntLanes, node) >> (chain % kernels::kIntLanes)) & 1u;
  }
  void setSpin(int64_t chain, int32_t node, bool up) const;
  int lanesOfTile(int64_t tile) const;
  kernels::QuantizedModel kernelModel() const;
  void rebuildUpdateOrder();
  void applyClamp();

  std::shared_ptr<const SparseGraph> graph_;
  int64_t chains_, tiles_, groups_;
  AlignedArray<uint32_t> spins_;       // [group][node][tile of group]
  AlignedArray<kernels::IntRng> rng_;  // tiles, padded to whole groups
  std::vector<int32_t> edgeCoupling_, slotCoupling_, bias_;
  std::vector<int16_t> slotTwiceCoupling_, base_;
  double scale_ = 1.0;
  int bits_ = 32;
  int32_t maxField_ = 0;
  std::vector<int32_t> clampNodes_;
  std::vector<int8_t> clampValues_;
  UpdateOrder order_;
};

}  // namespace heatbath
