#include "dispatch.h"

#include <cstdlib>

#include "../core/error.h"

namespace heatbath::kernels {

namespace {

// __builtin_cpu_supports takes only a string literal, hence a macro; it also checks that the OS
// saves the wider registers (XCR0).
#if defined(__x86_64__) || defined(__i386__)
#define HEATBATH_CPU_HAS(feature) (__builtin_cpu_init(), __builtin_cpu_supports(feature))
#else
#define HEATBATH_CPU_HAS(feature) false
#endif

bool cpuHasAvx2Fma() {
  return HEATBATH_CPU_HAS("avx2") && HEATBATH_CPU_HAS("fma");
}
bool cpuHasAvx512f() {
  return HEATBATH_CPU_HAS("avx512f");
}
bool cpuHasAvx512Popcount() {
  return HEATBATH_CPU_HAS("avx512vpopcntdq");
}
bool cpuHasAvx512bw() {
  return HEATBATH_CPU_HAS("avx512bw");
}

}  // namespace

const char* isaName(Isa isa) {
  switch (isa) {
    case Isa::Avx512:
      return "avx512";
    case Isa::Avx2:
      return "avx2";
    default:
      return "scalar";
  }
}

std::vector<Isa> supportedIsas() {
  std::vector<Isa> isas{Isa::Scalar};
  if (cpuHasAvx2Fma())
    isas.push_back(Isa::Avx2);
  if (cpuHasAvx2Fma() && cpuHasAvx512f())
    isas.push_back(Isa::Avx512);
  return isas;
}

Isa bestIsa() {
  return supportedIsas().back();
}

Isa parseIsa(const std::string& name) {
  for (Isa isa : supportedIsas()) {
    if (name == isaName(isa))
      return isa;
  }
  if (name == "avx2" || name == "avx512") {
    throw invalidArgument("this CPU does not support " + name +
                          "; use one of the levels engineInfo().simdAvailable lists");
  }
  throw invalidArgument("unknown SIMD level \"" + name + "\" (expected \"scalar\", \"avx2\" or \"avx512\")");
}

Isa defaultIsa() {
  const char* forced = std::getenv("HEATBATH_SIMD");
  if (forced != nullptr && *forced != '\0')
    return parseIsa(forced);
  return bestIsa();
}

GibbsKernels gibbsKernels(Isa isa) {
  switch (isa) {
    case Isa::Avx512:
      return {gibbsSweepsAvx512, cpuHasAvx512Popcount() ? blockMomentsAvx512 : blockMomentsAvx2};
    case Isa::Avx2:
      return {gibbsSweepsAvx2, blockMomentsAvx2};
    default:
      return {gibbsSweepsScalar, blockMomentsScalar};
  }
}

IntSweepFn intSweeps(Isa isa) {
  switch (isa) {
    case Isa::Avx512:
      return cpuHasAvx512bw() ? intSweepsAvx512 : intSweepsAvx2;
    case Isa::Avx2:
      return intSweepsAvx2;
    default:
      return intSweepsScalar;
  }
}

MultispinSweepFn multispinSweeps(Isa isa) {
  switch (isa) {
    case Isa::Avx512:
      return multispinSweepsAvx512;
    case Isa::Avx2:
      return multispinSweepsAvx2;
    default:
      return multispinSweepsScalar;
  }
}

DenseKernels denseKernels(Isa isa) {
  switch (isa) {
    case Isa::Avx512:
      return {kPanelWidthAvx512, kActiveDensityLimitAvx512, gemmMicroAvx512, gemmMicroRowsAvx512, addActiveRowsAvx512,
              sampleRowsAvx512,  countOnesAvx512,           listOnesAvx512,  gemvTransposedAvx512};
    case Isa::Avx2:
      return {kPanelWidthAvx2, kActiveDensityLimitAvx2, gemmMicroAvx2,  gemmMicroRowsAvx2, addActiveRowsAvx2,
              sampleRowsAvx2,  countOnesAvx2,           listOnesScalar, gemvTransposedAvx2};  // no AVX2 compress
    default:
      return {kPanelWidthAvx2,  kActiveDensityLimitAvx2, gemmMicroScalar, gemmMicroRowsScalar, addActiveRowsScalar,
              sampleRowsScalar, countOnesScalar,         listOnesScalar,  gemvTransposedScalar};
  }
}

LangevinKernels langevinKernels(Isa isa) {
  // AVX-512 normals and steps give the AVX2 kernels' bits on twice the lanes; the sparse product is
  // the AVX2 kernel's (gathering neighbours, not arithmetic, sets its pace).
  if (isa == Isa::Avx512)
    return {normalsAvx512, overdampedStepAvx512, sparseProductAvx2};
  if (isa == Isa::Avx2)
    return {normalsAvx2, overdampedStepAvx2, sparseProductAvx2};
  return {normalsScalar, overdampedStepScalar, sparseProductScalar};
}

MultiplyAddLoopFn multiplyAddLoop(Isa isa) {
  switch (isa) {
    case Isa::Avx512:
      return multiplyAddLoopAvx512;
    case Isa::Avx2:
      return multiplyAddLoopAvx2;
    default:
      return multiplyAddLoopScalar;
  }
}

}  // namespace heatbath::kernels
