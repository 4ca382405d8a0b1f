// A cancellation flag shared between JS (an AbortSignal listener calls cancel()) and a running job.
#pragma once
#include <napi.h>

#include <memory>

#include "../core/cancel.h"

namespace heatbath::addon {

class CancelWrap : public Napi::ObjectWrap<CancelWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit CancelWrap(const Napi::CallbackInfo& info);

  std::shared_ptr<CancelToken> token() const { return token_; }

 private:
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  std::shared_ptr<CancelToken> token_ = std::make_shared<CancelToken>();
};

}  // namespace heatbath::addon
