#include "cancel_wrap.h"

namespace heatbath::addon {

Napi::Function CancelWrap::Define(Napi::Env env) {
  return DefineClass(env, "CancelToken", {InstanceMethod("cancel", &CancelWrap::Cancel)});
}

CancelWrap::CancelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CancelWrap>(info) {}

Napi::Value CancelWrap::Cancel(const Napi::CallbackInfo& info) {
  token_->cancelled.store(true);
  return info.Env().Undefined();
}

}  // namespace heatbath::addon
