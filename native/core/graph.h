// Sparse undirected graphs in CSR form, their colourings, and the checks that make block
// Gibbs sampling exact (no two neighbours in one block).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace heatbath {

struct SparseGraph {
  int32_t numNodes = 0;
  // Undirected edges as given (after validation), edge e joins edgeSrc[e] < edgeDst[e].
  std::vector<int32_t> edgeSrc, edgeDst;
  // CSR adjacency: neighbours of i are neighbour[rowStart[i] .. rowStart[i+1]), ascending;
  // slotEdge maps each CSR slot back to its edge, so per-edge couplings can be scattered.
  std::vector<int32_t> rowStart, neighbour, slotEdge;
  // A proper colouring: colour[i] in [0, numColours).
  std::vector<int32_t> colour;
  int32_t numColours = 0;

  int64_t numEdges() const { return static_cast<int64_t>(edgeSrc.size()); }
};

// Bytes building and colouring a graph takes at its peak (edge lists, CSR, degrees, DSATUR's queue
// and saturation sets, the update order), an upper estimate.
long double graphFootprint(int64_t numNodes, int64_t numEdges);

// Validates the edge list (range, self-loops, duplicates) and builds the CSR (uncoloured:
// call colourGraph or setColouring next). Throws ERR_TOO_LARGE, before allocating, when
// graphFootprint does not fit, and ERR_INVALID_GRAPH naming the first offending edge.
SparseGraph buildGraph(int32_t numNodes, const int32_t* src, const int32_t* dst, int64_t numEdges);

enum class ColouringMethod { Greedy, Dsatur };

// Colours the graph in place (greedy in node order, or DSATUR which is optimal on bipartite graphs).
void colourGraph(SparseGraph& g, ColouringMethod method);

// Installs a user colouring after checking it: throws ERR_INVALID_BLOCKS naming two neighbours
// that share a colour, or ERR_INVALID_ARGUMENT for negative colours.
void setColouring(SparseGraph& g, const int32_t* colour);

}  // namespace heatbath
