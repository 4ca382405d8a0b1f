// Tests of RBM chains (core/rbm_chains).
#include "fixtures.h"

namespace {

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
  for (int64_t c = 0; c < chains; ++c)
    values[2 * c] = 1, values[2 * c + 1] = static_cast<float>(c % 2);
  rc.setClamp(nodes, 2, values.data());
  rc.run(BetaSchedule::constant(0.9f, 30), kernels::denseKernels(isa), pool, threads, nullptr);
  bool held = true;
  for (int64_t c = 0; c < chains; ++c) {
    held = held && rc.visible()[c * V + 3] == 1 && rc.visible()[c * V + 40] == c % 2;
    held = held && rc.visibleProbabilities()[c * V + 40] == c % 2;
  }
  CHECK(held);
  if (probOut != nullptr)
    *probOut = rc.visibleProbabilities();
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

const heatbath::test::Registered registered{testRbmChains};

}  // namespace
