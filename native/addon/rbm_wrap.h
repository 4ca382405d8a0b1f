// JS handle on RbmChains: parameters, states, clamping, and sync/async sweeps.
#pragma once
#include <napi.h>

#include <memory>

#include "../core/rbm_chains.h"
#include "native_resource.h"

namespace heatbath::addon {

class RbmWrap : public Napi::ObjectWrap<RbmWrap>, public NativeResource {
 public:
  static Napi::Function Define(Napi::Env env);
  // new RbmChains(numVisible, numHidden, numChains, seed: number | bigint)
  explicit RbmWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value SetParameters(const Napi::CallbackInfo& info);
  Napi::Value SetVisible(const Napi::CallbackInfo& info);
  Napi::Value InitRandom(const Napi::CallbackInfo& info);
  Napi::Value SetClamp(const Napi::CallbackInfo& info);
  Napi::Value Run(const Napi::CallbackInfo& info);
  Napi::Value RunAsync(const Napi::CallbackInfo& info);
  Napi::Value ReadVisible(const Napi::CallbackInfo& info);
  Napi::Value ReadHidden(const Napi::CallbackInfo& info);
  Napi::Value VisibleProbabilities(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  // Throws ERR_BUSY while an async run owns the chains, ERR_DISPOSED after dispose().
  RbmChains& idleChains();
  int64_t heldBytes() const override;
  void release() override { chains_.reset(); }

  std::unique_ptr<RbmChains> chains_;
};

}  // namespace heatbath::addon
