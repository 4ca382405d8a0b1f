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

}  // namespace

const char* isaName(Isa isa) { return isa == Isa::Avx2 ? "avx2" : "scalar"; }

std::vector<Isa> supportedIsas() {
  std::vector<Isa> isas{Isa::Scalar};
  if (cpuHasAvx2Fma()) isas.push_back(Isa::Avx2);
  return isas;
}

Isa bestIsa() { return supportedIsas().back(); }

Isa parseIsa(const std::string& name) {
  for (Isa isa : supportedIsas()) {
    if (name == isaName(isa)) return isa;
  }
  if (name == "avx2") throw invalidArgument("this CPU does not support AVX2+FMA; use \"scalar\"");
  throw invalidArgument("unknown SIMD level \"" + name + "\" (expected \"scalar\" or \"avx2\")");
}

Isa defaultIsa() {
  const char* forced = std::getenv("HEATBATH_SIMD");
  if (forced != nullptr && *forced != '\0') return parseIsa(forced);
  return bestIsa();
}

GibbsSweepFn gibbsKernel(Isa isa) { return isa == Isa::Avx2 ? gibbsSweepsAvx2 : gibbsSweepsScalar; }

}  // namespace heatbath::kernels
