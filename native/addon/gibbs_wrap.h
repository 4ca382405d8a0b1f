// JS handle on GibbsChains (float parameters); the methods it shares with the quantized chains are
// SpinChainsWrap's.
#pragma once
#include "spin_chains_wrap.h"

namespace heatbath::addon {

class GibbsWrap : public SpinChainsWrap<GibbsWrap, GibbsChains> {
 public:
  static constexpr const char* kClassName = "GibbsChains";
  using SpinChainsWrap::SpinChainsWrap;

  // setParameters(couplings: Float32Array, biases: Float32Array)
  Napi::Value SetParameters(const Napi::CallbackInfo& info);
  static kernels::GibbsKernels runKernels(kernels::Isa isa);
};

}  // namespace heatbath::addon
