// Tests of the SIMD helpers: lane generators, polynomial exp and normals (kernels/simd).
#include "fixtures.h"

namespace {

void testRngAndExp() {
  std::puts("rng and exp");
  kernels::RngLanes rng{};
  for (int lane = 0; lane < kernels::kLanes; ++lane) {
    rng.s[0][lane] = 1, rng.s[1][lane] = 2, rng.s[2][lane] = 3, rng.s[3][lane] = 4;
  }
  // Reference xoshiro128+ outputs for the state {1, 2, 3, 4}.
  const uint32_t expected[] = {5, 12295, 25178119, 27286542};
  for (uint32_t want : expected)
    CHECK(kernels::nextWord(rng, 3) == want);
  double worst = 0;
  for (double x = -80; x <= 80; x += 0.000731) {
    const double approx = kernels::expPoly(static_cast<float>(x));
    const double exact = std::exp(static_cast<double>(static_cast<float>(x)));
    worst = std::max(worst, std::fabs(approx - exact) / exact);
  }
  std::printf("  expPoly max relative error %.3g\n", worst);
  CHECK(worst < 5e-7);
}

// The Box–Muller polynomials against double precision, and the vector normals against the scalar.
void testNormalPolynomials() {
  std::printf("normal polynomials\n");
  double logAbs = 0, logRel = 0, sinErr = 0, cosErr = 0;
  for (int k = 1; k <= 1 << 20; ++k) {
    const float u = kernels::uniformLogArgument(static_cast<uint32_t>(k) * 4093u + 7u);
    const double exact = std::log(static_cast<double>(u));
    const double err = std::fabs(kernels::logPoly(u) - exact);
    logAbs = std::max(logAbs, err / std::max(1.0, std::fabs(exact)));  // absolute near u = 1, relative beyond
    if (u < 0.9f)
      logRel = std::max(logRel, err / std::fabs(exact));
  }
  for (int k = 0; k < 1 << 20; ++k) {
    const float phi = static_cast<float>(k) * kernels::kPhiScale * 8 + kernels::kPhiOffset;
    if (phi > 0.7854f)
      break;
    sinErr = std::max(sinErr, std::fabs(kernels::sinPoly(phi) - std::sin(static_cast<double>(phi))));
    cosErr = std::max(cosErr, std::fabs(kernels::cosPoly(phi) - std::cos(static_cast<double>(phi))));
  }
  std::printf("  log: abs (relative where |ln u| > 1) %.2e, rel (u < 0.9) %.2e; sin %.2e, cos %.2e\n", logAbs, logRel,
              sinErr, cosErr);
  CHECK(logAbs < 2e-7);
  CHECK(logRel < 2e-7);
  CHECK(sinErr < 2e-7);
  CHECK(cosErr < 2e-7);
  for (kernels::Isa isa : kernels::supportedIsas()) {
    kernels::RngLanes a{}, b{};
    for (int lane = 0; lane < kernels::kLanes; ++lane)
      seedLane(a, lane, 5, lane), seedLane(b, lane, 5, lane);
    std::vector<float> ref(4096), vec(4096);
    kernels::normalsReference(a, ref.data(), 256);
    kernels::langevinKernels(isa).normals(b, vec.data(), 256);
    float worst = 0;
    for (size_t k = 0; k < ref.size(); ++k)
      worst = std::max(worst, std::fabs(ref[k] - vec[k]));
    CHECK(worst < 2e-5f);
  }
  // AVX-512 takes two blocks per step: the same numbers as AVX2 bit for bit, for even and odd block
  // counts, and the generators end in the same state.
  const std::vector<kernels::Isa> isas = kernels::supportedIsas();
  if (isas.back() == kernels::Isa::Avx512) {
    for (int64_t blocks : {1, 2, 7, 81}) {
      kernels::RngLanes a{}, b{};
      for (int lane = 0; lane < kernels::kLanes; ++lane)
        seedLane(a, lane, 9, lane), seedLane(b, lane, 9, lane);
      std::vector<float> narrow(16 * blocks + 16), wide(16 * blocks + 16);
      for (int round = 0; round < 2; ++round) {
        kernels::langevinKernels(kernels::Isa::Avx2).normals(a, narrow.data(), blocks);
        kernels::langevinKernels(kernels::Isa::Avx512).normals(b, wide.data(), blocks);
        CHECK(std::memcmp(narrow.data(), wide.data(), narrow.size() * sizeof(float)) == 0);
      }
    }
  }
}

const heatbath::test::Registered registered{testRngAndExp, testNormalPolynomials};

}  // namespace
