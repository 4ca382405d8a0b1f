// Tests of the Langevin kernels the chains run (core/langevin_chains, kernels/langevin).
#include "fixtures.h"

namespace {

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
    for (int64_t i = 0; i < n; ++i)
      x[c * ld + i] = uniform(gen);
  }
  for (float& v : start)
    v = uniform(gen);
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
          for (int32_t k = rowPtr[i]; k < rowPtr[i + 1]; ++k)
            exact += static_cast<double>(values[k]) * x[c * ld + cols[k]];
        }
        worst = std::max(worst, static_cast<float>(std::fabs(ref[c * ld + i] - exact)));
        if (i >= n && !accumulate)
          paddingOk = paddingOk && ref[c * ld + i] == 0.0f;
      }
    }
    CHECK(worst < 1e-5f);
    CHECK(paddingOk);
    for (kernels::Isa isa : kernels::supportedIsas()) {
      const kernels::SparseProductFn product = kernels::langevinKernels(isa).sparseProduct;
      std::vector<float> all = start, alone = start;
      product(j, x.data(), chains, ld, accumulate, all.data(), scratch.get());
      float gap = 0;
      for (size_t k = 0; k < ref.size(); ++k)
        gap = std::max(gap, std::fabs(all[k] - ref[k]));
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
  if (isas.back() != kernels::Isa::Avx512)
    return;
  const int64_t n = 1024;
  std::mt19937 gen(5);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  auto draw = [&](float scale) {
    std::vector<float> v(n);
    for (float& x : v)
      x = scale * uniform(gen);
    return v;
  };
  // Magnitudes spread over 2^-8 .. 2^8 (terms over ~2^-50 .. 2^50), so that the float64 sums round
  // and their order shows.
  auto spread = [&](std::vector<float> v) {
    for (int64_t i = 0; i < n; ++i)
      v[i] = std::ldexp(v[i], static_cast<int>(gen() % 17) - 8);
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
    if (variant == 15)
      x[0][9] = x[1][9] = 1e30f;  // overflows: both report it
    kernels::OverdampedHeat heats[2] = {{0, 0}, {0, 0}};
    bool ok[2];
    for (int k = 0; k < 2; ++k) {
      const kernels::OverdampedRow row{n,
                                       a.data(),
                                       c.data(),
                                       h.data(),
                                       free.data(),
                                       withField ? field.data() : nullptr,
                                       withProduct ? product.data() : nullptr,
                                       noise.data(),
                                       lm ? prev[k].data() : nullptr,
                                       x[k].data(),
                                       0.7f,
                                       0.4f,
                                       0.01f,
                                       0.2f,
                                       0.35f,
                                       heat ? &heats[k] : nullptr};
      ok[k] = kernels::langevinKernels(k == 0 ? kernels::Isa::Avx2 : kernels::Isa::Avx512).overdampedStep(row);
    }
    CHECK(ok[0] == ok[1] && ok[0] == (variant != 15));
    CHECK(std::memcmp(x[0].data(), x[1].data(), n * sizeof(float)) == 0);
    CHECK(std::memcmp(prev[0].data(), prev[1].data(), n * sizeof(float)) == 0);
    CHECK(std::memcmp(&heats[0], &heats[1], sizeof heats[0]) == 0);
    if (heat && withProduct)
      CHECK(heats[0].xDotP != 0.0 && heats[0].onsiteWork != 0.0);
  }
}

const heatbath::test::Registered registered{testSparseProducts, testOverdampedSteps};

}  // namespace
