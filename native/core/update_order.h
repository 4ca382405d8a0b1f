// The order in which a sweep updates the free nodes, chosen for cache locality.
//
// A colour-by-colour sweep streams the whole chain store once per colour: for a 256x256 king's
// graph with 4 colours and 256 chains that is 4 x 64 MiB per sweep, far beyond the caches. Any
// order in which every node comes after its lower-colour neighbours and before its higher-colour
// ones gives each update the same neighbour states as the colour-by-colour sweep, so it is the
// same Markov kernel. Among those orders this one follows node indices as closely as it can, a
// wavefront that for lattice-numbered graphs touches only a few rows at a time.
#pragma once
#include <cstdint>
#include <vector>

#include "graph.h"

namespace heatbath {

struct UpdateOrder {
  std::vector<int32_t> nodes;            // every free node once
  std::vector<int32_t> blockStart;       // blocks of pairwise non-adjacent nodes: [blockStart[b], blockStart[b+1])
  int32_t minDegree = 0, maxDegree = 0;  // the fewest and most neighbours of a free node (0 if none)
};

// Nodes with clamped[i] set are left out. Blocks are runs of up to kNodesPerBlock same-colour
// nodes, consecutive in index order within their colour.
UpdateOrder localUpdateOrder(const SparseGraph& g, const std::vector<char>& clamped);

constexpr int32_t kNodesPerBlock = 32;

}  // namespace heatbath
