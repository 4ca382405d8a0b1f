// JS handle on TngdDevice: load a linearisation, run Euler–Maruyama steps (synchronous: one
// optimizer iteration's worth of steps takes about a millisecond).
#pragma once
#include <napi.h>

#include <memory>

#include "../core/tngd_device.h"
#include "native_resource.h"

namespace heatbath::addon {

class TngdWrap : public Napi::ObjectWrap<TngdWrap>, public NativeResource {
 public:
  static Napi::Function Define(Napi::Env env);
  // new TngdDevice(seed: number | bigint)
  explicit TngdWrap(const Napi::CallbackInfo& info);

 private:
  // load(batch, classes, gram, probs, curvatureScale, gradient, noisy) -> { largestCurvature, rank }
  Napi::Value Load(const Napi::CallbackInfo& info);
  // run(steps, dt, damping, sigma, y, v, h?)
  Napi::Value Run(const Napi::CallbackInfo& info);
  // foldNoise(h, jZeta, scale, v)
  Napi::Value FoldNoise(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  // Throws ERR_DISPOSED after dispose().
  TngdDevice& device();
  int64_t heldBytes() const override { return device_ ? device_->memoryBytes() : 0; }
  void release() override { device_.reset(); }

  std::unique_ptr<TngdDevice> device_;
};

}  // namespace heatbath::addon
