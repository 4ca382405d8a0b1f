// Tests of dense products (core/gemm, kernels/dense).
#include "fixtures.h"

namespace {

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
    if (isa != kernels::Isa::Scalar)
      CHECK(kernels::denseKernels(isa).micro != &kernels::gemmMicroScalar);
  }
  // n covers full, masked and half-width edge panels of both panel widths (16 and 32 columns).
  // k = 2100 takes two K-blocks.
  const int64_t shapes[][3] = {{1, 1, 1}, {7, 19, 13},  {37, 33, 300}, {6, 16, 256}, {151, 70, 517},
                               {5, 3, 0}, {13, 50, 40}, {12, 96, 7},   {9, 40, 2100}};
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
        if (worst > 1)
          std::printf("  %s trans %d/%d %lldx%lldx%lld: error %.3g x tolerance\n", kernels::isaName(isa), ta, tb,
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
    for (float x : one)
      finite = finite && std::isfinite(x);
    CHECK(finite);
    CHECK(sameBits(one, runGemm(isa, false, true, m, n, k, 1.0f, 0.0f, a, b, nan, 2)));
    CHECK(sameBits(one, runGemm(isa, false, true, m, n, k, 1.0f, 0.0f, a, b, nan, 3)));
  }
  // A workspace reused across depths: block depth is not monotonic in k (2048 -> 2048, 2100 -> 1050),
  // so buffers packed for one product must still hold the deepest block of a later one.
  for (kernels::Isa isa : kernels::supportedIsas()) {
    GemmWorkspace shared;
    const int64_t m = 150, n = 20;
    for (const auto& [k, ta] :
         {std::pair<int64_t, bool>{2048, false}, {2100, true}, {2048, true}, {20, true}, {2500, true}}) {
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
          for (int64_t i = 0; i < rows; ++i)
            exact += double(a[i * lda + j]) * x[i], scale += std::fabs(a[i * lda + j] * x[i]);
          worst = std::max(worst, std::fabs(y[j] - exact) / (scale + 1e-30));
        }
        CHECK(worst < 1e-6);
        if (reference.empty())
          reference = y;
        CHECK(y == reference);  // one FMA chain per output: the same bits on every instruction set
      }
    }
  }
}

const heatbath::test::Registered registered{testGemm, testRowBlocks, testGemvTransposed};

}  // namespace
