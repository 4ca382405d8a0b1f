#include "rbm_wrap.h"

#include <string>
#include <utility>
#include <vector>

#include "addon.h"
#include "chain_job.h"
#include "convert.h"
#include "dense_wrap.h"
#include "watched_call.h"

namespace heatbath::addon {

namespace {

struct SweepRequest {
  BetaSchedule betas = BetaSchedule::constant(1.0f, 0);
  int threads = 1;
};

// (sweeps, beta: [program, table, first, total], threads?) starting at info[first].
SweepRequest parseSweeps(const Napi::CallbackInfo& info, size_t first) {
  SweepRequest r;
  const int64_t sweeps = argInteger(info[first], "sweeps", 0, kMaxSweeps);
  r.betas = argBetaSchedule(info[first + 1], sweeps);
  r.threads = argThreads(info[first + 2]);
  return r;
}

Napi::Value copyOut(Napi::Env env, const std::vector<float>& values) {
  return toTypedArray(env, std::vector<float>(values));
}

}  // namespace

Napi::Function RbmWrap::Define(Napi::Env env) {
  return DefineClass(
      env, "RbmChains",
      {InstanceMethod("setParameters", &RbmWrap::SetParameters), InstanceMethod("setVisible", &RbmWrap::SetVisible),
       InstanceMethod("initRandom", &RbmWrap::InitRandom), InstanceMethod("setClamp", &RbmWrap::SetClamp),
       InstanceMethod("run", &RbmWrap::Run), InstanceMethod("runAsync", &RbmWrap::RunAsync),
       InstanceMethod("readVisible", &RbmWrap::ReadVisible), InstanceMethod("readHidden", &RbmWrap::ReadHidden),
       InstanceMethod("visibleProbabilities", &RbmWrap::VisibleProbabilities),
       InstanceMethod("dispose", &RbmWrap::Dispose)});
}

RbmWrap::RbmWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<RbmWrap>(info), NativeResource(info.Env()) {
  guarded(info.Env(), [&] {
    const int64_t numVisible = argInteger(info[0], "numVisible", 1, kMaxDenseDimension);
    const int64_t numHidden = argInteger(info[1], "numHidden", 1, kMaxDenseDimension);
    const int64_t chains = argInteger(info[2], "numChains", 1, kMaxChains);
    chains_ = std::make_unique<RbmChains>(numVisible, numHidden, chains, argUint64(info[3], "seed"));
    reportMemory(info.Env());
  });
}

RbmChains& RbmWrap::idleChains() {
  requireIdle();
  return *chains_;
}

int64_t RbmWrap::heldBytes() const {
  return chains_ ? chains_->memoryBytes() : 0;
}

Napi::Value RbmWrap::Dispose(const Napi::CallbackInfo& info) {
  dispose(info.Env());
  return info.Env().Undefined();
}

Napi::Value RbmWrap::SetParameters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    RbmChains& chains = idleChains();
    auto weights = argArray<float>(info[0], "weights", chains.numVisible() * chains.numHidden());
    auto visibleBias = argArray<float>(info[1], "visibleBias", chains.numVisible());
    auto hiddenBias = argArray<float>(info[2], "hiddenBias", chains.numHidden());
    Addon* addon = env.GetInstanceData<Addon>();
    const int panelWidth = kernels::denseKernels(addon->isa).panelWidth;
    // Packing uses the pool: behind another job of this environment it must wait on the runner too.
    runWatched(env, double(chains.numVisible()) * double(chains.numHidden()), [&](const CancelToken*) {
      chains.setParameters(weights.Data(), visibleBias.Data(), hiddenBias.Data(), panelWidth, addon->pool,
                           ThreadPool::hardwareThreads());
    });
    reportMemory(env);
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
    reportMemory(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value RbmWrap::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    RbmChains& chains = idleChains();
    Addon* addon = env.GetInstanceData<Addon>();
    SweepRequest request = parseSweeps(info, 0);
    const kernels::DenseKernels kernels = kernels::denseKernels(addon->isa);
    const double work = 2.0 * double(request.betas.sweeps()) * double(chains.chains()) * double(chains.numVisible()) *
                        double(chains.numHidden());
    runWatched(env, work, [&](const CancelToken* cancel) {
      chains.run(request.betas, kernels, addon->pool, request.threads, cancel);
    });
    reportMemory(env);
    return env.Undefined();
  });
}

Napi::Value RbmWrap::RunAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    // runAsync(cancel: CancelToken | undefined, sweeps, beta, threads?)
    RbmChains& chains = idleChains();
    std::shared_ptr<CancelToken> cancel = argCancelToken(env, info[0]);
    auto request = std::make_shared<SweepRequest>(parseSweeps(info, 1));
    Addon* addon = env.GetInstanceData<Addon>();
    const kernels::DenseKernels kernels = kernels::denseKernels(addon->isa);
    return ChainJob<bool>::queue(
        env, *this, Value(), cancel,
        [&chains, request, kernels, addon](const CancelToken* cancel) {
          chains.run(request->betas, kernels, addon->pool, request->threads, cancel);
          return true;
        },
        [](Napi::Env env, bool&&) { return env.Undefined(); });
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
