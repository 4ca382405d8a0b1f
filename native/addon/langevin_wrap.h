// JS handle on LangevinChains: the potential, states, clamps, fields, and sync/async runs; plus
// the Gaussian generator on its own (randomNormals).
#pragma once
#include <napi.h>

#include <memory>

#include "../core/langevin_chains.h"
#include "native_resource.h"

namespace heatbath::addon {

class LangevinWrap : public Napi::ObjectWrap<LangevinWrap>, public NativeResource {
 public:
  static Napi::Function Define(Napi::Env env);
  // new LangevinChains(numUnits, numChains, seed: number | bigint)
  explicit LangevinWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value SetOnsite(const Napi::CallbackInfo& info);
  Napi::Value ClearCouplings(const Napi::CallbackInfo& info);
  Napi::Value AddBlock(const Napi::CallbackInfo& info);
  Napi::Value SetSparse(const Napi::CallbackInfo& info);
  Napi::Value SetState(const Napi::CallbackInfo& info);
  Napi::Value SetVelocity(const Napi::CallbackInfo& info);
  Napi::Value SetField(const Napi::CallbackInfo& info);
  Napi::Value SetClamp(const Napi::CallbackInfo& info);
  Napi::Value Run(const Napi::CallbackInfo& info);
  Napi::Value RunAsync(const Napi::CallbackInfo& info);
  Napi::Value ReadState(const Napi::CallbackInfo& info);
  Napi::Value ReadVelocity(const Napi::CallbackInfo& info);
  Napi::Value Energies(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  // Throws ERR_BUSY while an async run owns the chains, ERR_DISPOSED after dispose().
  LangevinChains& idleChains();
  int64_t heldBytes() const override;
  void release() override { chains_.reset(); }

  std::unique_ptr<LangevinChains> chains_;
};

// randomNormals(out, seed, stream): fills out with standard normals of stream `stream` under `seed`
// (the generator the chains use, on the active SIMD level).
Napi::Value RandomNormals(const Napi::CallbackInfo& info);

}  // namespace heatbath::addon
