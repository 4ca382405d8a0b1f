#include "rbm_conditional.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "checks.h"
#include "error.h"
#include "limits.h"
#include "seed.h"

namespace heatbath {

using kernels::kGemmMr;

namespace {

// Lists the 1 entries of each 0/1 row, split at the K-blocks of the product.
void collectActive(const float* input, int64_t rows, int64_t k, int64_t ones, ConditionalScratch& s,
                   const kernels::DenseKernels& kernels) {
  const int64_t depth = gemmBlockDepth(k), blocks = (k + depth - 1) / depth;
  s.active.resize(static_cast<size_t>(ones + kernels::kListOnesSlack));
  s.blockStart.resize(static_cast<size_t>(rows * (blocks + 1)));
  int64_t filled = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = input + r * k;
    int64_t* starts = s.blockStart.data() + r * (blocks + 1);
    for (int64_t b = 0; b < blocks; ++b) {
      starts[b] = filled;
      const int64_t i = b * depth;
      filled += kernels.listOnes(row + i, std::min(depth, k - i), static_cast<int32_t>(i), s.active.data() + filled);
    }
    starts[blocks] = filled;
  }
}

void activeRowProduct(const PackedPanels& w, int64_t rows, float* pre, int64_t ldc, const ConditionalScratch& s,
                      const kernels::DenseKernels& kernels) {
  constexpr int64_t kPanelsPerPass = 4;  // a 4-panel strip of W (4 x K x NR floats) stays in L2 across rows
  const int64_t depth = gemmBlockDepth(w.k), blocks = (w.k + depth - 1) / depth;
  for (int64_t p0 = 0; p0 < w.panels; p0 += kPanelsPerPass) {
    const int count = static_cast<int>(std::min(kPanelsPerPass, w.panels - p0));
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t* starts = s.blockStart.data() + r * (blocks + 1);
      for (int64_t b = 0; b < blocks; ++b) {
        kernels.addActiveRows(w.panel(p0), w.panelStride(), count, s.active.data() + starts[b],
                              starts[b + 1] - starts[b], pre + r * ldc + p0 * w.width);
      }
    }
  }
}

}  // namespace

void ConditionalScratch::ensure(int64_t columnsIn) {
  // Grows only: the two directions of a sweep share one scratch.
  if (columnsIn > columns) {
    pre = allocateAligned<float>(static_cast<size_t>(kGemmBlockRows * columnsIn));
    columns = columnsIn;
  }
  if (rng.empty())
    rng.resize(kGemmBlockRows);
}

bool sampleLayerBlock(const LayerProduct& layer, const float* input, int64_t rows, float beta, kernels::RngLanes* rng,
                      float* prob, float* sample, ProductPath path, ConditionalScratch& scratch,
                      const kernels::DenseKernels& kernels) {
  const PackedPanels& w = *layer.weights;
  scratch.ensure(w.paddedColumns());
  const int64_t ldc = w.paddedColumns();
  float* pre = scratch.pre.get();
  for (int64_t r = 0; r < rows; ++r) {
    std::copy(layer.bias, layer.bias + w.n, pre + r * ldc);
    std::fill(pre + r * ldc + w.n, pre + (r + 1) * ldc, 0.0f);
  }
  bool active = false;
  if (path != ProductPath::Dense) {
    const int64_t ones = kernels.countOnes(input, rows * w.k);
    if (path == ProductPath::ActiveRows && ones < 0) {
      throw invalidArgument("the active-row path needs inputs that are exactly 0 or 1");
    }
    active = ones >= 0 && (path == ProductPath::ActiveRows ||
                           static_cast<double>(ones) <= kernels.activeDensityLimit * static_cast<double>(rows * w.k));
    if (active)
      collectActive(input, rows, w.k, ones, scratch, kernels);
  }
  if (active) {
    activeRowProduct(w, rows, pre, ldc, scratch, kernels);
  } else {
    const LeftOperand left{input, false, rows, w.k, w.k};
    multiplyRows(left, 0, rows, w, 0, w.panels, 1.0f, 1.0f, pre, ldc, ldc, nullptr, kernels);
  }
  kernels.sampleRows(pre, ldc, rows, w.n, beta, rng, prob, sample);
  return active;
}

RowBlocks::RowBlocks(int64_t rows, int threads) : total_(rows) {
  share_ = std::max<int64_t>(1, (rows + threads - 1) / threads);
  perShare_ = (share_ + kGemmBlockRows - 1) / kGemmBlockRows;
  rows_ = ((share_ + perShare_ - 1) / perShare_ + kGemmMr - 1) / kGemmMr * kGemmMr;
  count_ = (rows + share_ - 1) / share_ * perShare_;
}

void seedConditionalRow(kernels::RngLanes& rng, uint64_t seed, uint64_t stream, int64_t row) {
  const uint64_t key = deriveSeed(seed, "conditional", stream);
  for (int lane = 0; lane < kernels::kLanes; ++lane) {
    seedLane(rng, lane, key, static_cast<uint64_t>(row) * kernels::kLanes + lane);
  }
}

void rbmConditional(const ConditionalArgs& a, const kernels::DenseKernels& kernels, ThreadPool& pool, int threads,
                    ConditionalWorkspace& workspace) {
  if (a.numVisible < 1 || a.numHidden < 1 || a.numVisible > kMaxDenseDimension || a.numHidden > kMaxDenseDimension) {
    throw invalidArgument("numVisible and numHidden must be in [1, 2^31)");
  }
  if (a.rows < 0)
    throw invalidArgument("rows must be >= 0");
  if (!std::isfinite(a.beta) || a.beta < 0)
    throw invalidArgument("beta must be finite and >= 0");
  if (threads < 1)
    throw invalidArgument("threads must be at least 1");
  const bool toHidden = a.direction == LayerDirection::Hidden;
  const int64_t k = toHidden ? a.numVisible : a.numHidden, n = toHidden ? a.numHidden : a.numVisible;
  requireFinite(a.weights, a.numVisible * a.numHidden, "weights");
  requireFinite(a.bias, n, "bias");
  requireFinite(a.input, a.rows * k, "input");
  if (a.rows == 0 || (a.prob == nullptr && a.sample == nullptr))
    return;

  PackedPanels& packed = workspace.packed;  // hidden: op(B) = W (V x H); visible: op(B) = W^T, W read as stored
  packPanels(a.weights, !toHidden, k, n, kernels.panelWidth, packed, pool, threads);
  const LayerProduct layer{&packed, a.bias};
  const RowBlocks blocks(a.rows, threads);
  const int workers = static_cast<int>(std::min<int64_t>(threads, blocks.count()));
  std::vector<ConditionalScratch>& scratch = workspace.scratch;
  if (static_cast<int>(scratch.size()) < workers)
    scratch.resize(workers);
  pool.parallelFor(blocks.count(), workers, [&](int64_t block, int worker) {
    const int64_t row0 = blocks.begin(block), rows = blocks.end(block) - row0;
    if (rows == 0)
      return;
    ConditionalScratch& s = scratch[worker];
    s.ensure(packed.paddedColumns());
    for (int64_t r = 0; r < rows; ++r)
      seedConditionalRow(s.rng[r], a.seed, a.stream, row0 + r);
    sampleLayerBlock(layer, a.input + row0 * k, rows, a.beta, s.rng.data(),
                     a.prob == nullptr ? nullptr : a.prob + row0 * n,
                     a.sample == nullptr ? nullptr : a.sample + row0 * n, a.path, s, kernels);
  });
}

}  // namespace heatbath
