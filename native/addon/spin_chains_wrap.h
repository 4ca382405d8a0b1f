// The JS handle methods that sparse spin chains share, float (GibbsChains), quantized (QuantizedChains)
// and multispin (MultispinChains): construction on a native Graph, clamping, initial states, sync/async runs under
// the Gibbs run protocol (core/run_protocol.h), reading spins and dispose. A wrap adds what differs:
// Derived::kClassName, Derived::SetParameters and Derived::runKernels(isa), the kernels its runs take.
#pragma once
#include <napi.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../core/engines.h"
#include "addon.h"
#include "chain_job.h"
#include "convert.h"
#include "graph_wrap.h"
#include "native_resource.h"
#include "watched_call.h"

namespace heatbath::addon {

// A run's arguments (see parseRunRequest).
struct RunRequest {
  SampleSchedule schedule;
  BetaSchedule betas = BetaSchedule::constant(1.0f, 0);
  Observe observe;
  int threads = 1;
};
// (warmup, samples, thin, beta, observe, threads?, pairA?, pairB?) starting at info[first].
RunRequest parseRunRequest(const Napi::CallbackInfo& info, size_t first);
// The result array of a run (gibbs_run::Slot).
Napi::Array toJs(Napi::Env env, Observations&& obs, const Observe& observe);

template <typename Derived, typename Chains>
class SpinChainsWrap : public Napi::ObjectWrap<Derived>, public NativeResource {
 public:
  // `extra`: what a wrap adds to the shared methods (static helpers).
  static Napi::Function Define(Napi::Env env,
                               std::vector<typename Napi::ObjectWrap<Derived>::PropertyDescriptor> extra = {}) {
    using Wrap = Napi::ObjectWrap<Derived>;
    std::vector<typename Wrap::PropertyDescriptor> properties{
        Wrap::InstanceMethod("setParameters", &Derived::SetParameters),
        Wrap::InstanceMethod("setClamp", &SpinChainsWrap::SetClamp),
        Wrap::InstanceMethod("initRandom", &SpinChainsWrap::InitRandom),
        Wrap::InstanceMethod("initHinton", &SpinChainsWrap::InitHinton),
        Wrap::InstanceMethod("initGiven", &SpinChainsWrap::InitGiven),
        Wrap::InstanceMethod("run", &SpinChainsWrap::Run),
        Wrap::InstanceMethod("runAsync", &SpinChainsWrap::RunAsync),
        Wrap::InstanceMethod("readSpins", &SpinChainsWrap::ReadSpins),
        Wrap::InstanceMethod("dispose", &SpinChainsWrap::Dispose)};
    properties.insert(properties.end(), extra.begin(), extra.end());
    return Wrap::DefineClass(env, Derived::kClassName, properties);
  }

  // new <kClassName>(graph: Graph, chains: number, seed: number | bigint)
  explicit SpinChainsWrap(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<Derived>(info), NativeResource(info.Env()) {
    Napi::Env env = info.Env();
    guarded(env, [&] {
      Addon* addon = env.GetInstanceData<Addon>();
      if (info.Length() < 3 || !info[0].IsObject() ||
          !info[0].template As<Napi::Object>().InstanceOf(addon->graphConstructor.Value())) {
        throw invalidArgument(std::string(Derived::kClassName) + "(graph, chains, seed) needs a native Graph first");
      }
      auto graph = GraphWrap::Unwrap(info[0].template As<Napi::Object>())->graph();
      const int64_t chains = argInteger(info[1], "chains", 1, kMaxChains);
      chains_ = std::make_unique<Chains>(std::move(graph), chains, argUint64(info[2], "seed"));
      reportMemory(env);
    });
  }

 protected:
  // Throws ERR_BUSY while an async run owns the chains, ERR_DISPOSED after dispose().
  Chains& idleChains() {
    requireIdle();
    return *chains_;
  }

 private:
  Napi::Value SetClamp(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
      Chains& chains = idleChains();
      auto nodes = argArray<int32_t>(info[0], "clamped nodes");
      const auto count = static_cast<int64_t>(nodes.ElementLength());
      auto values = argArray<int8_t>(info[1], "clamped values", count * chains.chains());
      chains.setClamp(nodes.Data(), count, values.Data());
      reportMemory(info.Env());
      return info.Env().Undefined();
    });
  }

  Napi::Value InitRandom(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
      idleChains().initRandom();
      return info.Env().Undefined();
    });
  }

  Napi::Value InitHinton(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
      idleChains().initHinton(static_cast<float>(argNumber(info[0], "beta")));
      return info.Env().Undefined();
    });
  }

  Napi::Value InitGiven(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
      Chains& chains = idleChains();
      auto spins = argArray<int8_t>(info[0], "initial spins", chains.chains() * chains.numNodes());
      chains.initGiven(spins.Data());
      return info.Env().Undefined();
    });
  }

  Napi::Value Run(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guarded(env, [&] {
      Chains& chains = idleChains();
      Addon* addon = env.GetInstanceData<Addon>();
      RunRequest request = parseRunRequest(info, 0);
      const auto kernelSet = Derived::runKernels(addon->isa);
      const double work = double(request.betas.sweeps()) * double(chains.chains()) * chains.numNodes();
      Observations obs = runWatched(env, work, [&](const CancelToken* cancel) {
        return chains.run(request.schedule, request.betas, request.observe, kernelSet, addon->pool, request.threads,
                          cancel);
      });
      return Napi::Value(toJs(env, std::move(obs), request.observe));
    });
  }

  // runAsync(cancel: CancelToken | undefined, ...the arguments of run)
  Napi::Value RunAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guarded(env, [&] {
      Chains& chains = idleChains();
      std::shared_ptr<CancelToken> cancel = argCancelToken(env, info[0]);
      auto request = std::make_shared<RunRequest>(parseRunRequest(info, 1));
      Addon* addon = env.GetInstanceData<Addon>();
      const auto kernelSet = Derived::runKernels(addon->isa);
      return ChainJob<Observations>::queue(
          env, *this, this->Value(), cancel,
          [&chains, request, kernelSet, addon](const CancelToken* cancel) {
            return chains.run(request->schedule, request->betas, request->observe, kernelSet, addon->pool,
                              request->threads, cancel);
          },
          [request](Napi::Env env, Observations&& result) -> Napi::Value {
            return toJs(env, std::move(result), request->observe);
          });
    });
  }

  Napi::Value ReadSpins(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&] {
      Chains& chains = idleChains();
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

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    dispose(info.Env());
    return info.Env().Undefined();
  }

  int64_t heldBytes() const override { return chains_ ? chains_->memoryBytes() : 0; }
  void release() override { chains_.reset(); }

  std::unique_ptr<Chains> chains_;
};

}  // namespace heatbath::addon
