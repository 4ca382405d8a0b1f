// JS handle on MultispinChains: QuantizedChains' methods and run protocol (SpinChainsWrap) on the multispin
// kernel, and the static refusal(graph, couplings, biases), which says why a model does not fit it (null if
// it does).
#pragma once
#include "spin_chains_wrap.h"

namespace heatbath::addon {

class MultispinWrap : public SpinChainsWrap<MultispinWrap, MultispinChains> {
 public:
  static constexpr const char* kClassName = "MultispinChains";
  using SpinChainsWrap::SpinChainsWrap;

  static Napi::Function Define(Napi::Env env);
  // setParameters(couplings: Int32Array, biases: Int32Array, scale: number, randomBits: number)
  Napi::Value SetParameters(const Napi::CallbackInfo& info);
  static kernels::MultispinSweepFn runKernels(kernels::Isa isa);

 private:
  static Napi::Value Refusal(const Napi::CallbackInfo& info);
};

}  // namespace heatbath::addon
