// Layer conditionals of a restricted Boltzmann machine, fused: pre = bias + input . op(B), then
// p = sigmoid(beta pre) and s = [u < p], one block of rows at a time.
//
// The product takes one of two paths, chosen per block: a dense product (gemm micro-kernel) or,
// when the inputs are exactly 0/1 and at most the kernels' activeDensityLimit of them are 1, a sum
// of the packed weight rows of the active inputs. Both follow the summation contract of
// kernels/dense/dense_kernel.h, so they give bit-identical pre-activations and samples.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "../kernels/dense/dense_kernel.h"
#include "gemm.h"
#include "thread_pool.h"

namespace heatbath {

enum class ProductPath { Auto, Dense, ActiveRows };

// One direction: output units given input units. weights packs op(B) with K = input units and
// N = output units; bias has N entries.
struct LayerProduct {
  const PackedPanels* weights;
  const float* bias;
};

// Per-worker scratch, kept between calls.
struct ConditionalScratch {
  AlignedArray<float> pre;  // pre-activations, kGemmBlockRows x columns
  int64_t columns = 0;      // capacity: output units padded to whole panels
  std::vector<int32_t> active;
  std::vector<int64_t> blockStart;  // per row: start of each K-block's active inputs, + the end
  std::vector<kernels::RngLanes> rng;
  void ensure(int64_t columns);  // room for `columns` padded output units
};

// Samples `rows` (<= kGemmBlockRows) output rows from input rows (rows x K, contiguous).
// rng[r] is row r's generator; prob and sample (rows x N) may be null. Returns true if the
// active-row path was taken.
bool sampleLayerBlock(const LayerProduct& layer, const float* input, int64_t rows, float beta, kernels::RngLanes* rng,
                      float* prob, float* sample, ProductPath path, ConditionalScratch& scratch,
                      const kernels::DenseKernels& kernels);

// Rows [0, rows) cut into blocks for `threads` threads: an equal share per thread (the AVX-512
// kernels' partial row tiles cost about their rows, so 64 rows on 2 threads split 32 + 32 rather
// than 36 + 28), each share cut into blocks of at most kGemmBlockRows rows at multiples of
// kGemmMr. Some blocks may be empty. Only speed depends on the split, never results.
class RowBlocks {
 public:
  RowBlocks(int64_t rows, int threads);
  int64_t count() const { return count_; }
  int64_t begin(int64_t block) const {
    return std::min(shareEnd(block), shareStart(block) + block % perShare_ * rows_);
  }
  int64_t end(int64_t block) const { return std::min(shareEnd(block), begin(block) + rows_); }

 private:
  int64_t shareStart(int64_t block) const { return block / perShare_ * share_; }
  int64_t shareEnd(int64_t block) const { return std::min(total_, shareStart(block) + share_); }
  int64_t total_, share_, perShare_, rows_, count_;
};

// The random stream of row `row` in call (seed, stream): lane l is seeded with (key, 8 row + l).
void seedConditionalRow(kernels::RngLanes& rng, uint64_t seed, uint64_t stream, int64_t row);

enum class LayerDirection { Hidden, Visible };

struct ConditionalArgs {
  LayerDirection direction = LayerDirection::Hidden;
  int64_t rows = 0, numVisible = 0, numHidden = 0;
  const float* weights = nullptr;  // numVisible x numHidden
  const float* bias = nullptr;     // of the output layer
  const float* input = nullptr;    // rows x input units
  float beta = 1;
  float* prob = nullptr;    // rows x output units, or null
  float* sample = nullptr;  // rows x output units, or null
  uint64_t seed = 0, stream = 0;
  ProductPath path = ProductPath::Auto;
};

// Buffers kept between calls: the packed weights and per-worker scratch.
struct ConditionalWorkspace {
  PackedPanels packed;
  std::vector<ConditionalScratch> scratch;
};

// Validates (sizes, finite weights, biases, inputs and beta >= 0) and samples all rows.
void rbmConditional(const ConditionalArgs& args, const kernels::DenseKernels& kernels, ThreadPool& pool, int threads,
                    ConditionalWorkspace& workspace);

}  // namespace heatbath
