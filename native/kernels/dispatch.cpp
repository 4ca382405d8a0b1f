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

bool cpuHasAvx2Fma() { return HEATBATH_CPU_HAS("avx2") && HEATBATH_CPU_HAS("fma"); }
bool cpuHasAvx512f() { return HEATBATH_CPU_HAS("avx512f"); }
bool cpuHasAvx512Popcount() { return HEATBATH_CPU_HAS("avx512vpopcntdq"); }

}  // namespace

const char* isaName(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    default: return "scalar";
  }
}

std::vector<Isa> supportedIsas() {
  std::vector<Isa> isas{Isa::Scalar};
  if (cpuHasAvx2Fma()) isas.push_back(Isa::Avx2);
  if (cpuHasAvx2Fma() && cpuHasAvx512f()) isas.push_back(Isa::Avx512);
  return isas;
}

Isa bestIsa() { return supportedIsas().back(); }

Isa parseIsa(const std::string& name) {
  for (Isa isa : supportedIsas()) {
    if (name == isaName(isa)) return isa;
  }
  if (name == "avx2" || name == "avx512") {
    throw invalidArgument("this CPU does not support " + name + "; use one of the levels engineInfo().simdAvailable lists");
  }
  throw invalidArgument("unknown SIMD level \"" + name + "\" (expected \"scalar\", \"avx2\" or \"avx512\")");
}

Isa defaultIsa() {
  const char* forced = std::getenv("HEATBATH_SIMD");
  if (forced != nullptr && *forced != '\0') return parseIsa(forced);
  return bestIsa();
}

GibbsKernels gibbsKernels(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return {gibbsSweepsAvx512, cpuHasAvx512Popcount() ? blockMomentsAvx512 : blockMomentsAvx2};
    case Isa::Avx2: return {gibbsSweepsAvx2, blockMomentsAvx2};
    default: return {gibbsSweepsScalar, blockMomentsScalar};
  }
}

MultiplyAddLoopFn multiplyAddLoop(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return multiplyAddLoopAvx512;
    case Isa::Avx2: return multiplyAddLoopAvx2;
    default: return multiplyAddLoopScalar;
  }
}

}  // namespace heatbath::kernels
