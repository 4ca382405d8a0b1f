// Async runs of live chains: an AsyncWorker that does the work on the libuv pool (which fans out to
// the addon's own pool) and settles a Promise. The owner is marked busy from queueing until the
// Promise settles and is kept alive by a reference meanwhile; errors reject with the core's code.
#pragma once
#include <napi.h>

#include <functional>
#include <memory>
#include <new>
#include <string>
#include <utility>

#include "../core/cancel.h"
#include "../core/error.h"

namespace heatbath::addon {

// The first argument of every runAsync: a CancelToken, or undefined for none.
std::shared_ptr<CancelToken> argCancelToken(Napi::Env env, const Napi::Value& value);

template <typename Result>
class ChainJob : public Napi::AsyncWorker {
 public:
  using Work = std::function<Result()>;
  using ToJs = std::function<Napi::Value(Napi::Env, Result&&)>;

  // Queues the job and returns its Promise. `busy` is the owner's flag, checked by its idle guard.
  static Napi::Value queue(Napi::Env env, const char* name, Napi::Object owner, bool& busy, Work work, ToJs toJs) {
    auto* job = new ChainJob(env, name, owner, busy, std::move(work), std::move(toJs));
    Napi::Promise promise = job->deferred_.Promise();
    job->Queue();  // the worker deletes itself once settled
    return promise;
  }

  void Execute() override {
    try {
      result_ = work_();
    } catch (const Error& e) {
      fail(e.code(), e.what());
    } catch (const std::bad_alloc&) {
      fail("ERR_TOO_LARGE", "out of memory");
    } catch (const std::exception& e) {
      fail("ERR_INTERNAL", e.what());
    }
  }

  void OnOK() override {
    busy_ = false;
    deferred_.Resolve(toJs_(Env(), std::move(result_)));
  }

  void OnError(const Napi::Error& error) override {
    busy_ = false;
    Napi::Error coded = Napi::Error::New(Env(), error.Message());
    coded.Set("code", Napi::String::New(Env(), code_));
    deferred_.Reject(coded.Value());
  }

 private:
  ChainJob(Napi::Env env, const char* name, Napi::Object owner, bool& busy, Work work, ToJs toJs)
      : Napi::AsyncWorker(env, name),
        deferred_(Napi::Promise::Deferred::New(env)),
        ownerRef_(Napi::Persistent(owner)),
        busy_(busy),
        work_(std::move(work)),
        toJs_(std::move(toJs)) {
    busy_ = true;
  }

  void fail(std::string code, const char* message) {
    code_ = std::move(code);
    SetError(message);
  }

  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference ownerRef_;
  bool& busy_;
  Work work_;
  ToJs toJs_;
  Result result_{};
  std::string code_ = "ERR_INTERNAL";
};

}  // namespace heatbath::addon
