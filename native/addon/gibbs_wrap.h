// JS handle on GibbsChains: parameters, clamping, initial states, and sync/async runs.
#pragma once
#include <napi.h>

#include <memory>
#include <vector>

#include "../core/gibbs_chains.h"
#include "native_resource.h"

namespace heatbath::addon {

// The run protocol shared by the chain wrappers (float and quantized).
struct RunRequest {
  SampleSchedule schedule;
  BetaSchedule betas = BetaSchedule::constant(1.0f, 0);
  Observe observe;
  int threads = 1;
};
RunRequest parseRunRequest(const Napi::CallbackInfo& info, size_t first);
Napi::Array toJs(Napi::Env env, Observations&& obs, const Observe& observe);

class GibbsWrap : public Napi::ObjectWrap<GibbsWrap>, public NativeResource {
 public:
  static Napi::Function Define(Napi::Env env);
  // new GibbsChains(graph: Graph, chains: number, seed: number | bigint)
  explicit GibbsWrap(const Napi::CallbackInfo& info);

 private:
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
  GibbsChains& idleChains();
  int64_t heldBytes() const override;
  void release() override { chains_.reset(); }

  std::unique_ptr<GibbsChains> chains_;
};

}  // namespace heatbath::addon
