// Portable reference kernel: the same arithmetic as the vector kernels, written lane by lane in
// branch-free loops so that compilers can still vectorise it with the baseline instruction set.
#include "../simd/exp_poly.h"
#include "gibbs_kernel.h"

namespace heatbath::kernels {

namespace {

void updateNode(const SparseModel& m, float* spin, int64_t stride, RngLanes& rng, int32_t i, float minusTwoBeta) {
  float field[kLanes];
  for (int lane = 0; lane < kLanes; ++lane)
    field[lane] = m.bias[i];
  for (int32_t slot = m.rowStart[i]; slot < m.rowStart[i + 1]; ++slot) {
    const float w = m.coupling[slot];
    const float* sj = spin + m.neighbour[slot] * stride;
    for (int lane = 0; lane < kLanes; ++lane)
      field[lane] += w * sj[lane];
  }
  uint32_t word[kLanes];
  for (int lane = 0; lane < kLanes; ++lane)
    word[lane] = nextWord(rng, lane);
  float* si = spin + i * stride;
  for (int lane = 0; lane < kLanes; ++lane) {
    const float e = expPoly(minusTwoBeta * field[lane]);
    const float u = uniformOpen(word[lane]);
    si[lane] = (u * e < 1.0f - u) ? 1.0f : -1.0f;
  }
}

}  // namespace

void gibbsSweepsScalar(const SparseModel& m, ChainTile* tiles, int count, const float* beta, int sweeps) {
  const int32_t first = m.blockStart[0], end = m.blockStart[m.numBlocks];
  for (int t = 0; t < count; ++t) {
    for (int sweep = 0; sweep < sweeps; ++sweep) {
      const float minusTwoBeta = -2.0f * beta[sweep];
      for (int32_t k = first; k < end; ++k) {
        updateNode(m, tiles[t].spin, tiles[t].stride, *tiles[t].rng, m.updateOrder[k], minusTwoBeta);
      }
    }
  }
}

}  // namespace heatbath::kernels
