#include "multispin_chains.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>

#include "accept_table.h"
#include "error.h"
#include "seed.h"

namespace heatbath {

using kernels::kBlockChains;
using kernels::kBlockStreams;
using kernels::kBlockWords;

namespace {

// Each kernel call covers about this many spin updates, so cancellation is noticed within ~1 ms.
constexpr int64_t kFlipsPerCall = int64_t{1} << 24;
constexpr uint64_t kMultispinTag = seedTagKey("multispin");

int bitLength(int32_t x) {
  return x == 0 ? 0 : 32 - __builtin_clz(static_cast<uint32_t>(x));
}

// The words of a block that hold chains (all ones but for the last, partly used block).
uint64_t usedBits(int64_t chainsInBlock, int word) {
  const int64_t inWord = std::clamp<int64_t>(chainsInBlock - 64 * int64_t{word}, 0, 64);
  return inWord == 64 ? ~uint64_t{0} : (uint64_t{1} << inWord) - 1;
}

}  // namespace

MultispinChains::MultispinChains(std::shared_ptr<const SparseGraph> graph, int64_t chains, uint64_t seed)
    : graph_(std::move(graph)), chains_(chains) {
  if (chains < 1)
    throw invalidArgument("chains must be at least 1, got " + std::to_string(chains));
  const int32_t n = graph_->numNodes;
  blocks_ = (chains + kBlockChains - 1) / kBlockChains;
  const long double slots = static_cast<long double>(graph_->neighbour.size());
  checkFits(
      static_cast<long double>(blocks_) * (int64_t{n} * kBlockWords * sizeof(uint64_t) + sizeof(kernels::BlockRng)) +
          static_cast<long double>(graph_->numEdges()) * sizeof(int32_t) +
          slots * kernels::kMaxCountBits * sizeof(kernels::MultispinTerm) +
          static_cast<long double>(n) * 8 * sizeof(int32_t),
      "the chain states");
  spins_ = allocateAligned<uint64_t>(static_cast<size_t>(blocks_ * int64_t{n} * kBlockWords));
  rng_ = allocateAligned<kernels::BlockRng>(static_cast<size_t>(blocks_));
  for (int64_t b = 0; b < blocks_; ++b) {
    for (int l = 0; l < kBlockStreams; ++l) {
      kernels::RngLanes lane;
      seedLaneFrom(lane, 0, deriveSeed(seed, kMultispinTag, static_cast<uint64_t>(b * kBlockStreams + l)));
      for (int k = 0; k < 4; ++k)
        rng_[b].s[k][l] = lane.s[k][0];
    }
  }
  edgeCoupling_.assign(graph_->numEdges(), 0);
  bias_.assign(n, 0);
  termStart_.assign(n + 1, 0);
  countBits_.assign(n, 0);
  weightSum_.assign(n, 0);
  base_.assign(n, 0);
  unitDegree_.assign(n, 0);
  rebuildUpdateOrder();
  initRandom();
}

std::string MultispinChains::refusal(const SparseGraph& g, const int32_t* couplingPerEdge, const int32_t* bias) {
  for (int32_t i = 0; i < g.numNodes; ++i) {
    int64_t sum = 0;
    int32_t largest = 0, largestAt = -1;
    for (int32_t s = g.rowStart[i]; s < g.rowStart[i + 1]; ++s) {
      const int32_t j = couplingPerEdge[g.slotEdge[s]];
      sum += std::llabs(int64_t{j});
      if (std::abs(j) > std::abs(largest))
        largest = j, largestAt = g.neighbour[s];
    }
    if (sum > kernels::kMaxMultispinCount) {
      return "node " + std::to_string(i) + "'s couplings add up to " + std::to_string(sum) +
             " steps (sum of |J| over its " + std::to_string(g.rowStart[i + 1] - g.rowStart[i]) +
             " neighbours; its largest, " + std::to_string(largest) + ", with node " + std::to_string(largestAt) +
             "), beyond the multispin kernel's " + std::to_string(kernels::kMaxMultispinCount) +
             "; use kernel 'integer'";
    }
    if (std::llabs(int64_t{bias[i]}) + sum > kernels::kMaxIntField) {
      return "node " + std::to_string(i) + "'s bias " + std::to_string(bias[i]) + " puts its field beyond " +
             std::to_string(kernels::kMaxIntField);
    }
  }
  return "";
}

void MultispinChains::setParameters(const int32_t* couplingPerEdge, const int32_t* bias, double scale, int randomBits) {
  const SparseGraph& g = *graph_;
  if (randomBits < 1 || randomBits > 32) {
    throw invalidArgument("randomBits must be an integer in [1, 32], got " + std::to_string(randomBits));
  }
  if (!std::isfinite(scale) || scale <= 0)
    throw invalidArgument("scale must be finite and > 0");
  const std::string why = refusal(g, couplingPerEdge, bias);
  if (!why.empty())
    throw invalidArgument(why);
  std::vector<kernels::MultispinTerm> terms;
  int32_t maxField = 0, maskField = 0;
  for (int32_t i = 0; i < g.numNodes; ++i) {
    termStart_[i] = static_cast<int32_t>(terms.size());
    int32_t sum = 0;
    bool unit = true;
    for (int32_t s = g.rowStart[i]; s < g.rowStart[i + 1]; ++s) {
      sum += std::abs(couplingPerEdge[g.slotEdge[s]]);
      unit = unit && std::abs(couplingPerEdge[g.slotEdge[s]]) == 1;
    }
    // Terms by column: |J| = 3 puts the neighbour in columns 0 and 1.
    for (int column = 0; column < bitLength(sum); ++column) {
      for (int32_t s = g.rowStart[i]; s < g.rowStart[i + 1]; ++s) {
        const int32_t j = couplingPerEdge[g.slotEdge[s]];
        if ((std::abs(j) >> column) & 1)
          terms.push_back({g.neighbour[s], column, j < 0 ? ~uint64_t{0} : 0});
      }
    }
    const int32_t degree = g.rowStart[i + 1] - g.rowStart[i];
    unitDegree_[i] = unit && degree >= 1 && degree <= 8 ? degree : 0;
    if (unitDegree_[i] > 0)
      maskField = std::max(maskField, std::abs(bias[i]) + degree);
    countBits_[i] = bitLength(sum);
    weightSum_[i] = sum;
    base_[i] = bias[i] - sum;
    maxField = std::max(maxField, std::abs(bias[i]) + sum);
  }
  termStart_[g.numNodes] = static_cast<int32_t>(terms.size());
  terms_ = std::move(terms);
  edgeCoupling_.assign(couplingPerEdge, couplingPerEdge + g.numEdges());
  bias_.assign(bias, bias + g.numNodes);
  scale_ = scale;
  bits_ = randomBits;
  maxField_ = maxField;
  maskField_ = maskField;
}

void MultispinChains::setClamp(const int32_t* nodes, int64_t count, const int8_t* values) {
  const int32_t n = graph_->numNodes;
  std::vector<char> seen(n, 0);
  for (int64_t k = 0; k < count; ++k) {
    const int32_t i = nodes[k];
    if (i < 0 || i >= n)
      throw invalidArgument("clamped node " + std::to_string(i) + " is out of range");
    if (seen[i])
      throw invalidArgument("node " + std::to_string(i) + " is clamped twice");
    seen[i] = 1;
  }
  for (int64_t k = 0; k < count * chains_; ++k) {
    if (values[k] != 1 && values[k] != -1) {
      throw invalidArgument("clamped values must be +1 or -1; entry " + std::to_string(k) + " is " +
                            std::to_string(values[k]));
    }
  }
  const bool sameNodes = std::equal(nodes, nodes + count, clampNodes_.begin(), clampNodes_.end());
  clampNodes_.assign(nodes, nodes + count);
  clampValues_.assign(values, values + count * chains_);
  if (!sameNodes)
    rebuildUpdateOrder();
  applyClamp();
}

void MultispinChains::rebuildUpdateOrder() {
  std::vector<char> clamped(graph_->numNodes, 0);
  for (int32_t i : clampNodes_)
    clamped[i] = 1;
  order_ = localUpdateOrder(*graph_, clamped);
}

void MultispinChains::setSpin(int64_t chain, int32_t node, bool up) const {
  uint64_t& w = nodeWords(chain / kBlockChains, node)[chain % kBlockChains / 64];
  const uint64_t bit = uint64_t{1} << (chain % 64);
  w = up ? (w | bit) : (w & ~bit);
}

void MultispinChains::applyClamp() {
  const int64_t count = static_cast<int64_t>(clampNodes_.size());
  for (int64_t c = 0; c < chains_; ++c) {
    for (int64_t k = 0; k < count; ++k)
      setSpin(c, clampNodes_[k], clampValues_[c * count + k] > 0);
  }
}

void MultispinChains::initRandom() {
  // One plane of the block's streams per node.
  for (int64_t b = 0; b < blocks_; ++b) {
    for (int32_t i = 0; i < graph_->numNodes; ++i)
      kernels::stepBlockRng(rng_[b], nodeWords(b, i));
  }
  applyClamp();
}

void MultispinChains::initHinton(float beta) {
  if (!std::isfinite(beta) || beta < 0)
    throw invalidArgument("beta must be finite and >= 0");
  AcceptTable table;
  table.build(bits_, maxField_, beta, scale_, false);
  for (int64_t b = 0; b < blocks_; ++b) {
    for (int32_t i = 0; i < graph_->numNodes; ++i) {
      uint64_t r[kBlockChains] = {};  // the kernel's draw: plane q is bit q
      for (int q = 0; q < bits_; ++q) {
        uint64_t plane[kBlockWords];
        kernels::stepBlockRng(rng_[b], plane);
        for (int c = 0; c < kBlockChains; ++c)
          r[c] |= ((plane[c / 64] >> (c % 64)) & 1u) << q;
      }
      uint64_t* words = nodeWords(b, i);
      for (int w = 0; w < kBlockWords; ++w)
        words[w] = 0;
      for (int c = 0; c < kBlockChains; ++c)
        words[c / 64] |= uint64_t{r[c] < table.threshold(bias_[i])} << (c % 64);
    }
  }
  applyClamp();
}

void MultispinChains::initGiven(const int8_t* spins) {
  const int32_t n = graph_->numNodes;
  for (int64_t k = 0; k < chains_ * n; ++k) {
    if (spins[k] != 1 && spins[k] != -1) {
      throw invalidArgument("initial spins must be +1 or -1; entry " + std::to_string(k) + " is " +
                            std::to_string(spins[k]));
    }
  }
  for (int64_t c = 0; c < chains_; ++c) {
    for (int32_t i = 0; i < n; ++i)
      setSpin(c, i, spins[c * n + i] > 0);
  }
  applyClamp();
}

void MultispinChains::readSpins(int8_t* out) const {
  const int32_t n = graph_->numNodes;
  for (int64_t c = 0; c < chains_; ++c) {
    for (int32_t i = 0; i < n; ++i)
      out[c * n + i] = spinUp(c, i) ? 1 : -1;
  }
}

kernels::MultispinModel MultispinChains::kernelModel() const {
  return kernels::MultispinModel{termStart_.data(),
                                 terms_.data(),
                                 countBits_.data(),
                                 weightSum_.data(),
                                 base_.data(),
                                 unitDegree_.data(),
                                 order_.nodes.data(),
                                 order_.blockStart.data(),
                                 static_cast<int32_t>(order_.blockStart.size()) - 1};
}

int64_t MultispinChains::memoryBytes() const {
  return blocks_ * int64_t{graph_->numNodes} * kBlockWords * static_cast<int64_t>(sizeof(uint64_t)) +
         blocks_ * static_cast<int64_t>(sizeof(kernels::BlockRng)) +
         vectorBytes(edgeCoupling_, bias_, termStart_, countBits_, weightSum_, base_, unitDegree_, terms_, clampNodes_,
                     clampValues_);
}

Observations MultispinChains::run(const SampleSchedule& schedule, const BetaSchedule& betas, const Observe& observe,
                                  kernels::MultispinSweepFn sweepFn, ThreadPool& pool, int threads,
                                  const CancelToken* cancel) {
  const SparseGraph& g = *graph_;
  const int32_t n = g.numNodes;
  const int64_t samples = schedule.samples, numPairs = static_cast<int64_t>(observe.pairA.size());
  if (schedule.warmup < 0 || samples < 0 || schedule.thin < 1) {
    throw invalidArgument("schedule needs warmup >= 0, samples >= 0 and thin >= 1");
  }
  if (observe.chainMeans || observe.meanFieldPairs) {
    throw invalidArgument(
        "quantized chains observe states, moments, energy and magnetization; chain means and "
        "mean-field pairs are not offered");
  }
  const int64_t total = heatbath::totalSweeps(schedule.warmup, schedule.samples, schedule.thin);
  if (betas.sweeps() != total) {
    throw invalidArgument("the beta schedule covers " + std::to_string(betas.sweeps()) + " sweeps, the run has " +
                          std::to_string(total));
  }
  for (int64_t p = 0; p < numPairs; ++p) {
    if (observe.pairA[p] < 0 || observe.pairA[p] >= n || observe.pairB[p] < 0 || observe.pairB[p] >= n) {
      throw invalidArgument("moment pair " + std::to_string(p) + " refers to a node out of range");
    }
  }
  if (threads < 1)
    throw invalidArgument("threads must be at least 1");

  Observations out;
  const long double perSample = static_cast<long double>(samples) * chains_;
  const int workers = static_cast<int>(std::min<int64_t>(threads, blocks_));
  const long double acceptTable = ((2.0L * maxField_ + 1) + (2.0L * maskField_ + 1) * (bits_ + 1)) * sizeof(uint64_t);
  const long double perWorker = (observe.moments ? (n + numPairs) * sizeof(int64_t) : 0) + acceptTable;
  checkFits(static_cast<long double>(memoryBytes()) + (observe.states ? perSample * n : 0) +
                (observe.energy + observe.magnetization) * perSample * sizeof(double) + workers * perWorker +
                betas.bytes(),
            "the requested observations");
  if (observe.states)
    out.states.assign(static_cast<size_t>(perSample * n), 0);
  if (observe.energy)
    out.energy.assign(static_cast<size_t>(perSample), 0.0);
  if (observe.magnetization)
    out.magnetization.assign(static_cast<size_t>(perSample), 0.0);

  // Exact integer moment sums per worker (popcounts of packed spins): the same total for any thread count.
  std::vector<std::vector<int64_t>> nodeTotals(observe.moments ? workers : 0, std::vector<int64_t>(n, 0));
  std::vector<std::vector<int64_t>> pairTotals(observe.moments ? workers : 0, std::vector<int64_t>(numPairs, 0));
  std::vector<AcceptTable> tables(workers);  // each worker's table of the beta it last used
  std::vector<std::vector<uint64_t>> masks(workers, std::vector<uint64_t>((2 * int64_t{maskField_} + 1) * (bits_ + 1)));
  const kernels::MultispinModel model = kernelModel();

  auto observeBlock = [&](int64_t block, int64_t sample, int worker) {
    const int64_t chainsHere = std::min<int64_t>(kBlockChains, chains_ - block * kBlockChains);
    if (observe.moments) {
      for (int w = 0; w < kBlockWords; ++w) {
        const uint64_t used = usedBits(chainsHere, w);
        const int64_t lanes = __builtin_popcountll(used);
        for (int32_t i = 0; i < n; ++i)
          nodeTotals[worker][i] += 2 * __builtin_popcountll(nodeWords(block, i)[w] & used) - lanes;
        for (int64_t p = 0; p < numPairs; ++p) {
          const uint64_t differ = nodeWords(block, observe.pairA[p])[w] ^ nodeWords(block, observe.pairB[p])[w];
          pairTotals[worker][p] += lanes - 2 * __builtin_popcountll(differ & used);
        }
      }
    }
    if (!observe.states && !observe.energy && !observe.magnetization)
      return;
    for (int64_t l = 0; l < chainsHere; ++l) {
      const int64_t chain = block * kBlockChains + l, row = sample * chains_ + chain;
      auto s = [&](int32_t i) -> int64_t { return ((nodeWords(block, i)[l / 64] >> (l % 64)) & 1u) ? 1 : -1; };
      if (observe.states) {
        for (int32_t i = 0; i < n; ++i)
          out.states[row * n + i] = static_cast<int8_t>(s(i));
      }
      if (observe.energy) {
        int64_t e = 0;  // exact in integers, then one rounding
        for (int32_t i = 0; i < n; ++i)
          e -= bias_[i] * s(i);
        for (int64_t k = 0; k < g.numEdges(); ++k)
          e -= edgeCoupling_[k] * s(g.edgeSrc[k]) * s(g.edgeDst[k]);
        out.energy[row] = static_cast<double>(e) * scale_;
      }
      if (observe.magnetization) {
        int64_t m = 0;
        for (int32_t i = 0; i < n; ++i)
          m += s(i);
        out.magnetization[row] = static_cast<double>(m) / n;
      }
    }
  };

  const int64_t flipsPerSweep = std::max<int64_t>(1, int64_t{n} * kBlockChains);
  const int64_t chunk = std::max<int64_t>(1, kFlipsPerCall / flipsPerSweep);
  const auto start = std::chrono::steady_clock::now();
  pool.parallelFor(blocks_, workers, [&](int64_t block, int worker) {
    const kernels::MultispinBlock unit{nodeWords(block, 0), &rng_[block]};
    AcceptTable& table = tables[worker];
    int64_t sweep = 0;
    auto advance = [&](int64_t sweeps) {
      for (int64_t done = 0; done < sweeps;) {
        if (cancel != nullptr && cancel->cancelled.load(std::memory_order_relaxed))
          return false;
        // A run of sweeps at one beta; a new beta costs 2 maxField + 1 exponentials (no 2^b inverse).
        int64_t now = 1;
        const int64_t most = std::min(chunk, sweeps - done);
        const float beta = betas.at(sweep);
        while (now < most && betas.at(sweep + now) == beta)
          ++now;
        if (!table.matches(bits_, maxField_, beta, scale_)) {
          table.build(bits_, maxField_, beta, scale_, false);
          kernels::fillThresholdMasks(bits_, maxField_, table.view().table, maskField_, masks[worker].data());
        }
        const kernels::AcceptView built = table.view();
        sweepFn(model,
                kernels::MultispinAccept{built.bits, built.maxField, built.table, maskField_, masks[worker].data()},
                unit, static_cast<int>(now));
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
      observeBlock(block, s, worker);
    }
  });
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (cancel != nullptr && cancel->cancelled.load())
    throw Error("ERR_ABORTED", "sampling was aborted");
  out.sweeps = total;
  if (observe.moments) {
    const double norm = samples > 0 ? 1.0 / (static_cast<double>(samples) * chains_) : 0.0;
    out.mean.assign(n, 0.0);
    out.pairMean.assign(numPairs, 0.0);
    for (int w = 0; w < workers; ++w) {
      for (int32_t i = 0; i < n; ++i)
        out.mean[i] += static_cast<double>(nodeTotals[w][i]);
      for (int64_t p = 0; p < numPairs; ++p)
        out.pairMean[p] += static_cast<double>(pairTotals[w][p]);
    }
    for (double& v : out.mean)
      v *= norm;
    for (double& v : out.pairMean)
      v *= norm;
  }
  return out;
}

}  // namespace heatbath
