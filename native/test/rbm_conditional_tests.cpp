// Tests of RBM layer conditionals (core/rbm_conditional, kernels/dense).
#include "fixtures.h"

namespace {

void testCountOnes() {
  std::puts("count and list ones");
  for (kernels::Isa isa : kernels::supportedIsas()) {
    const auto countOnes = kernels::denseKernels(isa).countOnes;
    for (int64_t n : {0, 1, 7, 8, 15, 16, 17, 33, 1000}) {
      auto values = randomStates(static_cast<size_t>(n), 31 + static_cast<uint32_t>(n), 0.3);
      int64_t ones = 0;
      for (float x : values)
        ones += x == 1.0f;
      CHECK(countOnes(values.data(), n) == ones);
      // listOnes: the indices of the ones, offset by `first`, in order.
      std::vector<int32_t> want, listed(static_cast<size_t>(ones + kernels::kListOnesSlack), -1);
      for (int64_t i = 0; i < n; ++i) {
        if (values[i] == 1.0f)
          want.push_back(static_cast<int32_t>(100 + i));
      }
      const int64_t got = kernels::denseKernels(isa).listOnes(values.data(), n, 100, listed.data());
      CHECK(got == ones && std::equal(want.begin(), want.end(), listed.begin()));
      // Any entry other than 0 or 1, in a full vector or in the tail, makes it -1.
      for (int64_t at : {int64_t{0}, n / 2, n - 1}) {
        if (n == 0)
          continue;
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
    for (int64_t x = 0; x < in; ++x)
      cc.input[x] = 0.37f;  // row 0 not binary
    for (kernels::Isa isa : kernels::supportedIsas()) {
      const auto [prob, sample] = runConditional(cc, direction, isa, 2, ProductPath::Auto);
      double worst = 0;
      for (int64_t r = 0; r < cc.rows; ++r) {
        for (int64_t j = 0; j < out; ++j) {
          double pre = cc.bias[j];
          for (int64_t i = 0; i < in; ++i) {
            pre +=
                cc.input[r * in + i] * (toHidden ? cc.weights[i * cc.numHidden + j] : cc.weights[j * cc.numHidden + i]);
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
  for (int64_t r = 0; r < cc.rows; ++r)
    cc.input.insert(cc.input.end(), row.begin(), row.end());
  for (kernels::Isa isa : kernels::supportedIsas()) {
    const auto [prob, sample] = runConditional(cc, LayerDirection::Hidden, isa, 2, ProductPath::Auto);
    double worstZ = 0;
    for (int64_t j = 0; j < cc.numHidden; ++j) {
      double mean = 0;
      for (int64_t r = 0; r < cc.rows; ++r)
        mean += sample[r * cc.numHidden + j];
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
  CHECK_THROWS("ERR_INVALID_ARGUMENT",
               runConditional(cc, LayerDirection::Hidden, kernels::Isa::Scalar, 1, ProductPath::Auto));
  cc.beta = 1;
  cc.weights[7] = std::nanf("");
  CHECK_THROWS("ERR_NOT_FINITE",
               runConditional(cc, LayerDirection::Hidden, kernels::Isa::Scalar, 1, ProductPath::Auto));
}

const heatbath::test::Registered registered{testCountOnes, testConditional};

}  // namespace
