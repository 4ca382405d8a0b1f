// Tests of sparse graphs and their colourings (core/graph).
#include "fixtures.h"

namespace {

bool properlyColoured(const SparseGraph& g) {
  for (int64_t e = 0; e < g.numEdges(); ++e) {
    if (g.colour[g.edgeSrc[e]] == g.colour[g.edgeDst[e]])
      return false;
  }
  return true;
}

void testGraphValidation() {
  std::puts("graph validation");
  const int32_t selfSrc[] = {0, 1}, selfDst[] = {1, 1};
  CHECK_THROWS("ERR_INVALID_GRAPH", buildGraph(3, selfSrc, selfDst, 2));
  const int32_t dupSrc[] = {0, 1, 2}, dupDst[] = {1, 0, 0};
  CHECK_THROWS("ERR_INVALID_GRAPH", buildGraph(3, dupSrc, dupDst, 3));
  const int32_t outSrc[] = {0}, outDst[] = {3};
  CHECK_THROWS("ERR_INVALID_GRAPH", buildGraph(3, outSrc, outDst, 1));
  const int32_t negSrc[] = {-1}, negDst[] = {0};
  CHECK_THROWS("ERR_INVALID_GRAPH", buildGraph(3, negSrc, negDst, 1));
  CHECK_THROWS("ERR_INVALID_GRAPH", buildGraph(0, outSrc, outDst, 0));

  SparseGraph g = torusGraph(6, false);
  CHECK(g.rowStart.back() == 2 * g.numEdges());
  for (int32_t i = 0; i < g.numNodes; ++i)
    CHECK(g.rowStart[i + 1] - g.rowStart[i] == 4);
}

void testColouring() {
  std::puts("colouring");
  SparseGraph bipartite = torusGraph(8, false);
  colourGraph(bipartite, ColouringMethod::Dsatur);
  CHECK(properlyColoured(bipartite));
  CHECK(bipartite.numColours == 2);
  SparseGraph king = torusGraph(8, true);
  colourGraph(king, ColouringMethod::Greedy);
  CHECK(properlyColoured(king));
  colourGraph(king, ColouringMethod::Dsatur);
  CHECK(properlyColoured(king));
  CHECK(king.numColours >= 4 && king.numColours <= 5);
  std::vector<int32_t> checker(64);
  for (int i = 0; i < 64; ++i)
    checker[i] = (i % 8 + i / 8) % 2;
  CHECK_THROWS("ERR_INVALID_BLOCKS", setColouring(king, checker.data()));  // diagonal neighbours share
  std::vector<int32_t> four(64);
  for (int i = 0; i < 64; ++i)
    four[i] = (i % 8) % 2 + 2 * ((i / 8) % 2);
  setColouring(king, four.data());
  CHECK(king.numColours == 4);
}

const heatbath::test::Registered registered{testGraphValidation, testColouring};

}  // namespace
