// Block-Gibbs sweep kernels for sparse Ising models, one per instruction set.
//
// Layout: chains are processed in tiles of kLanes chains. A tile's spins are node-major,
// chain-minor (spin[i * stride + lane]), so a neighbour's spins across the tile's chains are
// one contiguous vector; the driver interleaves several tiles per node (stride = a multiple of
// kLanes) so that one neighbour's spins for all tiles of a call share cache lines.
// Spins are stored as float +1.0f / -1.0f.
//
// Update rule, identical in every kernel (the contract the tests check):
//   I     = h_i + sum_j J_ij * s_j                      (float32)
//   e     = exp(clamp(-2 * beta * I, -80, 80))          (polynomial exp, relative error <= 2e-7)
//   u     = uniformOpen(next word of the lane's stream)
//   s_i   = (u * e < 1 - u) ? +1 : -1                   (i.e. P(s_i = +1) = sigmoid(2 beta I))
// Nodes are updated in updateOrder, one block after another; each update of a node draws
// exactly one word from each lane's stream. The nodes of one block are pairwise non-adjacent
// (same colour, and graph.h checks every colouring), so a kernel may compute several of their
// fields before writing their spins. Kernels may differ only by floating-point rounding (FMA
// contraction, summation order) in I and e.
#pragma once
#include <cstdint>

#include "../moments/moments_kernel.h"
#include "../simd/rng_lanes.h"

namespace heatbath::kernels {

struct SparseModel {
  int32_t numNodes;
  const int32_t* rowStart;     // numNodes + 1 offsets (CSR)
  const int32_t* neighbour;    // CSR column indices, each row sorted ascending
  const float* coupling;       // J_ij for each CSR slot (symmetric: J_ij == J_ji)
  const float* bias;           // h_i, numNodes
  const int32_t* updateOrder;  // free (unclamped) nodes, in blocks (core/update_order.h)
  const int32_t* blockStart;   // numBlocks + 1 offsets into updateOrder
  int32_t numBlocks;
  // Optional (null / 0 when absent): slotOffset[s] = neighbour[s] * slotStride, the offset of the
  // neighbour's spins in tiles of that stride, so a kernel need not multiply; and the fewest and
  // most neighbours of a node in updateOrder, so a kernel may unroll.
  const int32_t* slotOffset;
  int64_t slotStride;
  int32_t minFreeDegree, maxFreeDegree;
};

struct ChainTile {
  float* spin;     // node i, lane l at spin[i * stride + l]
  int64_t stride;  // floats from one node to the next (>= kLanes, a multiple of kLanes)
  RngLanes* rng;   // one stream per lane
};

// Runs `sweeps` sweeps on each of `count` tiles; sweep k uses inverse temperature beta[k].
// Tiles are independent: the result for a tile never depends on which other tiles share the call.
// All tiles of one call have the same stride.
using GibbsSweepFn = void (*)(const SparseModel& model, ChainTile* tiles, int count, const float* beta, int sweeps);

void gibbsSweepsScalar(const SparseModel& model, ChainTile* tiles, int count, const float* beta, int sweeps);
void gibbsSweepsAvx2(const SparseModel& model, ChainTile* tiles, int count, const float* beta, int sweeps);
// Bit-identical to gibbsSweepsAvx2; fastest when tiles come in side-by-side pairs (the driver's
// interleaved layout) with the model's slotOffset for their stride.
void gibbsSweepsAvx512(const SparseModel& model, ChainTile* tiles, int count, const float* beta, int sweeps);

// Chains of one full block of the driver's layout: kTilesPerBlock tiles side by side, so a node's
// spins across the block are kBlockLanes consecutive floats (spin[i * kBlockLanes + l]).
constexpr int kTilesPerBlock = 4;
constexpr int kBlockLanes = kTilesPerBlock * kLanes;

// The sampling kernels of one instruction set.
struct GibbsKernels {
  GibbsSweepFn sweeps;
  BlockMomentsFn blockMoments;
};

}  // namespace heatbath::kernels
