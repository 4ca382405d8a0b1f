// Pure C++ tests of native/core and native/kernels (no Node). Run: npm run test:native
// (add -DHEATBATH_SANITIZE=ON through npm run test:native:asan for AddressSanitizer + UBSan).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "../core/error.h"
#include "check.h"
#include "../core/gibbs_chains.h"
#include "../core/gemm.h"
#include "../core/graph.h"
#include "../core/memory.h"
#include "../core/rbm_chains.h"
#include "../core/rbm_conditional.h"
#include "../core/seed.h"
#include "../core/thread_pool.h"
#include "../core/tngd_device.h"
#include "../core/update_order.h"
#include "../kernels/dense/dense_dispatch.h"
#include "../kernels/dispatch.h"
#include "../kernels/simd/exp_poly.h"
#include "../kernels/langevin/langevin_kernel.h"
#include "../kernels/simd/normal_poly.h"

using namespace heatbath;
using heatbath::test::failures;
using heatbath::test::passes;

namespace {

// The L x L torus (4 neighbours, or 8 for the king's graph; 4 more with `far`: the nodes two steps
// along each axis; L >= 5), plus `pendants` nodes after it, pendant k joined to torus node 7k mod 25
// alone (so a node holds two once there are more than 25).
SparseGraph torusGraph(int L, bool king, int pendants = 0, bool far = false) {
  std::vector<int32_t> src, dst;
  for (int k = 0; k < pendants; ++k) src.push_back(L * L + k), dst.push_back(7 * k % 25);
  for (int y = 0; y < L; ++y) {
    for (int x = 0; x < L; ++x) {
      const int i = y * L + x;
      const int right = y * L + (x + 1) % L, down = ((y + 1) % L) * L + x;
      src.push_back(i), dst.push_back(right);
      src.push_back(i), dst.push_back(down);
      if (king) {
        src.push_back(i), dst.push_back(((y + 1) % L) * L + (x + 1) % L);
        src.push_back(i), dst.push_back(((y + 1) % L) * L + (x + L - 1) % L);
      }
      if (far) {
        src.push_back(i), dst.push_back(y * L + (x + 2) % L);
        src.push_back(i), dst.push_back(((y + 2) % L) * L + x);
      }
    }
  }
  return buildGraph(L * L + pendants, src.data(), dst.data(), static_cast<int64_t>(src.size()));
}

bool properlyColoured(const SparseGraph& g) {
  for (int64_t e = 0; e < g.numEdges(); ++e) {
    if (g.colour[g.edgeSrc[e]] == g.colour[g.edgeDst[e]]) return false;
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
  for (int32_t i = 0; i < g.numNodes; ++i) CHECK(g.rowStart[i + 1] - g.rowStart[i] == 4);
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
  for (int i = 0; i < 64; ++i) checker[i] = (i % 8 + i / 8) % 2;
  CHECK_THROWS("ERR_INVALID_BLOCKS", setColouring(king, checker.data()));  // diagonal neighbours share
  std::vector<int32_t> four(64);
  for (int i = 0; i < 64; ++i) four[i] = (i % 8) % 2 + 2 * ((i / 8) % 2);
  setColouring(king, four.data());
  CHECK(king.numColours == 4);
}

// Checks what makes an update order exact: each free node once, clamped nodes never, blocks of one
// colour, and every node after its lower-colour neighbours and before its higher-colour ones.
bool validOrder(const SparseGraph& g, const std::vector<char>& clamped, const UpdateOrder& order) {
  std::vector<int32_t> position(g.numNodes, -1);
  for (size_t k = 0; k < order.nodes.size(); ++k) {
    const int32_t i = order.nodes[k];
    if (clamped[i] || position[i] >= 0) return false;
    position[i] = static_cast<int32_t>(k);
  }
  for (int32_t i = 0; i < g.numNodes; ++i) {
    if (!clamped[i] && position[i] < 0) return false;
    for (int32_t s = g.rowStart[i]; s < g.rowStart[i + 1]; ++s) {
      const int32_t j = g.neighbour[s];
      if (clamped[i] || clamped[j] || g.colour[j] >= g.colour[i]) continue;
      if (position[j] > position[i]) return false;
    }
  }
  if (order.blockStart.front() != 0 || order.blockStart.back() != static_cast<int32_t>(order.nodes.size())) return false;
  for (size_t b = 0; b + 1 < order.blockStart.size(); ++b) {
    if (order.blockStart[b] >= order.blockStart[b + 1]) return false;
    for (int32_t k = order.blockStart[b]; k < order.blockStart[b + 1]; ++k) {
      if (g.colour[order.nodes[k]] != g.colour[order.nodes[order.blockStart[b]]]) return false;
    }
  }
  return true;
}

void testUpdateOrder() {
  std::puts("update order");
  const int L = 32;
  SparseGraph king = torusGraph(L, true);
  std::vector<int32_t> four(L * L);
  for (int i = 0; i < L * L; ++i) four[i] = (i % L) % 2 + 2 * ((i / L) % 2);
  setColouring(king, four.data());
  std::vector<char> none(L * L, 0), some(L * L, 0);
  for (int i = 0; i < L * L; i += 7) some[i] = 1;
  const UpdateOrder order = localUpdateOrder(king, none);
  CHECK(validOrder(king, none, order));
  CHECK(validOrder(king, some, localUpdateOrder(king, some)));
  // Locality: the nodes of each inner row are updated within a window of a few rows, where a
  // colour-by-colour sweep spreads each row over 3/4 of the sweep.
  int32_t widest = 0;
  for (int y = 1; y + 1 < L; ++y) {
    int32_t first = L * L, last = 0;
    for (size_t k = 0; k < order.nodes.size(); ++k) {
      if (order.nodes[k] / L == y) first = std::min<int32_t>(first, k), last = std::max<int32_t>(last, k);
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

void testThreadPool() {
  std::puts("thread pool");
  ThreadPool pool;
  std::vector<int64_t> hits(1000, 0);
  pool.parallelFor(1000, 4, [&](int64_t t, int) { hits[t] += t; });
  bool all = true;
  for (int64_t t = 0; t < 1000; ++t) all = all && hits[t] == t;
  CHECK(all);
  bool threw = false;
  try {
    pool.parallelFor(100, 3, [](int64_t t, int) {
      if (t == 42) throw Error("ERR_INTERNAL", "task 42");
    });
  } catch (const Error& e) {
    threw = std::strcmp(e.what(), "task 42") == 0;
  }
  CHECK(threw);
  // Regions requested from two threads at once are serialised, not interleaved.
  std::vector<int64_t> a(5000, 0), b(5000, 0);
  std::thread other([&] { pool.parallelFor(5000, 2, [&](int64_t t, int) { a[t] = 1; }); });
  pool.parallelFor(5000, 2, [&](int64_t t, int) { b[t] = 1; });
  other.join();
  int64_t sum = 0;
  for (int k = 0; k < 5000; ++k) sum += a[k] + b[k];
  CHECK(sum == 10000);
}

void testRngAndExp() {
  std::puts("rng and exp");
  kernels::RngLanes rng{};
  for (int lane = 0; lane < kernels::kLanes; ++lane) {
    rng.s[0][lane] = 1, rng.s[1][lane] = 2, rng.s[2][lane] = 3, rng.s[3][lane] = 4;
  }
  // Reference xoshiro128+ outputs for the state {1, 2, 3, 4}.
  const uint32_t expected[] = {5, 12295, 25178119, 27286542};
  for (uint32_t want : expected) CHECK(kernels::nextWord(rng, 3) == want);
  double worst = 0;
  for (double x = -80; x <= 80; x += 0.000731) {
    const double approx = kernels::expPoly(static_cast<float>(x));
    const double exact = std::exp(static_cast<double>(static_cast<float>(x)));
    worst = std::max(worst, std::fabs(approx - exact) / exact);
  }
  std::printf("  expPoly max relative error %.3g\n", worst);
  CHECK(worst < 5e-7);
}

// Samples of the 10 x 10 king's torus (with `far` neighbours too) with nodes 5 and 17 clamped, and
// with `pendants` extra nodes (clamped too if clampPendants).
std::vector<int8_t> runChains(kernels::Isa isa, int threads, int64_t chains, int pendants = 0,
                              bool clampPendants = false, bool far = false) {
  auto graph = std::make_shared<SparseGraph>(torusGraph(10, true, pendants, far));
  colourGraph(*graph, ColouringMethod::Dsatur);
  GibbsChains gc(graph, chains, 1234);
  std::vector<float> coupling(graph->numEdges()), bias(graph->numNodes);
  for (size_t e = 0; e < coupling.size(); ++e) coupling[e] = 0.3f * std::sin(1.7f * e);
  for (size_t i = 0; i < bias.size(); ++i) bias[i] = 0.2f * std::cos(0.9f * i);
  gc.setParameters(coupling.data(), bias.data());
  std::vector<int32_t> clamped{5, 17};
  for (int k = 0; clampPendants && k < pendants; ++k) clamped.push_back(100 + k);
  const int64_t count = static_cast<int64_t>(clamped.size());
  std::vector<int8_t> values(count * chains);
  for (int64_t c = 0; c < chains; ++c) {
    for (int64_t k = 0; k < count; ++k) values[c * count + k] = k == 0 || (c + k + 1) % 2 ? 1 : -1;
  }
  gc.setClamp(clamped.data(), count, values.data());
  SampleSchedule schedule{20, 5, 3};
  const BetaSchedule betas = BetaSchedule::constant(0.8f, totalSweeps(schedule.warmup, schedule.samples, schedule.thin));
  Observe observe;
  observe.states = true;
  observe.moments = true;
  ThreadPool pool;
  Observations obs = gc.run(schedule, betas, observe, kernels::gibbsKernels(isa), pool, threads, nullptr);
  // Clamped nodes keep their values in every sample.
  bool clampHeld = true;
  for (int64_t s = 0; s < 5; ++s) {
    for (int64_t c = 0; c < chains; ++c) {
      const int8_t* row = obs.states.data() + (s * chains + c) * graph->numNodes;
      clampHeld = clampHeld && row[5] == 1 && row[17] == (c % 2 ? 1 : -1);
    }
  }
  CHECK(clampHeld);
  return obs.states;
}

void testCeilingLoops() {
  std::puts("multiply-add ceiling loops");
  // Each level's loop does its own register width: 8 lanes x 8 (scalar), 8 x 12 (AVX2), 16 x 16
  // (AVX-512) multiply-adds per round.
  const int64_t perRound[] = {8, 12 * 8, 16 * 16};
  for (kernels::Isa isa : kernels::supportedIsas()) {
    CHECK(kernels::multiplyAddLoop(isa)(10) == 10 * perRound[static_cast<int>(isa)]);
  }
}

void testDeterminism() {
  std::puts("determinism and kernels");
  // One thread runs 4 of the 5 tiles in one call (field loops unrolled for 8 or 12 neighbours in the
  // SIMD kernels), two and three threads 3 + 2 and 2 + 2 + 1 tiles (not unrolled).
  for (kernels::Isa isa : kernels::supportedIsas()) {
    CHECK(runChains(isa, 1, 37) == runChains(isa, 2, 37));
    CHECK(runChains(isa, 1, 37) == runChains(isa, 3, 37));
    CHECK(runChains(isa, 1, 37, 0, false, true) == runChains(isa, 2, 37, 0, false, true));
  }
  // The AVX-512 kernel repeats the AVX2 kernel's operations lane for lane: same bits. One thread
  // takes the 5 tiles of 37 chains as a full block (two tile pairs) and a single tile; two threads as
  // 3 + 2 tiles (one pair each). The free nodes of the king's torus have 8 neighbours (field loops
  // unrolled completely), with 9 clamped pendants 8 or 9 (unrolled, then one more), with 30 clamped
  // pendants 8 to 10 (unrolled, then a loop), and with free pendants 1 to 9 (a loop).
  const std::vector<kernels::Isa> isas = kernels::supportedIsas();
  if (isas.back() == kernels::Isa::Avx512) {
    for (int threads : {1, 2}) {
      CHECK(runChains(kernels::Isa::Avx512, threads, 37) == runChains(kernels::Isa::Avx2, 1, 37));
      CHECK(runChains(kernels::Isa::Avx512, threads, 37, 0, false, true) ==
            runChains(kernels::Isa::Avx2, 1, 37, 0, false, true));
      CHECK(runChains(kernels::Isa::Avx512, threads, 37, 9, true) == runChains(kernels::Isa::Avx2, 1, 37, 9, true));
      CHECK(runChains(kernels::Isa::Avx512, threads, 37, 30, true) == runChains(kernels::Isa::Avx2, 1, 37, 30, true));
      CHECK(runChains(kernels::Isa::Avx512, threads, 37, 9, false) == runChains(kernels::Isa::Avx2, 1, 37, 9, false));
    }
  }
  // Chain c's samples do not depend on how many other chains run.
  auto few = runChains(kernels::Isa::Scalar, 2, 9), many = runChains(kernels::Isa::Scalar, 2, 40);
  CHECK(std::memcmp(few.data(), many.data(), 100 * 9) == 0);
}

void testBlockMoments() {
  std::puts("block moment kernels");
  // Random spins of one block, pair and node counts that leave remainders for every vector width, and
  // sums that already hold values: every kernel must add exactly the integer sums.
  const int32_t n = 53;
  const int64_t pairs = 71;
  std::mt19937 gen(11);
  std::vector<float> spin(static_cast<size_t>(n) * kernels::kBlockLanes);
  for (float& s : spin) s = gen() % 2 ? 1.0f : -1.0f;
  std::vector<int32_t> a(pairs), b(pairs);
  for (int64_t p = 0; p < pairs; ++p) a[p] = gen() % n, b[p] = gen() % n;
  std::vector<float> nodeStart(n), pairStart(pairs);
  for (float& v : nodeStart) v = static_cast<float>(gen() % 1000);
  for (float& v : pairStart) v = static_cast<float>(gen() % 1000);
  std::vector<float> nodeExpected(nodeStart), pairExpected(pairStart);
  for (int32_t i = 0; i < n; ++i) {
    for (int l = 0; l < kernels::kBlockLanes; ++l) nodeExpected[i] += spin[i * kernels::kBlockLanes + l];
  }
  for (int64_t p = 0; p < pairs; ++p) {
    int sum = 0;
    for (int l = 0; l < kernels::kBlockLanes; ++l) {
      sum += static_cast<int>(spin[a[p] * kernels::kBlockLanes + l] * spin[b[p] * kernels::kBlockLanes + l]);
    }
    pairExpected[p] += static_cast<float>(sum);
  }
  for (kernels::Isa isa : kernels::supportedIsas()) {
    std::vector<float> nodeSum(nodeStart), pairSum(pairStart);
    std::vector<uint32_t> signs(n);
    kernels::gibbsKernels(isa).blockMoments(spin.data(), n, a.data(), b.data(), pairs, nodeSum.data(), pairSum.data(),
                                            signs.data());
    CHECK(nodeSum == nodeExpected);
    CHECK(pairSum == pairExpected);
  }
}

void testBadInput() {
  std::puts("bad input");
  auto graph = std::make_shared<SparseGraph>(torusGraph(4, false));
  colourGraph(*graph, ColouringMethod::Dsatur);
  CHECK_THROWS("ERR_INVALID_ARGUMENT", GibbsChains(graph, 0, 1));
  CHECK_THROWS("ERR_TOO_LARGE", GibbsChains(graph, int64_t{1} << 40, 1));
  GibbsChains gc(graph, 8, 1);
  std::vector<float> coupling(graph->numEdges(), 0.1f), bias(graph->numNodes, 0.0f);
  coupling[3] = std::nanf("");
  CHECK_THROWS("ERR_NOT_FINITE", gc.setParameters(coupling.data(), bias.data()));
  coupling[3] = INFINITY;
  CHECK_THROWS("ERR_NOT_FINITE", gc.setParameters(coupling.data(), bias.data()));
  const int32_t clamped[] = {99};
  std::vector<int8_t> values(8, 1);
  CHECK_THROWS("ERR_INVALID_ARGUMENT", gc.setClamp(clamped, 1, values.data()));
  ThreadPool pool;
  CHECK_THROWS("ERR_INVALID_ARGUMENT", BetaSchedule::constant(-1.0f, 1));
  CHECK_THROWS("ERR_INVALID_ARGUMENT",
               gc.run(SampleSchedule{1, 1, 1}, BetaSchedule::constant(1.0f, 2), Observe{}, kernels::gibbsKernels(kernels::Isa::Scalar), pool, 1, nullptr));
  CancelToken cancel;
  cancel.cancelled = true;
  CHECK_THROWS("ERR_ABORTED",
               gc.run(SampleSchedule{1000, 1, 1}, BetaSchedule::constant(1.0f, 1000), Observe{}, kernels::gibbsKernels(kernels::Isa::Scalar), pool, 1, &cancel));
}


std::vector<float> randomFloats(size_t count, uint32_t seed, float scale = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  std::vector<float> out(count);
  for (float& x : out) x = dist(gen);
  return out;
}

// Binary states with P(1) = density.
std::vector<float> randomStates(size_t count, uint32_t seed, double density) {
  std::mt19937 gen(seed);
  std::bernoulli_distribution bit(density);
  std::vector<float> out(count);
  for (float& x : out) x = bit(gen) ? 1.0f : 0.0f;
  return out;
}

bool sameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

std::vector<float> runGemm(kernels::Isa isa, bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, float beta,
                           const std::vector<float>& a, const std::vector<float>& b, std::vector<float> c, int threads,
                           GemmWorkspace* reused = nullptr) {
  ThreadPool pool;
  GemmWorkspace fresh;
  GemmWorkspace& workspace = reused ? *reused : fresh;
  GemmArgs g;
  g.transA = ta, g.transB = tb, g.m = m, g.n = n, g.k = k, g.alpha = alpha, g.beta = beta;
  g.a = a.data(), g.b = b.data(), g.c = c.data();
  gemm(g, kernels::denseKernels(isa), pool, threads, workspace);
  return c;
}

void testGemm() {
  std::puts("gemm");
  // Every SIMD level above scalar must reach vector dense kernels, not fall back to the scalar ones.
  for (kernels::Isa isa : kernels::supportedIsas()) {
    if (isa != kernels::Isa::Scalar) CHECK(kernels::denseKernels(isa).micro != &kernels::gemmMicroScalar);
  }
  // n covers full, masked and half-width edge panels of both panel widths (16 and 32 columns).
  // k = 2100 takes two K-blocks.
  const int64_t shapes[][3] = {{1, 1, 1},     {7, 19, 13},   {37, 33, 300}, {6, 16, 256},   {151, 70, 517},
                               {5, 3, 0},     {13, 50, 40},  {12, 96, 7},   {9, 40, 2100}};
  for (kernels::Isa isa : kernels::supportedIsas()) {
    for (int combo = 0; combo < 4; ++combo) {
      const bool ta = combo & 1, tb = combo & 2;
      for (const auto& shape : shapes) {
        const int64_t m = shape[0], n = shape[1], k = shape[2];
        const auto a = randomFloats(m * k, 1), b = randomFloats(k * n, 2), c0 = randomFloats(m * n, 3);
        const float alpha = 0.7f, beta = -0.3f;
        const auto c = runGemm(isa, ta, tb, m, n, k, alpha, beta, a, b, c0, 2);
        double worst = 0;
        for (int64_t i = 0; i < m; ++i) {
          for (int64_t j = 0; j < n; ++j) {
            double sum = 0, magnitude = 0;
            for (int64_t x = 0; x < k; ++x) {
              const double av = ta ? a[x * m + i] : a[i * k + x], bv = tb ? b[j * k + x] : b[x * n + j];
              sum += av * bv;
              magnitude += std::fabs(av * bv);
            }
            const double want = alpha * sum + beta * c0[i * n + j];
            worst = std::max(worst, std::fabs(c[i * n + j] - want) / (1e-6 * (magnitude + 1)));
          }
        }
        if (worst > 1) std::printf("  %s trans %d/%d %lldx%lldx%lld: error %.3g x tolerance\n", kernels::isaName(isa), ta, tb,
                                   static_cast<long long>(m), static_cast<long long>(n), static_cast<long long>(k), worst);
        CHECK(worst <= 1);
        // The summation contract fixes every rounding: all FMA kernel sets agree bit for bit.
        if (isa == kernels::Isa::Avx512) {
          CHECK(sameBits(c, runGemm(kernels::Isa::Avx2, ta, tb, m, n, k, alpha, beta, a, b, c0, 2)));
        }
      }
    }
    // beta = 0 ignores C, NaN included; the thread count never changes a bit. At this depth a
    // block of 144 rows takes the K-blocks-outer order and smaller ones the panels-outer order,
    // so the thread count also changes which order some rows see.
    const int64_t m = 301, n = 75, k = 2100;
    const auto a = randomFloats(m * k, 4), b = randomFloats(k * n, 5);
    std::vector<float> nan(m * n, std::nanf(""));
    const auto one = runGemm(isa, false, true, m, n, k, 1.0f, 0.0f, a, b, nan, 1);
    bool finite = true;
    for (float x : one) finite = finite && std::isfinite(x);
    CHECK(finite);
    CHECK(sameBits(one, runGemm(isa, false, true, m, n, k, 1.0f, 0.0f, a, b, nan, 2)));
    CHECK(sameBits(one, runGemm(isa, false, true, m, n, k, 1.0f, 0.0f, a, b, nan, 3)));
  }
  // A workspace reused across depths: block depth is not monotonic in k (2048 -> 2048, 2100 -> 1050),
  // so buffers packed for one product must still hold the deepest block of a later one.
  for (kernels::Isa isa : kernels::supportedIsas()) {
    GemmWorkspace shared;
    const int64_t m = 150, n = 20;
    for (const auto& [k, ta] : {std::pair<int64_t, bool>{2048, false}, {2100, true}, {2048, true}, {20, true}, {2500, true}}) {
      const auto a = randomFloats(m * k, 6), b = randomFloats(k * n, 7), c0 = randomFloats(m * n, 8);
      const auto fresh = runGemm(isa, ta, false, m, n, k, 1.0f, 0.0f, a, b, c0, 2);
      CHECK(sameBits(fresh, runGemm(isa, ta, false, m, n, k, 1.0f, 0.0f, a, b, c0, 2, &shared)));
    }
  }
  ThreadPool pool;
  GemmWorkspace workspace;
  GemmArgs bad;
  bad.m = -1;
  CHECK_THROWS("ERR_INVALID_ARGUMENT", gemm(bad, kernels::denseKernels(kernels::Isa::Scalar), pool, 1, workspace));
  bad.m = 1, bad.alpha = INFINITY;
  CHECK_THROWS("ERR_NOT_FINITE", gemm(bad, kernels::denseKernels(kernels::Isa::Scalar), pool, 1, workspace));
}

void testRowBlocks() {
  std::puts("row blocks");
  // Blocks cover the rows in order, none larger than a packed block.
  for (int64_t rows : {1, 5, 64, 256, 301, 1000}) {
    for (int threads : {1, 2, 3, 7}) {
      const RowBlocks blocks(rows, threads);
      int64_t next = 0;
      bool ordered = true;
      for (int64_t b = 0; b < blocks.count(); ++b) {
        ordered = ordered && blocks.begin(b) == next && blocks.end(b) >= next &&
                  blocks.end(b) - blocks.begin(b) <= kGemmBlockRows;
        next = blocks.end(b);
      }
      CHECK(ordered && next == rows);
    }
  }
  // Equal shares per thread: 256 rows on 2 threads are 128 + 128, not 132 + 124; 1000 rows on 2
  // threads are 4 blocks, 2 per share of 500.
  const RowBlocks two(256, 2), many(1000, 2);
  CHECK(two.count() == 2 && two.end(0) == 128 && two.end(1) == 256);
  CHECK(many.count() == 8 && many.end(3) == 500 && many.begin(4) == 500);
}

void testCountOnes() {
  std::puts("count and list ones");
  for (kernels::Isa isa : kernels::supportedIsas()) {
    const auto countOnes = kernels::denseKernels(isa).countOnes;
    for (int64_t n : {0, 1, 7, 8, 15, 16, 17, 33, 1000}) {
      auto values = randomStates(static_cast<size_t>(n), 31 + static_cast<uint32_t>(n), 0.3);
      int64_t ones = 0;
      for (float x : values) ones += x == 1.0f;
      CHECK(countOnes(values.data(), n) == ones);
      // listOnes: the indices of the ones, offset by `first`, in order.
      std::vector<int32_t> want, listed(static_cast<size_t>(ones + kernels::kListOnesSlack), -1);
      for (int64_t i = 0; i < n; ++i) {
        if (values[i] == 1.0f) want.push_back(static_cast<int32_t>(100 + i));
      }
      const int64_t got = kernels::denseKernels(isa).listOnes(values.data(), n, 100, listed.data());
      CHECK(got == ones && std::equal(want.begin(), want.end(), listed.begin()));
      // Any entry other than 0 or 1, in a full vector or in the tail, makes it -1.
      for (int64_t at : {int64_t{0}, n / 2, n - 1}) {
        if (n == 0) continue;
        for (float bad : {0.5f, -1.0f, std::nanf("")}) {
          auto spoilt = values;
          spoilt[at] = bad;
          CHECK(countOnes(spoilt.data(), n) == -1);
        }
      }
    }
  }
}

struct ConditionalCase {
  int64_t rows = 53, numVisible = 97, numHidden = 41;
  std::vector<float> weights = randomFloats(97 * 41, 11, 0.4f), bias;
  std::vector<float> input;
  float beta = 0.8f;
};

std::pair<std::vector<float>, std::vector<float>> runConditional(const ConditionalCase& cc, LayerDirection direction,
                                                                 kernels::Isa isa, int threads, ProductPath path,
                                                                 uint64_t stream = 5) {
  const int64_t out = direction == LayerDirection::Hidden ? cc.numHidden : cc.numVisible;
  std::vector<float> prob(cc.rows * out), sample(cc.rows * out);
  ConditionalArgs a;
  a.direction = direction, a.rows = cc.rows, a.numVisible = cc.numVisible, a.numHidden = cc.numHidden;
  a.weights = cc.weights.data(), a.bias = cc.bias.data(), a.input = cc.input.data(), a.beta = cc.beta;
  a.prob = prob.data(), a.sample = sample.data(), a.seed = 77, a.stream = stream, a.path = path;
  ThreadPool pool;
  ConditionalWorkspace workspace;
  rbmConditional(a, kernels::denseKernels(isa), pool, threads, workspace);
  return {prob, sample};
}

void testConditional() {
  std::puts("rbm conditional");
  for (LayerDirection direction : {LayerDirection::Hidden, LayerDirection::Visible}) {
    const bool toHidden = direction == LayerDirection::Hidden;
    ConditionalCase cc;
    const int64_t in = toHidden ? cc.numVisible : cc.numHidden, out = toHidden ? cc.numHidden : cc.numVisible;
    cc.bias = randomFloats(out, 12, 0.5f);
    cc.input = randomStates(cc.rows * in, 13, 0.2);
    for (int64_t x = 0; x < in; ++x) cc.input[x] = 0.37f;  // row 0 not binary
    for (kernels::Isa isa : kernels::supportedIsas()) {
      const auto [prob, sample] = runConditional(cc, direction, isa, 2, ProductPath::Auto);
      double worst = 0;
      for (int64_t r = 0; r < cc.rows; ++r) {
        for (int64_t j = 0; j < out; ++j) {
          double pre = cc.bias[j];
          for (int64_t i = 0; i < in; ++i) {
            pre += cc.input[r * in + i] * (toHidden ? cc.weights[i * cc.numHidden + j] : cc.weights[j * cc.numHidden + i]);
          }
          worst = std::max(worst, std::fabs(prob[r * out + j] - 1.0 / (1.0 + std::exp(-cc.beta * pre))));
        }
      }
      std::printf("  %s %s: max |p - sigmoid| = %.2g\n", kernels::isaName(isa), toHidden ? "hidden" : "visible", worst);
      CHECK(worst < 2e-6);
      // Identical for any thread count; dense and active-row paths agree bit for bit on 0/1 rows.
      CHECK(sameBits(sample, runConditional(cc, direction, isa, 1, ProductPath::Auto).second));
      CHECK(sameBits(prob, runConditional(cc, direction, isa, 3, ProductPath::Auto).first));
      ConditionalCase binary = cc;
      binary.input = randomStates(cc.rows * in, 14, 0.2);
      const auto dense = runConditional(binary, direction, isa, 2, ProductPath::Dense);
      const auto active = runConditional(binary, direction, isa, 2, ProductPath::ActiveRows);
      CHECK(sameBits(dense.first, active.first));
      CHECK(sameBits(dense.second, active.second));
      CHECK_THROWS("ERR_INVALID_ARGUMENT", runConditional(cc, direction, isa, 1, ProductPath::ActiveRows));
      if (isa == kernels::Isa::Avx512) {  // same sums, exp steps and words as AVX2: same bits
        const auto avx2 = runConditional(cc, direction, kernels::Isa::Avx2, 2, ProductPath::Auto);
        CHECK(sameBits(prob, avx2.first));
        CHECK(sameBits(sample, avx2.second));
        const auto avx2Active = runConditional(binary, direction, kernels::Isa::Avx2, 2, ProductPath::ActiveRows);
        CHECK(sameBits(active.first, avx2Active.first));
        CHECK(sameBits(active.second, avx2Active.second));
      }
    }
    if (kernels::supportedIsas().size() > 1) {
      // Scalar and AVX2 differ only by FMA rounding in exp: probabilities within a few ulps, and a
      // sample can differ only when u is within that distance of p.
      const auto scalar = runConditional(cc, direction, kernels::Isa::Scalar, 2, ProductPath::Auto);
      const auto avx2 = runConditional(cc, direction, kernels::Isa::Avx2, 2, ProductPath::Auto);
      double worst = 0;
      int differ = 0;
      for (size_t x = 0; x < scalar.first.size(); ++x) {
        worst = std::max(worst, std::fabs(double{scalar.first[x]} - avx2.first[x]));
        differ += scalar.second[x] != avx2.second[x];
      }
      CHECK(worst < 1e-6);
      CHECK(differ <= 1);
    }
  }
  // Inputs deep enough for two K-blocks: the active-row path splits its lists at the same blocks.
  ConditionalCase deep;
  deep.rows = 13, deep.numVisible = 2100;
  deep.weights = randomFloats(deep.numVisible * deep.numHidden, 17, 0.1f);
  deep.bias = randomFloats(deep.numHidden, 18, 0.5f);
  deep.input = randomStates(deep.rows * deep.numVisible, 19, 0.2);
  for (kernels::Isa isa : kernels::supportedIsas()) {
    const auto dense = runConditional(deep, LayerDirection::Hidden, isa, 2, ProductPath::Dense);
    const auto active = runConditional(deep, LayerDirection::Hidden, isa, 1, ProductPath::ActiveRows);
    CHECK(sameBits(dense.first, active.first));
    CHECK(sameBits(dense.second, active.second));
  }
  // Sample frequencies match p: 4000 rows with the same input, one unit per column.
  ConditionalCase cc;
  cc.rows = 4000;
  cc.bias = randomFloats(cc.numHidden, 15, 1.0f);
  const auto row = randomStates(cc.numVisible, 16, 0.3);
  for (int64_t r = 0; r < cc.rows; ++r) cc.input.insert(cc.input.end(), row.begin(), row.end());
  for (kernels::Isa isa : kernels::supportedIsas()) {
    const auto [prob, sample] = runConditional(cc, LayerDirection::Hidden, isa, 2, ProductPath::Auto);
    double worstZ = 0;
    for (int64_t j = 0; j < cc.numHidden; ++j) {
      double mean = 0;
      for (int64_t r = 0; r < cc.rows; ++r) mean += sample[r * cc.numHidden + j];
      mean /= cc.rows;
      const double p = prob[j];
      worstZ = std::max(worstZ, std::fabs(mean - p) / std::sqrt(p * (1 - p) / cc.rows));
    }
    CHECK(worstZ < 5);  // 41 units: P(any |z| > 5) < 3e-5
    // Other streams give other draws.
    CHECK(!sameBits(sample, runConditional(cc, LayerDirection::Hidden, isa, 2, ProductPath::Auto, 6).second));
  }
  cc.input.assign(cc.rows * cc.numVisible, 0.0f);
  cc.beta = -1;
  CHECK_THROWS("ERR_INVALID_ARGUMENT", runConditional(cc, LayerDirection::Hidden, kernels::Isa::Scalar, 1, ProductPath::Auto));
  cc.beta = 1;
  cc.weights[7] = std::nanf("");
  CHECK_THROWS("ERR_NOT_FINITE", runConditional(cc, LayerDirection::Hidden, kernels::Isa::Scalar, 1, ProductPath::Auto));
  // The first non-finite entry is named, wherever it is (the scan goes by chunks of 4096).
  std::vector<float> values(10000, 1.0f);
  values[7001] = -INFINITY;
  values[9000] = std::nanf("");
  std::string message;
  try {
    requireFiniteArray(values.data(), 10000, "values");
  } catch (const Error& e) {
    message = e.what();
  }
  CHECK(message == "values[7001] is infinite");
  requireFiniteArray(values.data(), 7001, "values");  // all finite: no throw
}

// Parameters are packed for the kernels of packedFor, then run with those of isa.
std::vector<float> runRbmChains(kernels::Isa isa, int threads, int64_t chains, std::vector<float>* probOut = nullptr,
                                std::optional<kernels::Isa> packedFor = std::nullopt) {
  const int64_t V = 50, H = 23;
  RbmChains rc(V, H, chains, 99);
  ThreadPool pool;
  const auto w = randomFloats(V * H, 21, 0.5f), vb = randomFloats(V, 22, 0.5f), hb = randomFloats(H, 23, 0.5f);
  const int width = kernels::denseKernels(packedFor.value_or(isa)).panelWidth;
  rc.setParameters(w.data(), vb.data(), hb.data(), width, pool, threads);
  const int32_t nodes[] = {3, 40};
  std::vector<float> values(2 * chains);
  for (int64_t c = 0; c < chains; ++c) values[2 * c] = 1, values[2 * c + 1] = static_cast<float>(c % 2);
  rc.setClamp(nodes, 2, values.data());
  rc.run(BetaSchedule::constant(0.9f, 30), kernels::denseKernels(isa), pool, threads, nullptr);
  bool held = true;
  for (int64_t c = 0; c < chains; ++c) {
    held = held && rc.visible()[c * V + 3] == 1 && rc.visible()[c * V + 40] == c % 2;
    held = held && rc.visibleProbabilities()[c * V + 40] == c % 2;
  }
  CHECK(held);
  if (probOut != nullptr) *probOut = rc.visibleProbabilities();
  std::vector<float> out = rc.visible();
  out.insert(out.end(), rc.hidden().begin(), rc.hidden().end());
  return out;
}

void testRbmChains() {
  std::puts("rbm chains");
  for (kernels::Isa isa : kernels::supportedIsas()) {
    std::vector<float> p1, p2;
    const auto one = runRbmChains(isa, 1, 301, &p1);
    CHECK(sameBits(one, runRbmChains(isa, 2, 301, &p2)));
    CHECK(sameBits(p1, p2));
    CHECK(sameBits(one, runRbmChains(isa, 3, 301)));
    if (isa == kernels::Isa::Avx512) {
      std::vector<float> pAvx2;
      CHECK(sameBits(one, runRbmChains(kernels::Isa::Avx2, 2, 301, &pAvx2)));
      CHECK(sameBits(p1, pAvx2));
      // Panels packed 16 wide are re-laid out for the 32-wide kernels, and back.
      CHECK(sameBits(one, runRbmChains(isa, 2, 301, nullptr, kernels::Isa::Avx2)));
      CHECK(sameBits(one, runRbmChains(kernels::Isa::Avx2, 2, 301, nullptr, isa)));
    }
  }
  // A chain's trajectory does not depend on how many chains run beside it.
  const auto few = runRbmChains(kernels::Isa::Scalar, 2, 7), many = runRbmChains(kernels::Isa::Scalar, 2, 200);
  CHECK(std::memcmp(few.data(), many.data(), 7 * 50 * sizeof(float)) == 0);

  CHECK_THROWS("ERR_INVALID_ARGUMENT", RbmChains(4, 3, 0, 1));
  CHECK_THROWS("ERR_INVALID_ARGUMENT", RbmChains(0, 3, 1, 1));
  CHECK_THROWS("ERR_TOO_LARGE", RbmChains(1000, 1000, int64_t{1} << 36, 1));
  RbmChains rc(4, 3, 2, 1);
  ThreadPool pool;
  std::vector<float> w(12, 0.1f), vb(4, 0.0f), hb(3, 0.0f);
  w[5] = INFINITY;
  CHECK_THROWS("ERR_NOT_FINITE", rc.setParameters(w.data(), vb.data(), hb.data(), kernels::kPanelWidthAvx2, pool, 1));
  std::vector<float> states(8, 0.5f);
  CHECK_THROWS("ERR_INVALID_ARGUMENT", rc.setVisible(states.data()));
  const int32_t outOfRange[] = {4}, twice[] = {1, 1};
  std::vector<float> values(4, 1.0f);
  CHECK_THROWS("ERR_INVALID_ARGUMENT", rc.setClamp(outOfRange, 1, values.data()));
  CHECK_THROWS("ERR_INVALID_ARGUMENT", rc.setClamp(twice, 2, values.data()));
  const auto dense = kernels::denseKernels(kernels::Isa::Scalar);
  const double negative[] = {5};
  CHECK_THROWS("ERR_INVALID_ARGUMENT", rc.run(BetaSchedule(negative, 1, {-0.5f}, 0, 1, 1), dense, pool, 1, nullptr));
  CancelToken cancel;
  cancel.cancelled = true;
  CHECK_THROWS("ERR_ABORTED", rc.run(BetaSchedule::constant(1.0f, 100), dense, pool, 1, &cancel));
}

}  // namespace

// The Box–Muller polynomials against double precision, and the vector normals against the scalar.
void testNormalPolynomials() {
  std::printf("normal polynomials\n");
  double logAbs = 0, logRel = 0, sinErr = 0, cosErr = 0;
  for (int k = 1; k <= 1 << 20; ++k) {
    const float u = kernels::uniformLogArgument(static_cast<uint32_t>(k) * 4093u + 7u);
    const double exact = std::log(static_cast<double>(u));
    const double err = std::fabs(kernels::logPoly(u) - exact);
    logAbs = std::max(logAbs, err / std::max(1.0, std::fabs(exact)));  // absolute near u = 1, relative beyond
    if (u < 0.9f) logRel = std::max(logRel, err / std::fabs(exact));
  }
  for (int k = 0; k < 1 << 20; ++k) {
    const float phi = static_cast<float>(k) * kernels::kPhiScale * 8 + kernels::kPhiOffset;
    if (phi > 0.7854f) break;
    sinErr = std::max(sinErr, std::fabs(kernels::sinPoly(phi) - std::sin(static_cast<double>(phi))));
    cosErr = std::max(cosErr, std::fabs(kernels::cosPoly(phi) - std::cos(static_cast<double>(phi))));
  }
  std::printf("  log: abs (relative where |ln u| > 1) %.2e, rel (u < 0.9) %.2e; sin %.2e, cos %.2e\n", logAbs, logRel, sinErr, cosErr);
  CHECK(logAbs < 2e-7);
  CHECK(logRel < 2e-7);
  CHECK(sinErr < 2e-7);
  CHECK(cosErr < 2e-7);
  for (kernels::Isa isa : kernels::supportedIsas()) {
    kernels::RngLanes a{}, b{};
    for (int lane = 0; lane < kernels::kLanes; ++lane) seedLane(a, lane, 5, lane), seedLane(b, lane, 5, lane);
    std::vector<float> ref(4096), vec(4096);
    kernels::normalsReference(a, ref.data(), 256);
    kernels::langevinKernels(isa).normals(b, vec.data(), 256);
    float worst = 0;
    for (size_t k = 0; k < ref.size(); ++k) worst = std::max(worst, std::fabs(ref[k] - vec[k]));
    CHECK(worst < 2e-5f);
  }
  // AVX-512 takes two blocks per step: the same numbers as AVX2 bit for bit, for even and odd block
  // counts, and the generators end in the same state.
  const std::vector<kernels::Isa> isas = kernels::supportedIsas();
  if (isas.back() == kernels::Isa::Avx512) {
    for (int64_t blocks : {1, 2, 7, 81}) {
      kernels::RngLanes a{}, b{};
      for (int lane = 0; lane < kernels::kLanes; ++lane) seedLane(a, lane, 9, lane), seedLane(b, lane, 9, lane);
      std::vector<float> narrow(16 * blocks + 16), wide(16 * blocks + 16);
      for (int round = 0; round < 2; ++round) {
        kernels::langevinKernels(kernels::Isa::Avx2).normals(a, narrow.data(), blocks);
        kernels::langevinKernels(kernels::Isa::Avx512).normals(b, wide.data(), blocks);
        CHECK(std::memcmp(narrow.data(), wide.data(), narrow.size() * sizeof(float)) == 0);
      }
    }
  }
}

// The sparse products of every instruction set against the scalar reference: irregular rows (some
// shorter than four entries, some empty), a unit count off the vector width, partial chain groups,
// both write modes. A chain's product may not depend on the chains beside it (thread-count
// independence): the same chains computed alone or in another group are bit-identical.
void testSparseProducts() {
  std::printf("sparse products\n");
  const int64_t n = 37, ld = 48, chains = 13;
  std::mt19937 gen(3);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<int32_t> rowPtr{0}, cols;
  std::vector<float> values;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t degree = i % 10;  // 0..9
    for (int64_t d = 0; d < degree; ++d) {
      cols.push_back(static_cast<int32_t>((i * 7 + d * 5 + 1) % n));
      values.push_back(uniform(gen));
    }
    rowPtr.push_back(static_cast<int32_t>(cols.size()));
  }
  const kernels::SparseCouplings j{n, rowPtr.data(), cols.data(), values.data()};
  std::vector<float> x(chains * ld, 0.0f), start(chains * ld);
  for (int64_t c = 0; c < chains; ++c) {
    for (int64_t i = 0; i < n; ++i) x[c * ld + i] = uniform(gen);
  }
  for (float& v : start) v = uniform(gen);
  AlignedArray<float> scratch = allocateAligned<float>(ld * kernels::kSparseChains);
  for (bool accumulate : {false, true}) {
    std::vector<float> ref = start;
    kernels::sparseProductScalar(j, x.data(), chains, ld, accumulate, ref.data(), nullptr);
    float worst = 0;
    bool paddingOk = true;
    for (int64_t c = 0; c < chains; ++c) {
      for (int64_t i = 0; i < ld; ++i) {
        double exact = accumulate ? start[c * ld + i] : 0.0;
        if (i < n) {
          for (int32_t k = rowPtr[i]; k < rowPtr[i + 1]; ++k) exact += static_cast<double>(values[k]) * x[c * ld + cols[k]];
        }
        worst = std::max(worst, static_cast<float>(std::fabs(ref[c * ld + i] - exact)));
        if (i >= n && !accumulate) paddingOk = paddingOk && ref[c * ld + i] == 0.0f;
      }
    }
    CHECK(worst < 1e-5f);
    CHECK(paddingOk);
    for (kernels::Isa isa : kernels::supportedIsas()) {
      const kernels::SparseProductFn product = kernels::langevinKernels(isa).sparseProduct;
      std::vector<float> all = start, alone = start;
      product(j, x.data(), chains, ld, accumulate, all.data(), scratch.get());
      float gap = 0;
      for (size_t k = 0; k < ref.size(); ++k) gap = std::max(gap, std::fabs(all[k] - ref[k]));
      CHECK(gap < 1e-5f);
      // Chains 3..7 as their own group of five, chain 12 alone.
      product(j, x.data() + 3 * ld, 5, ld, accumulate, alone.data() + 3 * ld, scratch.get());
      product(j, x.data() + 12 * ld, 1, ld, accumulate, alone.data() + 12 * ld, scratch.get());
      CHECK(std::memcmp(all.data() + 3 * ld, alone.data() + 3 * ld, 5 * ld * sizeof(float)) == 0);
      CHECK(std::memcmp(all.data() + 12 * ld, alone.data() + 12 * ld, ld * sizeof(float)) == 0);
      // Chains outside the call are untouched.
      CHECK(std::memcmp(alone.data(), start.data(), 3 * ld * sizeof(float)) == 0);
      CHECK(std::memcmp(alone.data() + 8 * ld, start.data() + 8 * ld, 4 * ld * sizeof(float)) == 0);
    }
  }
}

// The AVX-512 overdamped step against the AVX2 one, bit for bit (states, LM noise, heat sums), with
// and without heat, field, Leimkuhler–Matthews noise, products and a failing unit.
void testOverdampedSteps() {
  std::printf("overdamped steps\n");
  const std::vector<kernels::Isa> isas = kernels::supportedIsas();
  if (isas.back() != kernels::Isa::Avx512) return;
  const int64_t n = 1024;
  std::mt19937 gen(5);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  auto draw = [&](float scale) {
    std::vector<float> v(n);
    for (float& x : v) x = scale * uniform(gen);
    return v;
  };
  // Magnitudes spread over 2^-8 .. 2^8 (terms over ~2^-50 .. 2^50), so that the float64 sums round
  // and their order shows.
  auto spread = [&](std::vector<float> v) {
    for (int64_t i = 0; i < n; ++i) v[i] = std::ldexp(v[i], static_cast<int>(gen() % 17) - 8);
    return v;
  };
  const std::vector<float> a = draw(2), c = draw(1), h = spread(draw(1)), field = draw(1), product = spread(draw(3));
  const std::vector<float> noise = draw(2);
  std::vector<float> free(n, 1.0f);
  free[7] = 0.0f;
  for (int variant = 0; variant < 16; ++variant) {
    const bool heat = variant & 1, withField = variant & 2, lm = variant & 4, withProduct = variant & 8;
    std::vector<float> x[2] = {spread(draw(1.5f)), {}}, prev[2] = {draw(1), {}};
    x[1] = x[0], prev[1] = prev[0];
    if (variant == 15) x[0][9] = x[1][9] = 1e30f;  // overflows: both report it
    kernels::OverdampedHeat heats[2] = {{0, 0}, {0, 0}};
    bool ok[2];
    for (int k = 0; k < 2; ++k) {
      const kernels::OverdampedRow row{n, a.data(), c.data(), h.data(), free.data(), withField ? field.data() : nullptr,
                                       withProduct ? product.data() : nullptr, noise.data(),
                                       lm ? prev[k].data() : nullptr, x[k].data(), 0.7f, 0.4f, 0.01f, 0.2f, 0.35f,
                                       heat ? &heats[k] : nullptr};
      ok[k] = kernels::langevinKernels(k == 0 ? kernels::Isa::Avx2 : kernels::Isa::Avx512).overdampedStep(row);
    }
    CHECK(ok[0] == ok[1] && ok[0] == (variant != 15));
    CHECK(std::memcmp(x[0].data(), x[1].data(), n * sizeof(float)) == 0);
    CHECK(std::memcmp(prev[0].data(), prev[1].data(), n * sizeof(float)) == 0);
    CHECK(std::memcmp(&heats[0], &heats[1], sizeof heats[0]) == 0);
    if (heat && withProduct) CHECK(heats[0].xDotP != 0.0 && heats[0].onsiteWork != 0.0);
  }
}

void testGemvTransposed() {
  std::puts("transposed matrix-vector products");
  for (int64_t rows : {1, 5, 64, 333}) {
    for (int64_t cols : {16, 48, 320, 400, 784}) {
      const int64_t lda = cols + 16;
      auto a = allocateAligned<float>(static_cast<size_t>(rows * lda));
      const auto values = randomFloats(static_cast<size_t>(rows * lda), 3 + static_cast<uint32_t>(rows + cols), 1.0f);
      std::copy(values.begin(), values.end(), a.get());
      const auto x = randomFloats(static_cast<size_t>(rows), 9, 1.0f);
      std::vector<float> reference;
      for (kernels::Isa isa : kernels::supportedIsas()) {
        std::vector<float> y(static_cast<size_t>(cols), NAN);
        kernels::denseKernels(isa).gemvTransposed(a.get(), rows, cols, lda, x.data(), y.data());
        double worst = 0;
        for (int64_t j = 0; j < cols; ++j) {
          double exact = 0, scale = 0;
          for (int64_t i = 0; i < rows; ++i) exact += double(a[i * lda + j]) * x[i], scale += std::fabs(a[i * lda + j] * x[i]);
          worst = std::max(worst, std::fabs(y[j] - exact) / (scale + 1e-30));
        }
        CHECK(worst < 1e-6);
        if (reference.empty()) reference = y;
        CHECK(y == reference);  // one FMA chain per output: the same bits on every instruction set
      }
    }
  }
}

void testTngdDevice() {
  std::puts("TNGD device");
  // Two examples of three classes: K = G G^T (positive definite), probabilities, gradient.
  const int64_t batch = 2, classes = 3, m = batch * classes;
  const auto g = randomFloats(m * m, 21, 1.0f);
  std::vector<float> gram(m * m, 0.0f);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < m; ++j)
      for (int64_t k = 0; k < m; ++k) gram[i * m + j] += g[i * m + k] * g[j * m + k];
  const std::vector<float> probs = {0.2f, 0.3f, 0.5f, 0.6f, 0.3f, 0.1f};
  const auto gradient = randomFloats(m, 22, 1.0f);
  DeviceModel model;
  model.batch = batch, model.classes = classes, model.gram = gram.data(), model.probs = probs.data();
  model.curvatureScale = 0.5f, model.gradient = gradient.data();
  // Reference: the recursion of tngd_device.h in double precision, without noise.
  const int64_t steps = 50;
  const double dt = 0.05, damping = 0.1, c = 1 - damping * dt;
  std::vector<double> y(m, 0.3), v(m, 0.0), hy(m);
  for (int64_t step = 0; step < steps; ++step) {
    for (int64_t s = 0; s < batch; ++s) {
      double py = 0;
      for (int64_t k = 0; k < classes; ++k) py += probs[s * classes + k] * y[s * classes + k];
      for (int64_t k = 0; k < classes; ++k) hy[s * classes + k] = 0.5 * probs[s * classes + k] * (y[s * classes + k] - py);
    }
    std::vector<double> next(m);
    for (int64_t i = 0; i < m; ++i) {
      double khy = 0, ke = 0;
      for (int64_t j = 0; j < m; ++j) khy += gram[i * m + j] * hy[j], ke += gram[i * m + j] * gradient[j];
      v[i] = c * v[i] + dt * (gradient[i] - hy[i]);
      next[i] = c * y[i] + dt * (ke - khy);
    }
    y = next;
  }
  for (kernels::Isa isa : kernels::supportedIsas()) {
    TngdDevice device(5);
    const double largest = device.load(model, kernels::denseKernels(isa));
    CHECK(largest > 0 && std::isfinite(largest));
    std::vector<float> yf(m, 0.3f), vf(m, 0.0f);
    DeviceRunArgs args;
    args.steps = steps, args.dt = static_cast<float>(dt), args.damping = static_cast<float>(damping);
    args.y = yf.data(), args.v = vf.data();
    device.run(args, kernels::denseKernels(isa), kernels::langevinKernels(isa).normals);
    double worst = 0;
    for (int64_t i = 0; i < m; ++i) worst = std::max({worst, std::fabs(yf[i] - y[i]) / (1 + std::fabs(y[i])), std::fabs(vf[i] - v[i]) / (1 + std::fabs(v[i]))});
    CHECK(worst < 1e-4);
    // Too large a step diverges with a coded error naming the step, never silent NaN.
    args.dt = 1e4f;
    bool diverged = false;
    try {
      device.run(args, kernels::denseKernels(isa), kernels::langevinKernels(isa).normals);
    } catch (const Error& e) {
      diverged = e.code() == "ERR_NOT_FINITE" && std::string(e.what()).find("step") != std::string::npos;
    }
    CHECK(diverged);
  }
  // The noise factorisation finds K's rank: K = B B^T with B of rank 3 (m = 6).
  {
    const auto low = randomFloats(m * 3, 23, 1.0f);
    std::vector<float> lowRank(m * m, 0.0f);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < m; ++j)
        for (int64_t k = 0; k < 3; ++k) lowRank[i * m + j] += low[i * 3 + k] * low[j * 3 + k];
    DeviceModel noisy = model;
    noisy.gram = lowRank.data(), noisy.noisy = true;
    TngdDevice device(3);
    device.load(noisy, kernels::denseKernels(kernels::defaultIsa()));
    CHECK(device.rank() == 3);
    std::vector<float> yf(m, 0.1f), vf(m, 0.0f), h(3, 0.0f), jZeta(m, 0.5f);
    DeviceRunArgs args;
    args.steps = 20, args.dt = 0.05f, args.damping = 0.1f, args.sigma = 0.2f;
    args.y = yf.data(), args.v = vf.data(), args.h = h.data();
    device.run(args, kernels::denseKernels(kernels::defaultIsa()), kernels::langevinKernels(kernels::defaultIsa()).normals);
    device.foldNoise(h.data(), jZeta.data(), 0.3, vf.data());
    bool finite = true;
    for (int64_t i = 0; i < m; ++i) finite = finite && std::isfinite(yf[i]) && std::isfinite(vf[i]);
    CHECK(finite && (h[0] != 0.0f || h[1] != 0.0f));
    // The same seed draws the same noise.
    TngdDevice twin(3);
    twin.load(noisy, kernels::denseKernels(kernels::defaultIsa()));
    std::vector<float> y2(m, 0.1f), v2(m, 0.0f), h2(3, 0.0f);
    args.y = y2.data(), args.v = v2.data(), args.h = h2.data();
    twin.run(args, kernels::denseKernels(kernels::defaultIsa()), kernels::langevinKernels(kernels::defaultIsa()).normals);
    twin.foldNoise(h2.data(), jZeta.data(), 0.3, v2.data());
    CHECK(y2 == yf && v2 == vf && h2 == h);
    // With h = 0 and scale 1, foldNoise adds -L_R^-T L_R^-1 z_R = -K_RR^-1 z_R on the pivot rows R.
    // For z = K w in K's range, K_{:,R} K_RR^-1 K_{R,:} = K (K has rank |R|), so K folded = -z.
    const auto w = randomFloats(m, 24, 1.0f);
    std::vector<float> z(m, 0.0f), zeroH(3, 0.0f), folded(m, 0.0f);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < m; ++j) z[i] += lowRank[i * m + j] * w[j];
    twin.foldNoise(zeroH.data(), z.data(), 1.0, folded.data());
    double worst = 0;
    for (int64_t i = 0; i < m; ++i) {
      double kf = 0;
      for (int64_t j = 0; j < m; ++j) kf += double(lowRank[i * m + j]) * folded[j];
      worst = std::max(worst, std::fabs(kf + z[i]) / (1 + std::fabs(z[i])));
    }
    CHECK(worst < 1e-3);
  }
  TngdDevice fresh(1);
  DeviceRunArgs idle;
  std::vector<float> y1(1), v1(1);
  idle.steps = 1, idle.dt = 0.1f, idle.y = y1.data(), idle.v = v1.data();
  bool refused = false;
  try {
    fresh.run(idle, kernels::denseKernels(kernels::Isa::Scalar), kernels::langevinKernels(kernels::Isa::Scalar).normals);
  } catch (const Error& e) {
    refused = e.code() == "ERR_INVALID_ARGUMENT";
  }
  CHECK(refused);
  gram[3] = NAN;
  bool rejected = false;
  try {
    fresh.load(model, kernels::denseKernels(kernels::Isa::Scalar));
  } catch (const Error& e) {
    rejected = e.code() == "ERR_NOT_FINITE";
  }
  CHECK(rejected);
}

int main() {
  testGraphValidation();
  testColouring();
  testUpdateOrder();
  testThreadPool();
  testRngAndExp();
  testCeilingLoops();
  testDeterminism();
  testBlockMoments();
  testBadInput();
  testGemm();
  testRowBlocks();
  testCountOnes();
  testConditional();
  testRbmChains();
  testNormalPolynomials();
  testSparseProducts();
  testOverdampedSteps();
  testGemvTransposed();
  testTngdDevice();
  std::printf("%d passed, %d failed\n", passes, failures);
  return failures == 0 ? 0 : 1;
}
