#include "dispatch.h"

#include <cstdlib>

#include "../core/error.h"

namespace heatbath::kernels {

namespace {

bool cpuHasAvx2Fma() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

// __builtin_cpu_supports also checks that the OS saves the zmm registers (XCR0).
bool cpuHasAvx512f() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
#else
  return false;
#endif
}

bool cpuHasAvx512Popcount() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512vpopcntdq");
#else
  return false;
#endif
}

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
