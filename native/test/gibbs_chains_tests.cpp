// Tests of sparse Gibbs chains and their kernels (core/gibbs_chains, kernels/gibbs, kernels/moments).
#include "fixtures.h"

namespace {

// Samples of the 10 x 10 king's torus (with `far` neighbours too) with nodes 5 and 17 clamped, and
// with `pendants` extra nodes (clamped too if clampPendants).
std::vector<int8_t> runChains(kernels::Isa isa, int threads, int64_t chains, int pendants = 0,
                              bool clampPendants = false, bool far = false) {
  auto graph = std::make_shared<SparseGraph>(torusGraph(10, true, pendants, far));
  colourGraph(*graph, ColouringMethod::Dsatur);
  GibbsChains gc(graph, chains, 1234);
  std::vector<float> coupling(graph->numEdges()), bias(graph->numNodes);
  for (size_t e = 0; e < coupling.size(); ++e)
    coupling[e] = 0.3f * std::sin(1.7f * e);
  for (size_t i = 0; i < bias.size(); ++i)
    bias[i] = 0.2f * std::cos(0.9f * i);
  gc.setParameters(coupling.data(), bias.data());
  std::vector<int32_t> clamped{5, 17};
  for (int k = 0; clampPendants && k < pendants; ++k)
    clamped.push_back(100 + k);
  const int64_t count = static_cast<int64_t>(clamped.size());
  std::vector<int8_t> values(count * chains);
  for (int64_t c = 0; c < chains; ++c) {
    for (int64_t k = 0; k < count; ++k)
      values[c * count + k] = k == 0 || (c + k + 1) % 2 ? 1 : -1;
  }
  gc.setClamp(clamped.data(), count, values.data());
  SampleSchedule schedule{20, 5, 3};
  const BetaSchedule betas =
      BetaSchedule::constant(0.8f, totalSweeps(schedule.warmup, schedule.samples, schedule.thin));
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
  for (float& s : spin)
    s = gen() % 2 ? 1.0f : -1.0f;
  std::vector<int32_t> a(pairs), b(pairs);
  for (int64_t p = 0; p < pairs; ++p)
    a[p] = gen() % n, b[p] = gen() % n;
  std::vector<float> nodeStart(n), pairStart(pairs);
  for (float& v : nodeStart)
    v = static_cast<float>(gen() % 1000);
  for (float& v : pairStart)
    v = static_cast<float>(gen() % 1000);
  std::vector<float> nodeExpected(nodeStart), pairExpected(pairStart);
  for (int32_t i = 0; i < n; ++i) {
    for (int l = 0; l < kernels::kBlockLanes; ++l)
      nodeExpected[i] += spin[i * kernels::kBlockLanes + l];
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
  CHECK_THROWS("ERR_INVALID_ARGUMENT", gc.run(SampleSchedule{1, 1, 1}, BetaSchedule::constant(1.0f, 2), Observe{},
                                              kernels::gibbsKernels(kernels::Isa::Scalar), pool, 1, nullptr));
  CancelToken cancel;
  cancel.cancelled = true;
  CHECK_THROWS("ERR_ABORTED", gc.run(SampleSchedule{1000, 1, 1}, BetaSchedule::constant(1.0f, 1000), Observe{},
                                     kernels::gibbsKernels(kernels::Isa::Scalar), pool, 1, &cancel));
}

const heatbath::test::Registered registered{testDeterminism, testBlockMoments, testBadInput};

}  // namespace
