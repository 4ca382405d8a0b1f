#include "gibbs_wrap.h"

namespace heatbath::addon {

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

kernels::GibbsKernels GibbsWrap::runKernels(kernels::Isa isa) {
  return kernels::gibbsKernels(isa);
}

}  // namespace heatbath::addon
