// Async runs of live chains: the work runs on the environment's job runner (AsyncJobs) and settles a
// Promise. The owner is busy from queueing until the Promise settles and is kept alive by a reference
// meanwhile; errors reject with the core's code.
#pragma once
#include <napi.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "../core/cancel.h"
#include "addon.h"
#include "convert.h"
#include "native_resource.h"

namespace heatbath::addon {

// The first argument of every runAsync: a CancelToken, or undefined for none.
std::shared_ptr<CancelToken> argCancelToken(Napi::Env env, const Napi::Value& value);

template <typename Result>
class ChainJob final : public AsyncJob {
 public:
  using Work = std::function<Result(const CancelToken*)>;
  using ToJs = std::function<Napi::Value(Napi::Env, Result&&)>;

  // Queues the job and returns its Promise. `cancel` may be null (a token of the job's own is made:
  // dispose() and the environment's shutdown cancel through it).
  static Napi::Value queue(Napi::Env env, NativeResource& owner, Napi::Object ownerObject,
                           std::shared_ptr<CancelToken> cancel, Work work, ToJs toJs) {
    if (!cancel)
      cancel = std::make_shared<CancelToken>();
    auto* job = new ChainJob(env, owner, ownerObject, std::move(work), std::move(toJs));
    Napi::Promise promise = job->deferred_.Promise();
    env.GetInstanceData<Addon>()->jobs.start(env, job, cancel);
    owner.jobStarted(std::move(cancel));
    return promise;
  }

  void execute(const CancelToken* cancel) override {
    try {
      result_ = work_(cancel);
    } catch (...) {
      failure_ = codedFailure(std::current_exception());
      failed_ = true;
    }
  }

  void settle(Napi::Env env) override {
    owner_.jobFinished(env);
    if (failed_) {
      deferred_.Reject(codedError(env, failure_.code, failure_.message).Value());
    } else {
      deferred_.Resolve(toJs_(env, std::move(result_)));
    }
  }

  void abandon() override {
    ownerRef_.SuppressDestruct();  // no Node-API call without a live environment
    delete this;
  }

 private:
  ChainJob(Napi::Env env, NativeResource& owner, Napi::Object ownerObject, Work work, ToJs toJs)
      : deferred_(Napi::Promise::Deferred::New(env)),
        owner_(owner),
        ownerRef_(Napi::Persistent(ownerObject)),
        work_(std::move(work)),
        toJs_(std::move(toJs)) {}

  Napi::Promise::Deferred deferred_;
  NativeResource& owner_;
  Napi::ObjectReference ownerRef_;
  Work work_;
  ToJs toJs_;
  Result result_{};
  bool failed_ = false;
  CodedFailure failure_;
};

}  // namespace heatbath::addon
