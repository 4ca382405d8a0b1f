// JS handle on QuantizedChains: the float GibbsChains' methods and run protocol, with integer
// parameters (couplings, biases, scale, random bits).
#pragma once
#include <napi.h>

#include <memory>

#include "../core/quantized_chains.h"
#include "native_resource.h"

namespace heatbath::addon {

class QuantizedWrap : public Napi::ObjectWrap<QuantizedWrap>, public NativeResource {
 public:
  static Napi::Function Define(Napi::Env env);
  // new QuantizedChains(graph: Graph, chains: number, seed: number | bigint)
  explicit QuantizedWrap(const Napi::CallbackInfo& info);

 private:
  // setParameters(couplings: Int32Array, biases: Int32Array, scale: number, randomBits: number)
  Napi::Value SetParameters(const Napi::CallbackInfo& info);
  Napi::Value SetClamp(const Napi::CallbackInfo& info);
  Napi::Value InitRandom(const Napi::CallbackInfo& info);
  Napi::Value InitHinton(const Napi::CallbackInfo& info);
  Napi::Value InitGiven(const Napi::CallbackInfo& info);
  Napi::Value Run(const Napi::CallbackInfo& info);
  Napi::Value RunAsync(const Napi::CallbackInfo& info);
  Napi::Value ReadSpins(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  // Throws ERR_BUSY while an async run owns the chains, ERR_DISPOSED after dispose().
  QuantizedChains& idleChains();
  int64_t heldBytes() const override;
  void release() override { chains_.reset(); }

  std::unique_ptr<QuantizedChains> chains_;
};

}  // namespace heatbath::addon
