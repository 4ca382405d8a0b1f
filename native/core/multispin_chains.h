// Many Markov chains of one quantized Ising model on the multispin kernel
// (kernels/multispin/multispin_kernel.h): spins one bit per chain, kBlockChains chains per node in
// one 64-byte block; chain c always has the same block, bit and random stream, so results are
// identical for any thread count, any number of chains beside it and any instruction set. The
// parameters, update rule and acceptance table are those of QuantizedChains; the random draws differ.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "../kernels/multispin/multispin_kernel.h"
#include "beta_schedule.h"
#include "cancel.h"
#include "gibbs_chains.h"
#include "graph.h"
#include "memory.h"
#include "thread_pool.h"
#include "update_order.h"

namespace heatbath {

class MultispinChains {
 public:
  MultispinChains(std::shared_ptr<const SparseGraph> graph, int64_t chains, uint64_t seed);

  // Why the multispin kernel cannot hold these parameters (naming the node and its largest
  // coupling), or "" when it can: each node needs sum_j |J_ij| <= kMaxMultispinCount.
  static std::string refusal(const SparseGraph& g, const int32_t* couplingPerEdge, const int32_t* bias);

  // As QuantizedChains::setParameters; throws refusal() when the kernel cannot hold them.
  void setParameters(const int32_t* couplingPerEdge, const int32_t* bias, double scale, int randomBits);
  void setClamp(const int32_t* nodes, int64_t count, const int8_t* values);

  void initRandom();
  void initHinton(float beta);  // each spin by the circuit with its bias alone: r < T[h_i]
  void initGiven(const int8_t* spins);

  // Observes states, moments, energy and magnetization (not chain means or mean-field pairs).
  Observations run(const SampleSchedule& schedule, const BetaSchedule& betas, const Observe& observe,
                   kernels::MultispinSweepFn sweeps, ThreadPool& pool, int threads, const CancelToken* cancel);

  void readSpins(int8_t* out) const;  // chains x nodes
  int64_t chains() const { return chains_; }
  int32_t numNodes() const { return graph_->numNodes; }
  const SparseGraph& graph() const { return *graph_; }
  int64_t memoryBytes() const;  // spins, random streams, parameters

 private:
  uint64_t* nodeWords(int64_t block, int32_t node) const {
    return spins_.get() + (block * graph_->numNodes + node) * kernels::kBlockWords;
  }
  bool spinUp(int64_t chain, int32_t node) const {
    return (nodeWords(chain / kernels::kBlockChains, node)[chain % kernels::kBlockChains / 64] >> (chain % 64)) & 1u;
  }
  void setSpin(int64_t chain, int32_t node, bool up) const;
  kernels::MultispinModel kernelModel() const;
  void rebuildUpdateOrder();
  void applyClamp();

  std::shared_ptr<const SparseGraph> graph_;
  int64_t chains_, blocks_;
  AlignedArray<uint64_t> spins_;         // [block][node][kBlockWords]
  AlignedArray<kernels::BlockRng> rng_;  // per block
  std::vector<int32_t> edgeCoupling_, bias_, termStart_, countBits_, weightSum_, base_, unitDegree_;
  std::vector<kernels::MultispinTerm> terms_;
  double scale_ = 1.0;
  int bits_ = 32;
  int32_t maxField_ = 0;
  int32_t maskField_ = 0;  // the largest |h_i| + degree of a ±J-path node
  std::vector<int32_t> clampNodes_;
  std::vector<int8_t> clampValues_;
  UpdateOrder order_;
};

}  // namespace heatbath
