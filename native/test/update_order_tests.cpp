// Tests of update orders of free nodes (core/update_order).
#include "fixtures.h"

namespace {

// Checks what makes an update order exact: each free node once, clamped nodes never, blocks of one
// colour, and every node after its lower-colour neighbours and before its higher-colour ones.
bool validOrder(const SparseGraph& g, const std::vector<char>& clamped, const UpdateOrder& order) {
  std::vector<int32_t> position(g.numNodes, -1);
  for (size_t k = 0; k < order.nodes.size(); ++k) {
    const int32_t i = order.nodes[k];
    if (clamped[i] || position[i] >= 0)
      return false;
    position[i] = static_cast<int32_t>(k);
  }
  for (int32_t i = 0; i < g.numNodes; ++i) {
    if (!clamped[i] && position[i] < 0)
      return false;
    for (int32_t s = g.rowStart[i]; s < g.rowStart[i + 1]; ++s) {
      const int32_t j = g.neighbour[s];
      if (clamped[i] || clamped[j] || g.colour[j] >= g.colour[i])
        continue;
      if (position[j] > position[i])
        return false;
    }
  }
  if (order.blockStart.front() != 0 || order.blockStart.back() != static_cast<int32_t>(order.nodes.size()))
    return false;
  for (size_t b = 0; b + 1 < order.blockStart.size(); ++b) {
    if (order.blockStart[b] >= order.blockStart[b + 1])
      return false;
    for (int32_t k = order.blockStart[b]; k < order.blockStart[b + 1]; ++k) {
      if (g.colour[order.nodes[k]] != g.colour[order.nodes[order.blockStart[b]]])
        return false;
    }
  }
  return true;
}

void testUpdateOrder() {
  std::puts("update order");
  const int L = 32;
  SparseGraph king = torusGraph(L, true);
  std::vector<int32_t> four(L * L);
  for (int i = 0; i < L * L; ++i)
    four[i] = (i % L) % 2 + 2 * ((i / L) % 2);
  setColouring(king, four.data());
  std::vector<char> none(L * L, 0), some(L * L, 0);
  for (int i = 0; i < L * L; i += 7)
    some[i] = 1;
  const UpdateOrder order = localUpdateOrder(king, none);
  CHECK(validOrder(king, none, order));
  CHECK(validOrder(king, some, localUpdateOrder(king, some)));
  // Locality: the nodes of each inner row are updated within a window of a few rows, where a
  // colour-by-colour sweep spreads each row over 3/4 of the sweep.
  int32_t widest = 0;
  for (int y = 1; y + 1 < L; ++y) {
    int32_t first = L * L, last = 0;
    for (size_t k = 0; k < order.nodes.size(); ++k) {
      if (order.nodes[k] / L == y)
        first = std::min<int32_t>(first, k), last = std::max<int32_t>(last, k);
    }
    widest = std::max(widest, last - first);
  }
  std::printf("  king %dx%d: widest row window %d updates\n", L, L, widest);
  CHECK(widest <= 4 * L);
  SparseGraph dense = torusGraph(6, true);
  colourGraph(dense, ColouringMethod::Dsatur);
  CHECK(validOrder(dense, std::vector<char>(36, 0), localUpdateOrder(dense, std::vector<char>(36, 0))));
  CHECK(localUpdateOrder(dense, std::vector<char>(36, 1)).nodes.empty());
}

const heatbath::test::Registered registered{testUpdateOrder};

}  // namespace
