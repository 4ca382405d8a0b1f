// JS handle on MultispinChains: QuantizedChains' methods and run protocol on the multispin kernel,
// and refusal(graph, couplings, biases), which says why a model does not fit it (null if it does).
#pragma once
#include <napi.h>

#include <memory>

#include "../core/multispin_chains.h"
#include "native_resource.h"

namespace heatbath::addon {

class MultispinWrap : public Napi::ObjectWrap<MultispinWrap>, public NativeResource {
 public:
  static Napi::Function Define(Napi::Env env);
  // new MultispinChains(graph: Graph, chains: number, seed: number | bigint)
  explicit MultispinWrap(const Napi::CallbackInfo& info);

 private:
  static Napi::Value Refusal(const Napi::CallbackInfo& info);
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
  MultispinChains& idleChains();
  int64_t heldBytes() const override;
  void release() override { chains_.reset(); }

  std::unique_ptr<MultispinChains> chains_;
};

}  // namespace heatbath::addon
