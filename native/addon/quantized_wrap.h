// JS handle on QuantizedChains: the float GibbsChains' methods and run protocol (SpinChainsWrap), with
// integer parameters (couplings, biases, scale, random bits).
#pragma once
#include "spin_chains_wrap.h"

namespace heatbath::addon {

class QuantizedWrap : public SpinChainsWrap<QuantizedWrap, QuantizedChains> {
 public:
  static constexpr const char* kClassName = "QuantizedChains";
  using SpinChainsWrap::SpinChainsWrap;

  // setParameters(couplings: Int32Array, biases: Int32Array, scale: number, randomBits: number)
  Napi::Value SetParameters(const Napi::CallbackInfo& info);
  static kernels::IntSweepFn runKernels(kernels::Isa isa);
};

}  // namespace heatbath::addon
