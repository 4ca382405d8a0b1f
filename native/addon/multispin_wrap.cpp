#include "multispin_wrap.h"

#include <string>
#include <utility>
#include <vector>

#include "../kernels/multispin/multispin_dispatch.h"
#include "addon.h"
#include "chain_job.h"
#include "convert.h"
#include "gibbs_wrap.h"
#include "graph_wrap.h"
#include "watched_call.h"

namespace heatbath::addon {

Napi::Function MultispinWrap::Define(Napi::Env env) {
  return DefineClass(env, "MultispinChains",
                     {InstanceMethod("setParameters", &MultispinWrap::SetParameters),
                      InstanceMethod("setClamp", &MultispinWrap::SetClamp),
                      InstanceMethod("initRandom", &MultispinWrap::InitRandom),
                      InstanceMethod("initHinton", &MultispinWrap::InitHinton),
                      InstanceMethod("initGiven", &MultispinWrap::InitGiven),
                      InstanceMethod("run", &MultispinWrap::Run),
                      InstanceMethod("runAsync", &MultispinWrap::RunAsync),
                      InstanceMethod("readSpins", &MultispinWrap::ReadSpins),
                      InstanceMethod("dispose", &MultispinWrap::Dispose),
                      StaticMethod("refusal", &MultispinWrap::Refusal)});
}

MultispinWrap::MultispinWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<MultispinWrap>(info), NativeResource(info.Env()) {
  Napi::Env env = info.Env();
  guarded(env, [&] {
    Addon* addon = env.GetInstanceData<Addon>();
    if (info.Length() < 3 || !info[0].IsObject() ||
        !info[0].As<Napi::Object>().InstanceOf(addon->graphConstructor.Value())) {
      throw invalidArgument("MultispinChains(graph, chains, seed) needs a native Graph first");
    }
    auto graph = GraphWrap::Unwrap(info[0].As<Napi::Object>())->graph();
    const int64_t chains = argInteger(info[1], "chains", 1, int64_t{1} << 40);
    chains_ = std::make_unique<MultispinChains>(std::move(graph), chains, argSeed(info[2]));
    reportMemory(env);
  });
}

Napi::Value MultispinWrap::Refusal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    Addon* addon = env.GetInstanceData<Addon>();
    if (info.Length() < 3 || !info[0].IsObject() ||
        !info[0].As<Napi::Object>().InstanceOf(addon->graphConstructor.Value())) {
      throw invalidArgument("refusal(graph, couplings, biases) needs a native Graph first");
    }
    const SparseGraph& g = *GraphWrap::Unwrap(info[0].As<Napi::Object>())->graph();
    auto coupling = argArray<int32_t>(info[1], "couplings", g.numEdges());
    auto bias = argArray<int32_t>(info[2], "biases", g.numNodes);
    const std::string why = MultispinChains::refusal(g, coupling.Data(), bias.Data());
    return why.empty() ? env.Null() : Napi::Value(Napi::String::New(env, why));
  });
}

MultispinChains& MultispinWrap::idleChains() {
  requireIdle();
  return *chains_;
}

int64_t MultispinWrap::heldBytes() const { return chains_ ? chains_->memoryBytes() : 0; }

Napi::Value MultispinWrap::Dispose(const Napi::CallbackInfo& info) {
  dispose(info.Env());
  return info.Env().Undefined();
}

Napi::Value MultispinWrap::SetParameters(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    MultispinChains& chains = idleChains();
    const SparseGraph& g = chains.graph();
    auto coupling = argArray<int32_t>(info[0], "couplings", g.numEdges());
    auto bias = argArray<int32_t>(info[1], "biases", g.numNodes);
    const double scale = argNumber(info[2], "scale");
    const int bits = static_cast<int>(argInteger(info[3], "randomBits", 1, 32));
    chains.setParameters(coupling.Data(), bias.Data(), scale, bits);
    reportMemory(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value MultispinWrap::SetClamp(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    MultispinChains& chains = idleChains();
    auto nodes = argArray<int32_t>(info[0], "clamped nodes");
    const auto count = static_cast<int64_t>(nodes.ElementLength());
    auto values = argArray<int8_t>(info[1], "clamped values", count * chains.chains());
    chains.setClamp(nodes.Data(), count, values.Data());
    reportMemory(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value MultispinWrap::InitRandom(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    idleChains().initRandom();
    return info.Env().Undefined();
  });
}

Napi::Value MultispinWrap::InitHinton(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    idleChains().initHinton(static_cast<float>(argNumber(info[0], "beta")));
    return info.Env().Undefined();
  });
}

Napi::Value MultispinWrap::InitGiven(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    MultispinChains& chains = idleChains();
    auto spins = argArray<int8_t>(info[0], "initial spins", chains.chains() * chains.numNodes());
    chains.initGiven(spins.Data());
    return info.Env().Undefined();
  });
}

Napi::Value MultispinWrap::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    MultispinChains& chains = idleChains();
    Addon* addon = env.GetInstanceData<Addon>();
    RunRequest request = parseRunRequest(info, 0, ThreadPool::hardwareThreads());
    const kernels::MultispinSweepFn sweepFn = kernels::multispinKernel(addon->isa);
    const double work = double(request.betas.sweeps()) * double(chains.chains()) * chains.numNodes();
    Observations obs = runWatched(env, work, [&](const CancelToken* cancel) {
      return chains.run(request.schedule, request.betas, request.observe, sweepFn, addon->pool, request.threads,
                        cancel);
    });
    return Napi::Value(toJs(env, std::move(obs), request.observe));
  });
}

Napi::Value MultispinWrap::RunAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    MultispinChains& chains = idleChains();
    std::shared_ptr<CancelToken> cancel = argCancelToken(env, info[0]);
    auto request = std::make_shared<RunRequest>(parseRunRequest(info, 1, ThreadPool::hardwareThreads()));
    Addon* addon = env.GetInstanceData<Addon>();
    const kernels::MultispinSweepFn sweepFn = kernels::multispinKernel(addon->isa);
    return ChainJob<Observations>::queue(
        env, *this, Value(), cancel,
        [&chains, request, sweepFn, addon](const CancelToken* cancel) {
          return chains.run(request->schedule, request->betas, request->observe, sweepFn, addon->pool,
                            request->threads, cancel);
        },
        [request](Napi::Env env, Observations&& result) -> Napi::Value {
          return toJs(env, std::move(result), request->observe);
        });
  });
}

Napi::Value MultispinWrap::ReadSpins(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    MultispinChains& chains = idleChains();
    const int64_t count = chains.chains() * chains.numNodes();
    if (info.Length() > 0 && !info[0].IsUndefined()) {
      auto out = argArray<int8_t>(info[0], "out", count);
      chains.readSpins(out.Data());
      return Napi::Value(out);
    }
    auto spins = Napi::TypedArrayOf<int8_t>::New(info.Env(), static_cast<size_t>(count));  // owned by the JS engine
    chains.readSpins(spins.Data());
    return Napi::Value(spins);
  });
}

}  // namespace heatbath::addon
