#include "rbm_wrap.h"

#include <string>
#include <utility>
#include <vector>

#include "../kernels/dense_dispatch.h"
#include "addon.h"
#include "cancel_wrap.h"
#include "convert.h"
#include "dense_wrap.h"

namespace heatbath::addon {

namespace {

constexpr int64_t kMaxSweeps = int64_t{1} << 40;

struct SweepRequest {
  std::vector<float> betas;
  int threads = 1;
};

// (sweeps, betas: Float32Array of `sweeps` values, threads?) starting at info[first].
SweepRequest parseSweeps(const Napi::CallbackInfo& info, size_t first) {
  SweepRequest r;
  const int64_t sweeps = argInteger(info[first], "sweeps", 0, kMaxSweeps);
  auto betas = argArray<float>(info[first + 1], "betas", sweeps);
  r.betas.assign(betas.Data(), betas.Data() + sweeps);
  r.threads = info[first + 2].IsUndefined() ? ThreadPool::hardwareThreads()
                                            : static_cast<int>(argInteger(info[first + 2], "threads", 1, 1024));
  return r;
}

Napi::Value copyOut(Napi::Env env, const std::vector<float>& values) {
  return toTypedArray(env, std::vector<float>(values));
}

}  // namespace

class RbmRunWorker : public Napi::AsyncWorker {
 public:
  RbmRunWorker(Napi::Env env, RbmWrap* owner, SweepRequest request, std::shared_ptr<CancelToken> cancel)
      : Napi::AsyncWorker(env, "heatbath:rbm"),
        deferred_(Napi::Promise::Deferred::New(env)),
        owner_(owner),
        request_(std::move(request)),
        cancel_(std::move(cancel)),
        addon_(env.GetInstanceData<Addon>()),
        kernels_(kernels::denseKernels(addon_->isa)) {
    ownerRef_ = Napi::Persistent(owner->Value());
    owner_->busy_ = true;
  }

  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      owner_->chains_->run(static_cast<int64_t>(request_.betas.size()), request_.betas.data(), kernels_, addon_->pool,
                           request_.threads, cancel_.get());
    } catch (const Error& e) {
      code_ = e.code();
      SetError(e.what());
    } catch (const std::bad_alloc&) {
      code_ = "ERR_TOO_LARGE";
      SetError("out of memory");
    } catch (const std::exception& e) {
      code_ = "ERR_INTERNAL";
      SetError(e.what());
    }
  }

  void OnOK() override {
    owner_->busy_ = false;
    deferred_.Resolve(Env().Undefined());
  }

  void OnError(const Napi::Error& error) override {
    owner_->busy_ = false;
    Napi::Error coded = Napi::Error::New(Env(), error.Message());
    coded.Set("code", Napi::String::New(Env(), code_));
    deferred_.Reject(coded.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  RbmWrap* owner_;
  Napi::ObjectReference ownerRef_;  // keeps the chains alive while the job runs
  SweepRequest request_;
  std::shared_ptr<CancelToken> cancel_;
  Addon* addon_;
  kernels::DenseKernels kernels_;
  std::string code_ = "ERR_INTERNAL";
};

Napi::Function RbmWrap::Define(Napi::Env env) {
  return DefineClass(env, "RbmChains",
                     {InstanceMethod("setParameters", &RbmWrap::SetParameters),
                      InstanceMethod("setVisible", &RbmWrap::SetVisible),
                      InstanceMethod("initRandom", &RbmWrap::InitRandom),
                      InstanceMethod("setClamp", &RbmWrap::SetClamp),
                      InstanceMethod("run", &RbmWrap::Run),
                      InstanceMethod("runAsync", &RbmWrap::RunAsync),
                      InstanceMethod("readVisible", &RbmWrap::ReadVisible),
                      InstanceMethod("readHidden", &RbmWrap::ReadHidden),
                      InstanceMethod("visibleProbabilities", &RbmWrap::VisibleProbabilities)});
}

RbmWrap::RbmWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<RbmWrap>(info) {
  guarded(info.Env(), [&] {
    constexpr int64_t kMaxUnits = (int64_t{1} << 31) - 1;
    const int64_t numVisible = argInteger(info[0], "numVisible", 1, kMaxUnits);
    const int64_t numHidden = argInteger(info[1], "numHidden", 1, kMaxUnits);
    const int64_t chains = argInteger(info[2], "numChains", 1, int64_t{1} << 40);
    chains_ = std::make_unique<RbmChains>(numVisible, numHidden, chains, argUint64(info[3], "seed"));
  });
}

RbmChains& RbmWrap::idleChains() {
  if (busy_) throw Error("ERR_BUSY", "these chains are running an async job; await it first");
  return *chains_;
}

Napi::Value RbmWrap::SetParameters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    RbmChains& chains = idleChains();
    auto weights = argArray<float>(info[0], "weights", chains.numVisible() * chains.numHidden());
    auto visibleBias = argArray<float>(info[1], "visibleBias", chains.numVisible());
    auto hiddenBias = argArray<float>(info[2], "hiddenBias", chains.numHidden());
    Addon* addon = env.GetInstanceData<Addon>();
    chains.setParameters(weights.Data(), visibleBias.Data(), hiddenBias.Data(),
                         kernels::denseKernels(addon->isa).panelWidth, addon->pool, ThreadPool::hardwareThreads());
    return env.Undefined();
  });
}

Napi::Value RbmWrap::SetVisible(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    RbmChains& chains = idleChains();
    auto states = argArray<float>(info[0], "visible states", chains.chains() * chains.numVisible());
    chains.setVisible(states.Data());
    return info.Env().Undefined();
  });
}

Napi::Value RbmWrap::InitRandom(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    idleChains().initRandom();
    return info.Env().Undefined();
  });
}

Napi::Value RbmWrap::SetClamp(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    RbmChains& chains = idleChains();
    auto nodes = argArray<int32_t>(info[0], "clamped units");
    const auto count = static_cast<int64_t>(nodes.ElementLength());
    auto values = argArray<float>(info[1], "clamped values", count * chains.chains());
    chains.setClamp(nodes.Data(), count, values.Data());
    return info.Env().Undefined();
  });
}

Napi::Value RbmWrap::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    RbmChains& chains = idleChains();
    Addon* addon = env.GetInstanceData<Addon>();
    SweepRequest request = parseSweeps(info, 0);
    chains.run(static_cast<int64_t>(request.betas.size()), request.betas.data(), kernels::denseKernels(addon->isa),
               addon->pool, request.threads, nullptr);
    return env.Undefined();
  });
}

Napi::Value RbmWrap::RunAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    idleChains();
    // runAsync(cancel: CancelToken | undefined, sweeps, betas, threads?)
    std::shared_ptr<CancelToken> cancel;
    if (info.Length() > 0 && !info[0].IsUndefined()) {
      Addon* addon = env.GetInstanceData<Addon>();
      if (!info[0].IsObject() || !info[0].As<Napi::Object>().InstanceOf(addon->cancelConstructor.Value())) {
        throw invalidArgument("the first argument of runAsync must be a CancelToken or undefined");
      }
      cancel = CancelWrap::Unwrap(info[0].As<Napi::Object>())->token();
    }
    SweepRequest request = parseSweeps(info, 1);
    auto* worker = new RbmRunWorker(env, this, std::move(request), std::move(cancel));
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return Napi::Value(promise);
  });
}

Napi::Value RbmWrap::ReadVisible(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return copyOut(info.Env(), idleChains().visible()); });
}

Napi::Value RbmWrap::ReadHidden(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return copyOut(info.Env(), idleChains().hidden()); });
}

Napi::Value RbmWrap::VisibleProbabilities(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return copyOut(info.Env(), idleChains().visibleProbabilities()); });
}

}  // namespace heatbath::addon
