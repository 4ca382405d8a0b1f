#include "quantized_wrap.h"

#include <string>
#include <utility>
#include <vector>

#include "addon.h"
#include "chain_job.h"
#include "convert.h"
#include "gibbs_wrap.h"
#include "graph_wrap.h"
#include "watched_call.h"

namespace heatbath::addon {

Napi::Function QuantizedWrap::Define(Napi::Env env) {
  return DefineClass(env, "QuantizedChains",
                     {InstanceMethod("setParameters", &QuantizedWrap::SetParameters),
                      InstanceMethod("setClamp", &QuantizedWrap::SetClamp),
                      InstanceMethod("initRandom", &QuantizedWrap::InitRandom),
                      InstanceMethod("initHinton", &QuantizedWrap::InitHinton),
                      InstanceMethod("initGiven", &QuantizedWrap::InitGiven),
                      InstanceMethod("run", &QuantizedWrap::Run),
                      InstanceMethod("runAsync", &QuantizedWrap::RunAsync),
                      InstanceMethod("readSpins", &QuantizedWrap::ReadSpins),
                      InstanceMethod("dispose", &QuantizedWrap::Dispose)});
}

QuantizedWrap::QuantizedWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<QuantizedWrap>(info), NativeResource(info.Env()) {
  Napi::Env env = info.Env();
  guarded(env, [&] {
    Addon* addon = env.GetInstanceData<Addon>();
    if (info.Length() < 3 || !info[0].IsObject() ||
        !info[0].As<Napi::Object>().InstanceOf(addon->graphConstructor.Value())) {
      throw invalidArgument("QuantizedChains(graph, chains, seed) needs a native Graph first");
    }
    auto graph = GraphWrap::Unwrap(info[0].As<Napi::Object>())->graph();
    const int64_t chains = argInteger(info[1], "chains", 1, kMaxChains);
    chains_ = std::make_unique<QuantizedChains>(std::move(graph), chains, argUint64(info[2], "seed"));
    reportMemory(env);
  });
}

QuantizedChains& QuantizedWrap::idleChains() {
  requireIdle();
  return *chains_;
}

int64_t QuantizedWrap::heldBytes() const { return chains_ ? chains_->memoryBytes() : 0; }

Napi::Value QuantizedWrap::Dispose(const Napi::CallbackInfo& info) {
  dispose(info.Env());
  return info.Env().Undefined();
}

Napi::Value QuantizedWrap::SetParameters(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    QuantizedChains& chains = idleChains();
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

Napi::Value QuantizedWrap::SetClamp(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    QuantizedChains& chains = idleChains();
    auto nodes = argArray<int32_t>(info[0], "clamped nodes");
    const auto count = static_cast<int64_t>(nodes.ElementLength());
    auto values = argArray<int8_t>(info[1], "clamped values", count * chains.chains());
    chains.setClamp(nodes.Data(), count, values.Data());
    reportMemory(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value QuantizedWrap::InitRandom(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    idleChains().initRandom();
    return info.Env().Undefined();
  });
}

Napi::Value QuantizedWrap::InitHinton(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    idleChains().initHinton(static_cast<float>(argNumber(info[0], "beta")));
    return info.Env().Undefined();
  });
}

Napi::Value QuantizedWrap::InitGiven(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    QuantizedChains& chains = idleChains();
    auto spins = argArray<int8_t>(info[0], "initial spins", chains.chains() * chains.numNodes());
    chains.initGiven(spins.Data());
    return info.Env().Undefined();
  });
}

Napi::Value QuantizedWrap::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    QuantizedChains& chains = idleChains();
    Addon* addon = env.GetInstanceData<Addon>();
    RunRequest request = parseRunRequest(info, 0);
    const kernels::IntSweepFn sweepFn = kernels::intSweeps(addon->isa);
    const double work = double(request.betas.sweeps()) * double(chains.chains()) * chains.numNodes();
    Observations obs = runWatched(env, work, [&](const CancelToken* cancel) {
      return chains.run(request.schedule, request.betas, request.observe, sweepFn, addon->pool, request.threads,
                        cancel);
    });
    return Napi::Value(toJs(env, std::move(obs), request.observe));
  });
}

Napi::Value QuantizedWrap::RunAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    QuantizedChains& chains = idleChains();
    std::shared_ptr<CancelToken> cancel = argCancelToken(env, info[0]);
    auto request = std::make_shared<RunRequest>(parseRunRequest(info, 1));
    Addon* addon = env.GetInstanceData<Addon>();
    const kernels::IntSweepFn sweepFn = kernels::intSweeps(addon->isa);
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

Napi::Value QuantizedWrap::ReadSpins(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    QuantizedChains& chains = idleChains();
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
