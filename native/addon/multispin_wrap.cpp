#include "multispin_wrap.h"

#include <string>

namespace heatbath::addon {

Napi::Function MultispinWrap::Define(Napi::Env env) {
  return SpinChainsWrap::Define(env, {StaticMethod("refusal", &MultispinWrap::Refusal)});
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

kernels::MultispinSweepFn MultispinWrap::runKernels(kernels::Isa isa) {
  return kernels::multispinSweeps(isa);
}

}  // namespace heatbath::addon
