#include "gibbs_wrap.h"

#include <string>
#include <utility>
#include <vector>

#include "../core/run_protocol.h"
#include "addon.h"
#include "chain_job.h"
#include "convert.h"
#include "graph_wrap.h"
#include "watched_call.h"

namespace heatbath::addon {

using namespace gibbs_run;

// Positional arguments, because every named property lookup through N-API costs more than a
// small run: (warmup, samples, thin, beta: [program, table, first, total], observe: bitmask, threads?,
// pairA?, pairB?) starting at info[first]; observe bits and result slots in core/run_protocol.h.
RunRequest parseRunRequest(const Napi::CallbackInfo& info, size_t first) {
  auto arg = [&](size_t k) { return info[first + k]; };  // undefined past the end
  RunRequest r;
  r.schedule.warmup = argInteger(arg(0), "warmup", 0, kMaxSweeps);
  r.schedule.samples = argInteger(arg(1), "samples", 0, kMaxSweeps);
  r.schedule.thin = argInteger(arg(2), "thin", 1, kMaxSweeps);
  const int64_t total = totalSweeps(r.schedule.warmup, r.schedule.samples, r.schedule.thin);
  r.betas = argBetaSchedule(arg(3), total);
  const auto observe = argInteger(arg(4), "observe", 0, kObserveAll);
  r.observe.states = observe & kObserveStates;
  r.observe.moments = observe & kObserveMoments;
  r.observe.energy = observe & kObserveEnergy;
  r.observe.magnetization = observe & kObserveMagnetization;
  r.observe.chainMeans = observe & kObserveChainMeans;
  r.observe.meanFieldPairs = observe & kObserveMeanFieldPairs;
  r.threads = argThreads(arg(5));
  if (!arg(6).IsUndefined()) {
    auto a = argArray<int32_t>(arg(6), "pairA");
    auto b = argArray<int32_t>(arg(7), "pairB", static_cast<int64_t>(a.ElementLength()));
    r.observe.pairA.assign(a.Data(), a.Data() + a.ElementLength());
    r.observe.pairB.assign(b.Data(), b.Data() + b.ElementLength());
  }
  return r;
}

// The result array (gibbs_run::Slot); unobserved entries are undefined.
Napi::Array toJs(Napi::Env env, Observations&& obs, const Observe& observe) {
  Napi::Array out = Napi::Array::New(env, kSlots);
  if (observe.states) out.Set(kStates, toTypedArray(env, std::move(obs.states)));
  if (observe.moments) {
    out.Set(kMean, toTypedArray(env, std::move(obs.mean)));
    out.Set(kPairMean, toTypedArray(env, std::move(obs.pairMean)));
  }
  if (observe.energy) out.Set(kEnergy, toTypedArray(env, std::move(obs.energy)));
  if (observe.magnetization) out.Set(kMagnetization, toTypedArray(env, std::move(obs.magnetization)));
  out.Set(kSweeps, Napi::Number::New(env, static_cast<double>(obs.sweeps)));
  out.Set(kSeconds, Napi::Number::New(env, obs.seconds));
  if (observe.chainMeans) out.Set(kChainMeans, toTypedArray(env, std::move(obs.chainMeans)));
  if (observe.meanFieldPairs) out.Set(kPairMeanField, toTypedArray(env, std::move(obs.pairMeanField)));
  return out;
}

Napi::Function GibbsWrap::Define(Napi::Env env) {
  return DefineClass(env, "GibbsChains",
                     {InstanceMethod("setParameters", &GibbsWrap::SetParameters),
                      InstanceMethod("setClamp", &GibbsWrap::SetClamp),
                      InstanceMethod("initRandom", &GibbsWrap::InitRandom),
                      InstanceMethod("initHinton", &GibbsWrap::InitHinton),
                      InstanceMethod("initGiven", &GibbsWrap::InitGiven),
                      InstanceMethod("run", &GibbsWrap::Run),
                      InstanceMethod("runAsync", &GibbsWrap::RunAsync),
                      InstanceMethod("readSpins", &GibbsWrap::ReadSpins),
                      InstanceMethod("dispose", &GibbsWrap::Dispose)});
}

GibbsWrap::GibbsWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<GibbsWrap>(info), NativeResource(info.Env()) {
  Napi::Env env = info.Env();
  guarded(env, [&] {
    Addon* addon = env.GetInstanceData<Addon>();
    if (info.Length() < 3 || !info[0].IsObject() ||
        !info[0].As<Napi::Object>().InstanceOf(addon->graphConstructor.Value())) {
      throw invalidArgument("GibbsChains(graph, chains, seed) needs a native Graph first");
    }
    auto graph = GraphWrap::Unwrap(info[0].As<Napi::Object>())->graph();
    const int64_t chains = argInteger(info[1], "chains", 1, kMaxChains);
    chains_ = std::make_unique<GibbsChains>(std::move(graph), chains, argUint64(info[2], "seed"));
    reportMemory(env);
  });
}

GibbsChains& GibbsWrap::idleChains() {
  requireIdle();
  return *chains_;
}

int64_t GibbsWrap::heldBytes() const { return chains_ ? chains_->memoryBytes() : 0; }

Napi::Value GibbsWrap::Dispose(const Napi::CallbackInfo& info) {
  dispose(info.Env());
  return info.Env().Undefined();
}

Napi::Value GibbsWrap::SetParameters(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    GibbsChains& chains = idleChains();
    const SparseGraph& g = chains.graph();
    auto coupling = argArray<float>(info[0], "couplings", g.numEdges());
    auto bias = argArray<float>(info[1], "biases", g.numNodes);
    chains.setParameters(coupling.Data(), bias.Data());
    reportMemory(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value GibbsWrap::SetClamp(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    GibbsChains& chains = idleChains();
    auto nodes = argArray<int32_t>(info[0], "clamped nodes");
    const auto count = static_cast<int64_t>(nodes.ElementLength());
    auto values = argArray<int8_t>(info[1], "clamped values", count * chains.chains());
    chains.setClamp(nodes.Data(), count, values.Data());
    reportMemory(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value GibbsWrap::InitRandom(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    idleChains().initRandom();
    return info.Env().Undefined();
  });
}

Napi::Value GibbsWrap::InitHinton(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    idleChains().initHinton(static_cast<float>(argNumber(info[0], "beta")));
    return info.Env().Undefined();
  });
}

Napi::Value GibbsWrap::InitGiven(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    GibbsChains& chains = idleChains();
    auto spins = argArray<int8_t>(info[0], "initial spins", chains.chains() * chains.numNodes());
    chains.initGiven(spins.Data());
    return info.Env().Undefined();
  });
}

Napi::Value GibbsWrap::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    GibbsChains& chains = idleChains();
    Addon* addon = env.GetInstanceData<Addon>();
    RunRequest request = parseRunRequest(info, 0);
    const kernels::GibbsKernels kernelSet = kernels::gibbsKernels(addon->isa);
    const double work = double(request.betas.sweeps()) * double(chains.chains()) * chains.numNodes();
    Observations obs = runWatched(env, work, [&](const CancelToken* cancel) {
      return chains.run(request.schedule, request.betas, request.observe, kernelSet, addon->pool,
                        request.threads, cancel);
    });
    return Napi::Value(toJs(env, std::move(obs), request.observe));
  });
}

Napi::Value GibbsWrap::RunAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    // runAsync(cancel: CancelToken | undefined, ...the arguments of run)
    GibbsChains& chains = idleChains();
    std::shared_ptr<CancelToken> cancel = argCancelToken(env, info[0]);
    auto request = std::make_shared<RunRequest>(parseRunRequest(info, 1));
    Addon* addon = env.GetInstanceData<Addon>();
    const kernels::GibbsKernels kernelSet = kernels::gibbsKernels(addon->isa);
    return ChainJob<Observations>::queue(
        env, *this, Value(), cancel,
        [&chains, request, kernelSet, addon](const CancelToken* cancel) {
          return chains.run(request->schedule, request->betas, request->observe, kernelSet, addon->pool,
                            request->threads, cancel);
        },
        [request](Napi::Env env, Observations&& result) -> Napi::Value {
          return toJs(env, std::move(result), request->observe);
        });
  });
}

Napi::Value GibbsWrap::ReadSpins(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    GibbsChains& chains = idleChains();
    const int64_t count = chains.chains() * chains.numNodes();
    // Into the caller's array when given: a fresh one costs page faults and zeroing (~3x the copy).
    if (info.Length() > 0 && !info[0].IsUndefined()) {
      auto out = argArray<int8_t>(info[0], "out", count);
      chains.readSpins(out.Data());
      return Napi::Value(out);
    }
    // Straight into memory the JS engine owns: it is freed by garbage collection itself, while the
    // finalizer of an external buffer waits for the event loop (a synchronous loop would pile them up).
    auto spins = Napi::TypedArrayOf<int8_t>::New(info.Env(), static_cast<size_t>(count));
    chains.readSpins(spins.Data());
    return Napi::Value(spins);
  });
}

}  // namespace heatbath::addon
