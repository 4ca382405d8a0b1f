#include "quantized_chains.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>

#include "accept_table.h"
#include "checks.h"
#include "error.h"
#include "seed.h"

namespace heatbath {

using kernels::kGroupTiles;
using kernels::kIntLanes;
using kernels::kIntStreams;

namespace {
// kSpreadBits[x] holds bit j of x in byte j: one 64-bit add counts eight chains' spins at once.
constexpr std::array<uint64_t, 256> makeSpreadBits() {
  std::array<uint64_t, 256> table{};
  for (uint32_t x = 0; x < 256; ++x) {
    for (int j = 0; j < 8; ++j)
      table[x] |= static_cast<uint64_t>((x >> j) & 1u) << (8 * j);
  }
  return table;
}
constexpr std::array<uint64_t, 256> kSpreadBits = makeSpreadBits();

// Moment sums of one tile: node i adds 2 * ups - lanes, pair (a, b) adds lanes - 2 * (disagreements),
// words[i * stride] being node i's word. Compiled twice, with the POPCNT instruction where the CPU has
// it (the portable build's __builtin_popcount is a dozen instructions).
#define HEATBATH_TILE_MOMENTS_BODY                                                                                    \
  for (int32_t i = 0; i < n; ++i)                                                                                     \
    nodeTotals[i] += 2 * __builtin_popcount(words[int64_t{i} * stride] & used) - lanes;                               \
  for (int64_t p = 0; p < pairs; ++p) {                                                                               \
    pairTotals[p] += lanes - 2 * __builtin_popcount(                                                                  \
                                     (words[int64_t{pairA[p]} * stride] ^ words[int64_t{pairB[p]} * stride]) & used); \
  }
#define HEATBATH_TILE_MOMENTS_ARGS                                                                             \
  const uint32_t *words, int64_t stride, int32_t n, const int32_t *pairA, const int32_t *pairB, int64_t pairs, \
      uint32_t used, int lanes, int64_t *nodeTotals, int64_t *pairTotals

void tileMomentsPortable(HEATBATH_TILE_MOMENTS_ARGS) {
  HEATBATH_TILE_MOMENTS_BODY
}
#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("popcnt"))) void tileMomentsPopcnt(HEATBATH_TILE_MOMENTS_ARGS) {
  HEATBATH_TILE_MOMENTS_BODY
}
const auto tileMoments =
    (__builtin_cpu_init(), __builtin_cpu_supports("popcnt")) ? tileMomentsPopcnt : tileMomentsPortable;
#else
const auto tileMoments = tileMomentsPortable;
#endif
#undef HEATBATH_TILE_MOMENTS_BODY
#undef HEATBATH_TILE_MOMENTS_ARGS
}  // namespace

namespace {

// Each kernel call covers about this many spin updates, so cancellation is noticed within ~1 ms.
constexpr int64_t kFlipsPerCall = int64_t{1} << 22;

}  // namespace

QuantizedChains::QuantizedChains(std::shared_ptr<const SparseGraph> graph, int64_t chains, uint64_t seed)
    : graph_(std::move(graph)), chains_(chains) {
  if (chains < 1)
    throw invalidArgument("chains must be at least 1, got " + std::to_string(chains));
  const int32_t n = graph_->numNodes;
  tiles_ = (chains + kIntLanes - 1) / kIntLanes;
  groups_ = (tiles_ + kGroupTiles - 1) / kGroupTiles;
  // Spins and random streams, then the parameters laid out per edge, per neighbour slot and per node.
  const long double slots = static_cast<long double>(graph_->neighbour.size());
  checkFits(
      static_cast<long double>(groups_) * kGroupTiles * (int64_t{n} * sizeof(uint32_t) + sizeof(kernels::IntRng)) +
          static_cast<long double>(graph_->numEdges()) * sizeof(int32_t) + slots * (sizeof(int32_t) + sizeof(int16_t)) +
          static_cast<long double>(n) * (sizeof(int32_t) + sizeof(int16_t)),
      "the chain states");
  spins_ = allocateAligned<uint32_t>(static_cast<size_t>(groups_ * kGroupTiles * int64_t{n}));
  rng_ = allocateAligned<kernels::IntRng>(static_cast<size_t>(groups_ * kGroupTiles));
  for (int64_t t = 0; t < groups_ * kGroupTiles; ++t) {
    for (int l = 0; l < kIntStreams; ++l) {
      kernels::RngLanes lane;
      seedLane(lane, 0, seed, static_cast<uint64_t>(t * kIntStreams + l));
      for (int k = 0; k < 4; ++k)
        rng_[t].s[k][l] = lane.s[k][0];
    }
    rng_[t].left = 0;
  }
  edgeCoupling_.assign(graph_->numEdges(), 0);
  slotCoupling_.assign(graph_->neighbour.size(), 0);
  slotTwiceCoupling_.assign(graph_->neighbour.size(), 0);
  bias_.assign(n, 0);
  base_.assign(n, 0);
  rebuildUpdateOrder();
  initRandom();
}

void QuantizedChains::setParameters(const int32_t* couplingPerEdge, const int32_t* bias, double scale, int randomBits) {
  const SparseGraph& g = *graph_;
  if (randomBits < 1 || randomBits > 32) {
    throw invalidArgument("randomBits must be an integer in [1, 32], got " + std::to_string(randomBits));
  }
  if (!std::isfinite(scale) || scale <= 0)
    throw invalidArgument("scale must be finite and > 0");
  int32_t maxField = 0;
  for (int32_t i = 0; i < g.numNodes; ++i) {
    int64_t reach = std::llabs(int64_t{bias[i]});
    for (int32_t s = g.rowStart[i]; s < g.rowStart[i + 1]; ++s)
      reach += std::llabs(int64_t{couplingPerEdge[g.slotEdge[s]]});
    if (reach > kernels::kMaxIntField) {
      throw invalidArgument("node " + std::to_string(i) + "'s field can reach " + std::to_string(reach) +
                            " (|h| + sum |J| over its " + std::to_string(g.rowStart[i + 1] - g.rowStart[i]) +
                            " neighbours), beyond the integer kernel's 16-bit range of " +
                            std::to_string(kernels::kMaxIntField) + "; use fewer coupling bits");
    }
    maxField = std::max(maxField, static_cast<int32_t>(reach));
  }
  edgeCoupling_.assign(couplingPerEdge, couplingPerEdge + g.numEdges());
  bias_.assign(bias, bias + g.numNodes);
  for (size_t s = 0; s < slotCoupling_.size(); ++s) {
    slotCoupling_[s] = couplingPerEdge[g.slotEdge[s]];
    slotTwiceCoupling_[s] = static_cast<int16_t>(static_cast<uint16_t>(2 * slotCoupling_[s]));  // modulo 2^16
  }
  for (int32_t i = 0; i < g.numNodes; ++i) {
    int32_t base = bias_[i];
    for (int32_t s = g.rowStart[i]; s < g.rowStart[i + 1]; ++s)
      base -= slotCoupling_[s];
    base_[i] = static_cast<int16_t>(base);
  }
  if (randomBits != bits_) {
    for (int64_t t = 0; t < groups_ * kGroupTiles; ++t)
      rng_[t].left = 0;  // buffered draws were cut for other bits
  }
  scale_ = scale;
  bits_ = randomBits;
  maxField_ = maxField;
}

void QuantizedChains::setClamp(const int32_t* nodes, int64_t count, const int8_t* values) {
  const int32_t n = graph_->numNodes;
  requireClampIndices(nodes, count, n, "node");
  requireSpins(values, count * chains_, "clamped values");
  const bool sameNodes = std::equal(nodes, nodes + count, clampNodes_.begin(), clampNodes_.end());
  clampNodes_.assign(nodes, nodes + count);
  clampValues_.assign(values, values + count * chains_);
  if (!sameNodes)
    rebuildUpdateOrder();
  applyClamp();
}

void QuantizedChains::rebuildUpdateOrder() {
  std::vector<char> clamped(graph_->numNodes, 0);
  for (int32_t i : clampNodes_)
    clamped[i] = 1;
  order_ = localUpdateOrder(*graph_, clamped);
}

void QuantizedChains::setSpin(int64_t chain, int32_t node, bool up) const {
  uint32_t& w = word(chain / kIntLanes, node);
  const uint32_t bit = 1u << (chain % kIntLanes);
  w = up ? (w | bit) : (w & ~bit);
}

void QuantizedChains::applyClamp() {
  const int64_t count = static_cast<int64_t>(clampNodes_.size());
  for (int64_t t = 0; t < tiles_; ++t) {
    const int lanes = lanesOfTile(t);
    const uint32_t used = lanes == kIntLanes ? ~0u : (1u << lanes) - 1;
    const int8_t* values = clampValues_.data() + t * kIntLanes * count;  // chain t * 32 + l, node k at l * count + k
    for (int64_t k = 0; k < count; ++k) {
      uint32_t w = 0;
      for (int l = 0; l < lanes; ++l)
        w |= static_cast<uint32_t>(values[l * count + k] > 0) << l;
      uint32_t& stored = word(t, clampNodes_[k]);
      stored = (stored & ~used) | w;
    }
  }
}

void QuantizedChains::initRandom() {
  // One step of the tile's streams per node; each chain takes the top bit of its half.
  for (int64_t t = 0; t < tiles_; ++t) {
    for (int32_t i = 0; i < graph_->numNodes; ++i) {
      uint32_t words[kIntStreams];
      kernels::stepIntRng(rng_[t], words);
      uint32_t w = 0;
      for (int l = 0; l < kIntLanes; ++l)
        w |= (kernels::halfOf(words, l) >> 15) << l;
      word(t, i) = w;
    }
    rng_[t].left = 0;
  }
  applyClamp();
}

void QuantizedChains::initHinton(float beta) {
  if (!std::isfinite(beta) || beta < 0)
    throw invalidArgument("beta must be finite and >= 0");
  AcceptTable table;
  table.build(bits_, maxField_, beta, scale_);
  for (int64_t t = 0; t < tiles_; ++t) {
    for (int32_t i = 0; i < graph_->numNodes; ++i) {
      uint32_t draws[kIntLanes];
      kernels::drawBits(rng_[t], bits_, draws);
      uint32_t w = 0;
      for (int l = 0; l < kIntLanes; ++l)
        w |= static_cast<uint32_t>(draws[l] < table.threshold(bias_[i])) << l;
      word(t, i) = w;
    }
  }
  applyClamp();
}

void QuantizedChains::initGiven(const int8_t* spins) {
  const int32_t n = graph_->numNodes;
  requireSpins(spins, chains_ * n, "initial spins");
  for (int64_t c = 0; c < chains_; ++c) {
    for (int32_t i = 0; i < n; ++i)
      setSpin(c, i, spins[c * n + i] > 0);
  }
  applyClamp();
}

void QuantizedChains::readSpins(int8_t* out) const {
  const int32_t n = graph_->numNodes;
  for (int64_t t = 0; t < tiles_; ++t) {
    const uint32_t* words = &word(t, 0);  // node i's word at words[i * kGroupTiles]
    for (int l = 0; l < lanesOfTile(t); ++l) {
      int8_t* row = out + (t * kIntLanes + l) * n;
      for (int32_t i = 0; i < n; ++i)
        row[i] = static_cast<int8_t>((((words[int64_t{i} * kGroupTiles] >> l) & 1u) << 1) - 1);
    }
  }
}

int QuantizedChains::lanesOfTile(int64_t tile) const {
  return static_cast<int>(std::clamp<int64_t>(chains_ - tile * kIntLanes, 0, kIntLanes));
}

kernels::QuantizedModel QuantizedChains::kernelModel() const {
  const SparseGraph& g = *graph_;
  return kernels::QuantizedModel{g.numNodes,
                                 g.rowStart.data(),
                                 g.neighbour.data(),
                                 slotCoupling_.data(),
                                 slotTwiceCoupling_.data(),
                                 bias_.data(),
                                 base_.data(),
                                 order_.nodes.data(),
                                 order_.blockStart.data(),
                                 static_cast<int32_t>(order_.blockStart.size()) - 1};
}

int64_t QuantizedChains::memoryBytes() const {
  return groups_ * kernels::kGroupTiles * int64_t{graph_->numNodes} * static_cast<int64_t>(sizeof(uint32_t)) +
         groups_ * kernels::kGroupTiles * static_cast<int64_t>(sizeof(kernels::IntRng)) +
         vectorBytes(edgeCoupling_, slotCoupling_, bias_, slotTwiceCoupling_, base_, clampNodes_, clampValues_);
}

Observations QuantizedChains::run(const SampleSchedule& schedule, const BetaSchedule& betas, const Observe& observe,
                                  kernels::IntSweepFn sweepFn, ThreadPool& pool, int threads,
                                  const CancelToken* cancel) {
  const SparseGraph& g = *graph_;
  const int32_t n = g.numNodes;
  const int64_t samples = schedule.samples, numPairs = static_cast<int64_t>(observe.pairA.size());
  if (schedule.warmup < 0 || samples < 0 || schedule.thin < 1) {
    throw invalidArgument("schedule needs warmup >= 0, samples >= 0 and thin >= 1");
  }
  const int64_t total = heatbath::totalSweeps(schedule.warmup, schedule.samples, schedule.thin);
  if (betas.sweeps() != total) {
    throw invalidArgument("the beta schedule covers " + std::to_string(betas.sweeps()) + " sweeps, the run has " +
                          std::to_string(total));
  }
  requireNodePairs(observe.pairA.data(), observe.pairB.data(), numPairs, n);
  if (threads < 1)
    throw invalidArgument("threads must be at least 1");

  Observations out;
  const long double perSample = static_cast<long double>(samples) * chains_;
  const int workers = static_cast<int>(std::min<int64_t>(threads, groups_));
  // The chains stay in memory during the run; with them: the observations, each worker's moment totals
  // and acceptance table, and the beta description.
  const long double acceptTable =
      (2.0L * maxField_ + 1) * sizeof(uint64_t) + (bits_ <= 16 ? (1u << bits_) * sizeof(int16_t) : 0);
  const long double perWorker = (observe.moments ? (n + numPairs) * sizeof(int64_t) : 0) + acceptTable;
  const bool perChain = observe.chainMeans || observe.meanFieldPairs;
  const int64_t paddedChains = tiles_ * kIntLanes;
  // Per node and chain: a byte counter, an int32 total and, at the end, the total as a double (below).
  const long double perChainBytes =
      perChain ? static_cast<long double>(paddedChains) * n * (1 + sizeof(int32_t) + sizeof(double)) : 0;
  checkFits(static_cast<long double>(memoryBytes()) + (observe.states ? perSample * n : 0) +
                (observe.energy + observe.magnetization) * perSample * sizeof(double) + workers * perWorker +
                betas.bytes() + perChainBytes + (observe.chainMeans ? perChainBytes : 0) +
                (observe.meanFieldPairs ? numPairs * sizeof(double) : 0),
            "the requested observations");
  if (observe.states)
    out.states.assign(static_cast<size_t>(perSample * n), 0);
  if (observe.energy)
    out.energy.assign(static_cast<size_t>(perSample), 0.0);
  if (observe.magnetization)
    out.magnetization.assign(static_cast<size_t>(perSample), 0.0);

  // Exact integer moment sums per worker: their total is the same for any thread count.
  std::vector<std::vector<int64_t>> nodeTotals(observe.moments ? workers : 0, std::vector<int64_t>(n, 0));
  std::vector<std::vector<int64_t>> pairTotals(observe.moments ? workers : 0, std::vector<int64_t>(numPairs, 0));
  // Up-spin counts per node and chain (node-major, so a pair's dot product over chains is contiguous), for
  // chain means and mean-field pairs: each group writes only its own chains, so the counts are exact and
  // the same for any thread count.
  // Each sample adds a word's 32 bits to 32 byte counters with four 64-bit adds (kSpreadBits); the
  // bytes move into the int32 totals every 255 samples, before they could overflow.
  std::vector<int32_t> upCounts(perChain ? static_cast<size_t>(paddedChains * n) : 0, 0);
  std::vector<uint64_t> byteCounts(perChain ? static_cast<size_t>(paddedChains * n / 8) : 0, 0);
  std::vector<AcceptTable> tables(workers);  // each worker's table of the beta it last used
  const kernels::QuantizedModel model = kernelModel();

  auto observeGroup = [&](int64_t group, int64_t sample, int worker) {
    for (int64_t t = group * kGroupTiles; t < std::min(tiles_, (group + 1) * kGroupTiles); ++t) {
      const int lanes = lanesOfTile(t);
      if (observe.moments) {
        const uint32_t used = lanes == kIntLanes ? ~0u : (1u << lanes) - 1;
        tileMoments(&word(t, 0), kGroupTiles, n, observe.pairA.data(), observe.pairB.data(), numPairs, used, lanes,
                    nodeTotals[worker].data(), pairTotals[worker].data());
      }
      if (perChain) {
        const bool flush = (sample + 1) % 255 == 0 || sample + 1 == schedule.samples;
        for (int32_t i = 0; i < n; ++i) {
          const uint32_t w = word(t, i);
          uint64_t* bytes = byteCounts.data() + (int64_t{i} * tiles_ + t) * 4;
          for (int k = 0; k < 4; ++k)
            bytes[k] += kSpreadBits[(w >> (8 * k)) & 255u];
          if (!flush)
            continue;
          int32_t* counts = upCounts.data() + int64_t{i} * paddedChains + t * kIntLanes;
          for (int k = 0; k < 4; ++k) {
            for (int j = 0; j < 8; ++j)
              counts[8 * k + j] += static_cast<int32_t>((bytes[k] >> (8 * j)) & 255u);
            bytes[k] = 0;
          }
        }
      }
      for (int l = 0; l < lanes; ++l) {
        const int64_t chain = t * kIntLanes + l, row = sample * chains_ + chain;
        auto s = [&](int32_t i) -> int64_t { return ((word(t, i) >> l) & 1u) ? 1 : -1; };
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
    }
  };

  const int64_t flipsPerSweep = std::max<int64_t>(1, int64_t{n} * kGroupTiles * kIntLanes);
  const int64_t chunk = std::max<int64_t>(1, kFlipsPerCall / flipsPerSweep);
  const auto start = std::chrono::steady_clock::now();
  pool.parallelFor(groups_, workers, [&](int64_t group, int worker) {
    const int tilesHere = static_cast<int>(std::min<int64_t>(kGroupTiles, tiles_ - group * kGroupTiles));
    const kernels::IntGroup unit{groupSpins(group), &rng_[group * kGroupTiles], tilesHere};
    AcceptTable& table = tables[worker];
    int64_t sweep = 0;
    auto advance = [&](int64_t sweeps) {
      for (int64_t done = 0; done < sweeps;) {
        if (cancel != nullptr && cancel->cancelled.load(std::memory_order_relaxed))
          return false;
        // A run of sweeps at one beta, so the table is built once per change of beta.
        int64_t now = 1;
        const int64_t most = std::min(chunk, sweeps - done);
        const float beta = betas.at(sweep);
        while (now < most && betas.at(sweep + now) == beta)
          ++now;
        if (!table.matches(bits_, maxField_, beta, scale_))
          table.build(bits_, maxField_, beta, scale_);
        sweepFn(model, table.view(), unit, static_cast<int>(now));
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
      observeGroup(group, s, worker);
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
  // A chain's spin sum over its samples, 2 * ups - samples, as a double: exact, and so are the pair dot
  // products below while chains * samples^2 < 2^53; doubles let the dot products vectorize everywhere.
  std::vector<double> spinSums(upCounts.begin(), upCounts.end());
  upCounts = std::vector<int32_t>();
  for (double& u : spinSums)
    u = 2 * u - static_cast<double>(samples);
  if (observe.chainMeans) {
    const double norm = samples > 0 ? 1.0 / static_cast<double>(samples) : 0.0;
    out.chainMeans.assign(static_cast<size_t>(chains_ * n), 0.0f);
    for (int32_t i = 0; i < n; ++i) {
      for (int64_t c = 0; c < chains_; ++c)
        out.chainMeans[c * n + i] = static_cast<float>(spinSums[int64_t{i} * paddedChains + c] * norm);
    }
  }
  if (observe.meanFieldPairs) {
    const double norm = samples > 0 ? 1.0 / (static_cast<double>(samples) * samples * chains_) : 0.0;
    out.pairMeanField.assign(numPairs, 0.0);
    for (int64_t p = 0; p < numPairs; ++p) {
      const double* a = spinSums.data() + int64_t{observe.pairA[p]} * paddedChains;
      const double* b = spinSums.data() + int64_t{observe.pairB[p]} * paddedChains;
      // Four partial sums (the terms are integers, so any order gives the same exact total).
      double dot[4] = {0, 0, 0, 0};
      int64_t c = 0;
      for (; c + 4 <= chains_; c += 4) {
        for (int k = 0; k < 4; ++k)
          dot[k] += a[c + k] * b[c + k];
      }
      for (; c < chains_; ++c)
        dot[0] += a[c] * b[c];
      out.pairMeanField[p] = ((dot[0] + dot[1]) + (dot[2] + dot[3])) * norm;
    }
  }
  return out;
}

}  // namespace heatbath
