#include "graph.h"

#include "memory.h"

#include <algorithm>
#include <numeric>
#include <queue>
#include <tuple>
#include <string>

#include "error.h"

namespace heatbath {

namespace {

Error graphError(const std::string& message) {
  return Error("ERR_INVALID_GRAPH", message);
}

std::string edgeName(int64_t e, int32_t a, int32_t b) {
  return "edge " + std::to_string(e) + " (" + std::to_string(a) + ", " + std::to_string(b) + ")";
}

}  // namespace

long double graphFootprint(int64_t numNodes, int64_t numEdges) {
  // Per node: degree, row start, fill cursor, colour, update order (4 bytes each), DSATUR's saturation set
  // (a vector, 24 bytes) and queue entries (12 bytes, about twice). Per edge: the edge list, two CSR slots
  // with their edge, and the row being sorted (8 + 16 + 16 bytes).
  return static_cast<long double>(numNodes) * (5 * 4 + 24 + 2 * 12) + static_cast<long double>(numEdges) * 40;
}

SparseGraph buildGraph(int32_t numNodes, const int32_t* src, const int32_t* dst, int64_t numEdges) {
  if (numNodes <= 0)
    throw graphError("a graph needs at least one node");
  if (numEdges < 0 || numEdges > (int64_t{1} << 30))
    throw graphError("edge count out of range");
  checkFits(graphFootprint(numNodes, numEdges),
            "a graph of " + std::to_string(numNodes) + " nodes and " + std::to_string(numEdges) + " edges");
  SparseGraph g;
  g.numNodes = numNodes;
  g.edgeSrc.resize(numEdges);
  g.edgeDst.resize(numEdges);
  std::vector<int32_t> degree(numNodes, 0);
  for (int64_t e = 0; e < numEdges; ++e) {
    const int32_t a = src[e], b = dst[e];
    if (a < 0 || a >= numNodes || b < 0 || b >= numNodes) {
      throw graphError(edgeName(e, a, b) + " refers to a node outside [0, " + std::to_string(numNodes) + ")");
    }
    if (a == b)
      throw graphError(edgeName(e, a, b) + " is a self-loop");
    g.edgeSrc[e] = std::min(a, b);
    g.edgeDst[e] = std::max(a, b);
    ++degree[a];
    ++degree[b];
  }
  g.rowStart.assign(numNodes + 1, 0);
  for (int32_t i = 0; i < numNodes; ++i)
    g.rowStart[i + 1] = g.rowStart[i] + degree[i];
  g.neighbour.resize(2 * numEdges);
  g.slotEdge.resize(2 * numEdges);
  std::vector<int32_t> fill(g.rowStart.begin(), g.rowStart.end() - 1);
  for (int64_t e = 0; e < numEdges; ++e) {
    const int32_t a = g.edgeSrc[e], b = g.edgeDst[e];
    g.neighbour[fill[a]] = b;
    g.slotEdge[fill[a]++] = static_cast<int32_t>(e);
    g.neighbour[fill[b]] = a;
    g.slotEdge[fill[b]++] = static_cast<int32_t>(e);
  }
  // Sort each row by neighbour (locality for the kernels) and detect duplicate edges.
  std::vector<std::pair<int32_t, int32_t>> row;
  for (int32_t i = 0; i < numNodes; ++i) {
    const int32_t begin = g.rowStart[i], end = g.rowStart[i + 1];
    row.clear();
    for (int32_t s = begin; s < end; ++s)
      row.emplace_back(g.neighbour[s], g.slotEdge[s]);
    std::sort(row.begin(), row.end());
    for (size_t k = 0; k < row.size(); ++k) {
      if (k > 0 && row[k].first == row[k - 1].first) {
        const int64_t e = std::max(row[k].second, row[k - 1].second);
        throw graphError(edgeName(e, g.edgeSrc[e], g.edgeDst[e]) + " duplicates edge " +
                         std::to_string(std::min(row[k].second, row[k - 1].second)));
      }
      g.neighbour[begin + k] = row[k].first;
      g.slotEdge[begin + k] = row[k].second;
    }
  }
  return g;
}

void colourGraph(SparseGraph& g, ColouringMethod method) {
  const int32_t n = g.numNodes;
  g.colour.assign(n, -1);
  std::vector<char> used;  // scratch: colours taken by the neighbours of the node being coloured
  auto smallestFreeColour = [&](int32_t i) {
    used.assign(g.rowStart[i + 1] - g.rowStart[i] + 1, 0);
    for (int32_t s = g.rowStart[i]; s < g.rowStart[i + 1]; ++s) {
      const int32_t c = g.colour[g.neighbour[s]];
      if (c >= 0 && c < static_cast<int32_t>(used.size()))
        used[c] = 1;
    }
    int32_t c = 0;
    while (used[c])
      ++c;
    return c;
  };
  if (method == ColouringMethod::Greedy) {
    for (int32_t i = 0; i < n; ++i)
      g.colour[i] = smallestFreeColour(i);
  } else {
    // DSATUR: colour next the node whose neighbours already use the most distinct colours
    // (ties: highest degree, then lowest index). Saturation sets are kept as sorted vectors.
    std::vector<std::vector<int32_t>> seen(n);
    using Key = std::tuple<int32_t, int32_t, int32_t>;  // (saturation, degree, -node)
    std::priority_queue<Key> queue;
    for (int32_t i = 0; i < n; ++i)
      queue.emplace(0, g.rowStart[i + 1] - g.rowStart[i], -i);
    while (!queue.empty()) {
      const auto [saturation, degree, negNode] = queue.top();
      queue.pop();
      const int32_t i = -negNode;
      if (g.colour[i] >= 0 || saturation != static_cast<int32_t>(seen[i].size()))
        continue;
      const int32_t c = smallestFreeColour(i);
      g.colour[i] = c;
      for (int32_t s = g.rowStart[i]; s < g.rowStart[i + 1]; ++s) {
        const int32_t j = g.neighbour[s];
        if (g.colour[j] >= 0)
          continue;
        auto& set = seen[j];
        auto it = std::lower_bound(set.begin(), set.end(), c);
        if (it == set.end() || *it != c) {
          set.insert(it, c);
          queue.emplace(static_cast<int32_t>(set.size()), g.rowStart[j + 1] - g.rowStart[j], -j);
        }
      }
    }
  }
  g.numColours = n == 0 ? 0 : *std::max_element(g.colour.begin(), g.colour.end()) + 1;
}

void setColouring(SparseGraph& g, const int32_t* colour) {
  int32_t maxColour = -1;
  for (int32_t i = 0; i < g.numNodes; ++i) {
    if (colour[i] < 0) {
      throw invalidArgument("block of node " + std::to_string(i) + " is negative (" + std::to_string(colour[i]) + ")");
    }
    maxColour = std::max(maxColour, colour[i]);
  }
  if (maxColour >= g.numNodes)
    throw invalidArgument("block index exceeds the number of nodes");
  for (int64_t e = 0; e < g.numEdges(); ++e) {
    const int32_t a = g.edgeSrc[e], b = g.edgeDst[e];
    if (colour[a] == colour[b]) {
      throw Error("ERR_INVALID_BLOCKS",
                  "nodes " + std::to_string(a) + " and " + std::to_string(b) + " are neighbours but share block " +
                      std::to_string(colour[a]) +
                      ": block Gibbs would update them together and sample the wrong distribution");
    }
  }
  g.colour.assign(colour, colour + g.numNodes);
  g.numColours = maxColour + 1;
}

}  // namespace heatbath
