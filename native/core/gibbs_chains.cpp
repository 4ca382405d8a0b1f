#include "gibbs_chains.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "../kernels/simd/exp_poly.h"
#include "checks.h"
#include "error.h"
#include "seed.h"

namespace heatbath {

using kernels::kLanes;

namespace {

// Each kernel call covers about this many spin updates, so cancellation is noticed within ~1 ms.
constexpr int64_t kFlipsPerCall = int64_t{1} << 21;
// β is evaluated for at most this many sweeps at a time (a stack buffer per worker).
constexpr int64_t kBetasPerCall = 256;
// A call's tiles never span more than one block, so a whole group is one block of the moment kernel.
constexpr int kMaxTilesPerCall = kernels::kTilesPerBlock;

// Float sums of +-1 values are exact integers up to this many terms.
constexpr int64_t kExactFloatCount = int64_t{1} << 24;

// One worker's moment sums: per node and pair, a float partial sum, moved into exact integer totals
// before it could reach kExactFloatCount. Each add contributes at most kBlockLanes terms of +-1 (one
// block of chains), so every worker's totals, and their sum, are the same whatever the thread count.
struct MomentSums {
  std::vector<float> node, pair;
  std::vector<int64_t> nodeTotal, pairTotal;
  std::vector<uint32_t> signs;  // the kernel's scratch
  int64_t pending = 0;          // adds since the last flush
  static constexpr int64_t kMaxPending = kExactFloatCount / kernels::kBlockLanes - 1;

  void reset(int32_t n, int64_t pairs) {
    node.assign(n, 0.0f);
    pair.assign(pairs, 0.0f);
    nodeTotal.assign(n, 0);
    pairTotal.assign(pairs, 0);
    signs.assign(n, 0);
  }

  // Spins of `count` tiles of one block (node i, lane l of tile t at tiles[t][i * kBlockLanes + l]);
  // lanes from lanes[t] on are padding. A whole block goes to the kernel.
  void add(kernels::BlockMomentsFn blockMoments, const float* const* tiles, const int* lanes, int count,
           const int32_t* pairA, const int32_t* pairB) {
    constexpr int64_t kStride = kernels::kBlockLanes;
    const int32_t n = static_cast<int32_t>(nodeTotal.size());
    const int64_t pairs = static_cast<int64_t>(pairTotal.size());
    int used = 0;
    for (int t = 0; t < count; ++t)
      used += lanes[t];
    if (used == kernels::kBlockLanes) {
      blockMoments(tiles[0], n, pairA, pairB, pairs, node.data(), pair.data(), signs.data());
    } else {
      for (int32_t i = 0; i < n; ++i) {
        float sum = 0.0f;
        for (int t = 0; t < count; ++t) {
          for (int l = 0; l < lanes[t]; ++l)
            sum += tiles[t][i * kStride + l];
        }
        node[i] += sum;
      }
      for (int64_t p = 0; p < pairs; ++p) {
        float sum = 0.0f;
        for (int t = 0; t < count; ++t) {
          const float* a = tiles[t] + pairA[p] * kStride;
          const float* b = tiles[t] + pairB[p] * kStride;
          for (int l = 0; l < lanes[t]; ++l)
            sum += a[l] * b[l];
        }
        pair[p] += sum;
      }
    }
    if (++pending >= kMaxPending)
      flush();
  }

  void flush() {
    auto move = [](std::vector<float>& partial, std::vector<int64_t>& totals) {
      for (size_t k = 0; k < totals.size(); ++k) {
        totals[k] += static_cast<int64_t>(partial[k]);
        partial[k] = 0.0f;
      }
    };
    move(node, nodeTotal);
    move(pair, pairTotal);
    pending = 0;
  }
};

}  // namespace

long double GibbsChains::footprint(const SparseGraph& g, int64_t chains) {
  const int64_t tiles = (chains + kLanes - 1) / kLanes;
  const int64_t blocks = (tiles + kernels::kTilesPerBlock - 1) / kernels::kTilesPerBlock;
  const long double n = g.numNodes, slots = static_cast<long double>(g.neighbour.size());
  const long double spins = alignedBytes<float>(static_cast<long double>(blocks) * n * nodeStride_);
  const long double rng = alignedBytes<kernels::RngLanes>(tiles);
  // Per-edge and per-slot couplings, slot offsets, biases, the update order and clamp flags.
  const long double model = slots * (sizeof(float) + sizeof(int32_t)) + g.numEdges() * sizeof(float) +
                            n * (sizeof(float) + 2 * sizeof(int32_t) + 1);
  return spins + rng + model;
}

GibbsChains::GibbsChains(std::shared_ptr<const SparseGraph> graph, int64_t chains, uint64_t seed)
    : graph_(std::move(graph)), chains_(chains) {
  if (chains < 1)
    throw invalidArgument("chains must be at least 1, got " + std::to_string(chains));
  const int32_t n = graph_->numNodes;
  tiles_ = (chains + kLanes - 1) / kLanes;
  const int64_t blocks = (tiles_ + kernels::kTilesPerBlock - 1) / kernels::kTilesPerBlock;
  blockStride_ = int64_t{n} * nodeStride_;
  checkFits(footprint(*graph_, chains), std::to_string(chains) + " chains of " + std::to_string(n) + " nodes");
  spins_ = allocateAligned<float>(static_cast<size_t>(blocks * blockStride_));
  rng_ = allocateAligned<kernels::RngLanes>(static_cast<size_t>(tiles_));
  for (int64_t t = 0; t < tiles_; ++t) {
    for (int lane = 0; lane < kLanes; ++lane)
      seedLane(rng_[t], lane, seed, t * kLanes + lane);
  }
  edgeCoupling_.assign(graph_->numEdges(), 0.0f);
  slotCoupling_.assign(graph_->neighbour.size(), 0.0f);
  // Neighbour offsets in the chain store, if they fit in 32 bits (kernels manage without).
  if (int64_t{n} * nodeStride_ <= INT32_MAX) {
    slotOffset_.resize(graph_->neighbour.size());
    for (size_t s = 0; s < slotOffset_.size(); ++s)
      slotOffset_[s] = static_cast<int32_t>(graph_->neighbour[s] * nodeStride_);
  }
  bias_.assign(n, 0.0f);
  rebuildUpdateOrder();
  initRandom();
}

void GibbsChains::setParameters(const float* couplingPerEdge, const float* bias) {
  requireFinite(couplingPerEdge, graph_->numEdges(), "couplings");
  requireFinite(bias, graph_->numNodes, "biases");
  edgeCoupling_.assign(couplingPerEdge, couplingPerEdge + graph_->numEdges());
  for (size_t s = 0; s < slotCoupling_.size(); ++s)
    slotCoupling_[s] = couplingPerEdge[graph_->slotEdge[s]];
  bias_.assign(bias, bias + graph_->numNodes);
}

void GibbsChains::setClamp(const int32_t* nodes, int64_t count, const int8_t* values) {
  const int32_t n = graph_->numNodes;
  requireClampIndices(nodes, count, n, "node");
  requireSpins(values, count * chains_, "clamped values");
  // Trainers clamp the same nodes to new values every batch: the update order stays.
  const bool sameNodes = std::equal(nodes, nodes + count, clampNodes_.begin(), clampNodes_.end());
  clampNodes_.assign(nodes, nodes + count);
  clampValues_.assign(values, values + count * chains_);
  if (!sameNodes)
    rebuildUpdateOrder();
  applyClamp();
}

void GibbsChains::rebuildUpdateOrder() {
  std::vector<char> clamped(graph_->numNodes, 0);
  for (int32_t i : clampNodes_)
    clamped[i] = 1;
  order_ = localUpdateOrder(*graph_, clamped);
}

void GibbsChains::applyClamp() {
  const int64_t count = static_cast<int64_t>(clampNodes_.size());
  for (int64_t c = 0; c < chains_; ++c) {
    for (int64_t k = 0; k < count; ++k)
      spin(c / kLanes, clampNodes_[k], c % kLanes) = clampValues_[c * count + k];
  }
}

template <typename DrawSpin>
void GibbsChains::initEachSpin(DrawSpin draw) {
  const int32_t n = graph_->numNodes;
  for (int64_t t = 0; t < tiles_; ++t) {
    for (int32_t i = 0; i < n; ++i) {
      for (int lane = 0; lane < kLanes; ++lane)
        spin(t, i, lane) = draw(rng_[t], lane, i);
    }
  }
  applyClamp();
}

void GibbsChains::initRandom() {
  initEachSpin(
      [](kernels::RngLanes& rng, int lane, int32_t) { return (kernels::nextWord(rng, lane) >> 31) ? 1.0f : -1.0f; });
}

void GibbsChains::initHinton(float beta) {
  if (!std::isfinite(beta) || beta < 0)
    throw invalidArgument("beta must be finite and >= 0");
  // e^{-2 beta h_i} depends on the node alone: once per node, not once per spin.
  std::vector<float> odds(static_cast<size_t>(graph_->numNodes));
  for (int32_t i = 0; i < graph_->numNodes; ++i)
    odds[i] = kernels::expPoly(-2.0f * beta * bias_[i]);
  initEachSpin([&](kernels::RngLanes& rng, int lane, int32_t i) {
    const float u = kernels::uniformOpen(kernels::nextWord(rng, lane));
    return u * odds[i] < 1.0f - u ? 1.0f : -1.0f;
  });
}

void GibbsChains::initGiven(const int8_t* spins) {
  const int32_t n = graph_->numNodes;
  requireSpins(spins, chains_ * n, "initial spins");
  for (int64_t c = 0; c < chains_; ++c) {
    for (int32_t i = 0; i < n; ++i)
      spin(c / kLanes, i, c % kLanes) = spins[c * n + i];
  }
  applyClamp();
}

void GibbsChains::copySpins(int64_t firstChain, int width, int8_t* rows) const {
  // A transpose (store: node-major; rows: chain-major), 64 nodes at a time so each row is written
  // a whole cache line at once; rows n bytes apart would otherwise fight over the same L1 sets.
  // Spins are exactly +1.0f or -1.0f, so a conversion replaces a (mispredicted) branch.
  constexpr int32_t kChunk = 64;
  const int32_t n = graph_->numNodes;
  const float* first = &spin(firstChain / kLanes, 0, static_cast<int>(firstChain % kLanes));
  for (int32_t i0 = 0; i0 < n; i0 += kChunk) {
    const int32_t i1 = std::min(n, i0 + kChunk);
    for (int k = 0; k < width; ++k) {
      int8_t* row = rows + k * int64_t{n};
      for (int32_t i = i0; i < i1; ++i)
        row[i] = static_cast<int8_t>(first[i * nodeStride_ + k]);
    }
  }
}

void GibbsChains::readSpins(int8_t* out) const {
  for (int64_t first = 0; first < chains_; first += nodeStride_) {
    copySpins(first, static_cast<int>(std::min<int64_t>(nodeStride_, chains_ - first)), out + first * graph_->numNodes);
  }
}

kernels::SparseModel GibbsChains::kernelModel() const {
  const SparseGraph& g = *graph_;
  return kernels::SparseModel{g.numNodes,
                              g.rowStart.data(),
                              g.neighbour.data(),
                              slotCoupling_.data(),
                              bias_.data(),
                              order_.nodes.data(),
                              order_.blockStart.data(),
                              static_cast<int32_t>(order_.blockStart.size()) - 1,
                              slotOffset_.empty() ? nullptr : slotOffset_.data(),
                              nodeStride_,
                              order_.minDegree,
                              order_.maxDegree};
}

std::vector<double> GibbsChains::meanFieldPairs(const std::vector<float>& chainSums, const Observe& observe,
                                                int64_t samples) const {
  const int32_t n = graph_->numNodes;
  const int64_t numPairs = static_cast<int64_t>(observe.pairA.size());
  std::vector<double> out(numPairs, 0.0);
  for (int64_t tile = 0; tile < tiles_; ++tile) {
    const float* sums = chainSums.data() + tile * n * kLanes;
    // The last tile's unused lanes hold spins of no chain.
    const int lanes = static_cast<int>(std::min<int64_t>(kLanes, chains_ - tile * kLanes));
    for (int64_t p = 0; p < numPairs; ++p) {
      const float* a = sums + int64_t{observe.pairA[p]} * kLanes;
      const float* b = sums + int64_t{observe.pairB[p]} * kLanes;
      double dot = 0;  // sums are exact integers; their products may not fit a float's mantissa
      for (int lane = 0; lane < lanes; ++lane)
        dot += double{a[lane]} * double{b[lane]};
      out[p] += dot;
    }
  }
  const double norm = samples > 0 ? 1.0 / (static_cast<double>(samples) * samples * chains_) : 0.0;
  for (double& v : out)
    v *= norm;
  return out;
}

int64_t GibbsChains::memoryBytes() const {
  const int64_t blocks = (tiles_ + kernels::kTilesPerBlock - 1) / kernels::kTilesPerBlock;
  return blocks * blockStride_ * static_cast<int64_t>(sizeof(float)) +
         tiles_ * static_cast<int64_t>(sizeof(kernels::RngLanes)) +
         vectorBytes(slotCoupling_, bias_, edgeCoupling_, slotOffset_, clampNodes_, clampValues_);
}

long double GibbsChains::runFootprint(int64_t samples, const Observe& observe, int threads) const {
  const long double n = graph_->numNodes, chains = chains_, pairs = static_cast<long double>(observe.pairA.size());
  const long double perSample = static_cast<long double>(samples) * chains;
  long double bytes = footprint(*graph_, chains_);  // the chains themselves stay in memory during the run
  if (observe.states)
    bytes += perSample * n;
  bytes += (observe.energy + observe.magnetization) * perSample * sizeof(double);
  if (observe.moments) {
    // Per worker (at most one per tile): float partial sums, integer totals and scratch; then the means.
    bytes += std::min<int64_t>(threads, tiles_) *
             (n * (sizeof(float) + sizeof(int64_t) + sizeof(uint32_t)) + pairs * (sizeof(float) + sizeof(int64_t)));
    bytes += (n + pairs) * sizeof(double);
  }
  if (observe.chainMeans || observe.meanFieldPairs)
    bytes += static_cast<long double>(tiles_) * kLanes * n * sizeof(float);
  if (observe.chainMeans)
    bytes += chains * n * sizeof(float);
  if (observe.meanFieldPairs)
    bytes += pairs * sizeof(double);
  return bytes + static_cast<long double>(tiles_) * sizeof(int64_t);  // the task order
}

Observations GibbsChains::run(const SampleSchedule& schedule, const BetaSchedule& betas, const Observe& observe,
                              const kernels::GibbsKernels& kernelSet, ThreadPool& pool, int threads,
                              const CancelToken* cancel) {
  const SparseGraph& g = *graph_;
  const int32_t n = g.numNodes;
  const int64_t samples = schedule.samples, numPairs = static_cast<int64_t>(observe.pairA.size());
  const int64_t totalSweeps = heatbath::totalSweeps(schedule.warmup, samples, schedule.thin);
  if (betas.sweeps() != totalSweeps) {
    throw invalidArgument("the beta schedule covers " + std::to_string(betas.sweeps()) + " sweeps, the run has " +
                          std::to_string(totalSweeps));
  }
  requireNodePairs(observe.pairA.data(), observe.pairB.data(), numPairs, n);
  if (threads < 1)
    throw invalidArgument("threads must be at least 1");

  const bool perChainSums = observe.chainMeans || observe.meanFieldPairs;
  if (perChainSums && samples >= kExactFloatCount)
    throw invalidArgument("chain means need fewer than 2^24 samples");
  checkFits(runFootprint(samples, observe, threads) + betas.bytes(),
            "sampling " + std::to_string(samples) + " samples of " + std::to_string(chains_) + " chains");
  Observations out;
  const long double perSample = static_cast<long double>(samples) * chains_;
  if (observe.states)
    out.states.assign(static_cast<size_t>(perSample * n), 0);
  if (observe.energy)
    out.energy.assign(static_cast<size_t>(perSample), 0.0);
  if (observe.magnetization)
    out.magnetization.assign(static_cast<size_t>(perSample), 0.0);

  // Group tiles so every thread gets work; the grouping never changes results.
  const int64_t perThread = (tiles_ + threads - 1) / threads;
  const int64_t groupSize = std::max<int64_t>(1, std::min<int64_t>(kMaxTilesPerCall, perThread));
  const int64_t numGroups = (tiles_ + groupSize - 1) / groupSize;
  const int workers = static_cast<int>(std::min<int64_t>(threads, numGroups));
  // Task t runs group groupOfTask[t]: the workers start in evenly spaced parts of the chain store and
  // walk forward, so groups that run at the same time are far apart in memory. Handing out groups in
  // index order puts two cores on neighbouring blocks, which measured ~12 % slower on the G12 torus.
  std::vector<int64_t> groupOfTask;
  const int64_t groupsPerWorker = (numGroups + workers - 1) / workers;
  for (int64_t q = 0; q < groupsPerWorker; ++q) {
    for (int64_t w = 0; w < workers; ++w) {
      if (w * groupsPerWorker + q < numGroups)
        groupOfTask.push_back(w * groupsPerWorker + q);
    }
  }
  // Moments accumulate per worker in float partial sums of integers, flushed into exact integer totals,
  // so the per-worker sums reduce to the same result whatever the thread count.
  std::vector<MomentSums> sums(observe.moments ? workers : 0);
  std::vector<float> chainSums;  // [tile][node][lane]
  for (MomentSums& m : sums)
    m.reset(n, numPairs);
  if (perChainSums) {
    chainSums.assign(static_cast<size_t>(tiles_ * n * kLanes), 0.0f);
  }
  const kernels::SparseModel model = kernelModel();
  const int64_t flipsPerSweep = std::max<int64_t>(1, int64_t{n} * kLanes);

  auto observeTile = [&](int64_t tile, int64_t sample) {
    const float* spins = tileSpins(tile);
    const int lanes = static_cast<int>(std::min<int64_t>(kLanes, chains_ - tile * kLanes));
    if (perChainSums) {  // in the tile's own layout (contiguous adds)
      float* sums = chainSums.data() + tile * n * kLanes;
      for (int32_t i = 0; i < n; ++i) {
        for (int lane = 0; lane < kLanes; ++lane)
          sums[i * kLanes + lane] += spins[i * nodeStride_ + lane];
      }
    }
    if (observe.states)
      copySpins(tile * kLanes, lanes, out.states.data() + (sample * chains_ + tile * kLanes) * n);
    for (int lane = 0; lane < lanes; ++lane) {
      const int64_t row = sample * chains_ + tile * kLanes + lane;
      if (observe.energy) {
        double e = 0;
        for (int32_t i = 0; i < n; ++i)
          e -= double{bias_[i]} * spins[i * nodeStride_ + lane];
        for (int64_t k = 0; k < g.numEdges(); ++k) {
          e -= double{edgeCoupling_[k]} * spins[g.edgeSrc[k] * nodeStride_ + lane] *
               spins[g.edgeDst[k] * nodeStride_ + lane];
        }
        out.energy[row] = e;
      }
      if (observe.magnetization) {
        double m = 0;
        for (int32_t i = 0; i < n; ++i)
          m += spins[i * nodeStride_ + lane];
        out.magnetization[row] = m / n;
      }
    }
  };

  const auto start = std::chrono::steady_clock::now();
  pool.parallelFor(numGroups, workers, [&](int64_t task, int worker) {
    const int64_t group = groupOfTask[task];
    const int64_t firstTile = group * groupSize;
    const int count = static_cast<int>(std::min(groupSize, tiles_ - firstTile));
    kernels::ChainTile tiles[kMaxTilesPerCall];
    for (int k = 0; k < count; ++k)
      tiles[k] = {tileSpins(firstTile + k), nodeStride_, &rng_[firstTile + k]};
    const int64_t chunk = std::max<int64_t>(1, kFlipsPerCall / (flipsPerSweep * count));
    int64_t sweep = 0;
    float beta[kBetasPerCall];
    auto advance = [&](int64_t sweeps) {
      for (int64_t done = 0; done < sweeps;) {
        if (cancel != nullptr && cancel->cancelled.load(std::memory_order_relaxed))
          return false;
        const int now = static_cast<int>(std::min({chunk, kBetasPerCall, sweeps - done}));
        betas.fill(sweep, now, beta);
        kernelSet.sweeps(model, tiles, count, beta, now);
        sweep += now;
        done += now;
      }
      return true;
    };
    if (!advance(schedule.warmup))
      return;
    for (int64_t s = 0; s < samples; ++s) {
      if (s > 0 && !advance(schedule.thin))
        return;
      if (observe.moments) {
        const float* spins[kMaxTilesPerCall];
        int lanes[kMaxTilesPerCall];
        for (int k = 0; k < count; ++k) {
          spins[k] = tiles[k].spin;
          lanes[k] = static_cast<int>(std::min<int64_t>(kLanes, chains_ - (firstTile + k) * kLanes));
        }
        sums[worker].add(kernelSet.blockMoments, spins, lanes, count, observe.pairA.data(), observe.pairB.data());
      }
      for (int k = 0; k < count; ++k)
        observeTile(firstTile + k, s);
    }
  });
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (cancel != nullptr && cancel->cancelled.load())
    throw Error("ERR_ABORTED", "sampling was aborted");
  out.sweeps = totalSweeps;

  if (observe.moments) {
    const double norm = samples > 0 ? 1.0 / (static_cast<double>(samples) * chains_) : 0.0;
    out.mean.assign(n, 0.0);
    out.pairMean.assign(numPairs, 0.0);
    for (MomentSums& m : sums) {
      m.flush();
      for (int32_t i = 0; i < n; ++i)
        out.mean[i] += static_cast<double>(m.nodeTotal[i]);
      for (int64_t p = 0; p < numPairs; ++p)
        out.pairMean[p] += static_cast<double>(m.pairTotal[p]);
    }
    for (double& v : out.mean)
      v *= norm;
    for (double& v : out.pairMean)
      v *= norm;
  }
  if (observe.chainMeans) {
    out.chainMeans.assign(static_cast<size_t>(chains_ * n), 0.0f);
    const float norm = samples > 0 ? 1.0f / static_cast<float>(samples) : 0.0f;
    for (int64_t c = 0; c < chains_; ++c) {
      const float* sums = chainSums.data() + (c / kLanes) * n * kLanes + c % kLanes;
      for (int32_t i = 0; i < n; ++i)
        out.chainMeans[c * n + i] = sums[i * kLanes] * norm;
    }
  }
  if (observe.meanFieldPairs)
    out.pairMeanField = meanFieldPairs(chainSums, observe, samples);
  return out;
}

}  // namespace heatbath
