#include "update_order.h"

#include <algorithm>
#include <climits>
#include <functional>
#include <queue>

namespace heatbath {

UpdateOrder localUpdateOrder(const SparseGraph& g, const std::vector<char>& clamped) {
  const int32_t n = g.numNodes;
  UpdateOrder order;
  order.minDegree = INT32_MAX;
  // Blocks: the free nodes of each colour in index order, cut every kNodesPerBlock nodes.
  std::vector<std::vector<int32_t>> byColour(g.numColours);
  for (int32_t i = 0; i < n; ++i) {
    if (clamped[i])
      continue;
    const int32_t degree = g.rowStart[i + 1] - g.rowStart[i];
    order.minDegree = std::min(order.minDegree, degree);
    order.maxDegree = std::max(order.maxDegree, degree);
    byColour[g.colour[i]].push_back(i);
  }
  if (order.minDegree == INT32_MAX)
    order.minDegree = 0;  // no free node
  std::vector<std::vector<int32_t>> blocks;
  std::vector<int32_t> blockOf(n, -1);
  for (const auto& nodes : byColour) {
    for (size_t k = 0; k < nodes.size(); k += kNodesPerBlock) {
      blocks.emplace_back(nodes.begin() + k, nodes.begin() + std::min(nodes.size(), k + kNodesPerBlock));
      for (int32_t i : blocks.back())
        blockOf[i] = static_cast<int32_t>(blocks.size()) - 1;
    }
  }
  // Block a must precede block b when a node of a neighbours a node of b of a higher colour.
  const int32_t numBlocks = static_cast<int32_t>(blocks.size());
  std::vector<std::vector<int32_t>> successors(numBlocks);
  std::vector<int32_t> waitingFor(numBlocks, 0), lastLinkedFrom(numBlocks, -1);
  for (int32_t a = 0; a < numBlocks; ++a) {
    for (int32_t i : blocks[a]) {
      for (int32_t s = g.rowStart[i]; s < g.rowStart[i + 1]; ++s) {
        const int32_t j = g.neighbour[s], b = blockOf[j];
        if (b < 0 || g.colour[j] <= g.colour[i] || lastLinkedFrom[b] == a)
          continue;
        lastLinkedFrom[b] = a;
        successors[a].push_back(b);
        ++waitingFor[b];
      }
    }
  }
  // Topological order, always taking the ready block whose first node has the lowest index.
  using Entry = std::pair<int32_t, int32_t>;  // (first node, block)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> ready;
  for (int32_t b = 0; b < numBlocks; ++b) {
    if (waitingFor[b] == 0)
      ready.emplace(blocks[b].front(), b);
  }
  order.blockStart.push_back(0);
  while (!ready.empty()) {
    const int32_t a = ready.top().second;
    ready.pop();
    order.nodes.insert(order.nodes.end(), blocks[a].begin(), blocks[a].end());
    order.blockStart.push_back(static_cast<int32_t>(order.nodes.size()));
    for (int32_t b : successors[a]) {
      if (--waitingFor[b] == 0)
        ready.emplace(blocks[b].front(), b);
    }
  }
  return order;
}

}  // namespace heatbath
