#include "chain_job.h"

#include "addon.h"
#include "cancel_wrap.h"

namespace heatbath::addon {

std::shared_ptr<CancelToken> argCancelToken(Napi::Env env, const Napi::Value& value) {
  if (value.IsUndefined())
    return nullptr;
  Addon* addon = env.GetInstanceData<Addon>();
  if (!value.IsObject() || !value.As<Napi::Object>().InstanceOf(addon->cancelConstructor.Value())) {
    throw invalidArgument("the first argument of runAsync must be a CancelToken or undefined");
  }
  return CancelWrap::Unwrap(value.As<Napi::Object>())->token();
}

}  // namespace heatbath::addon
