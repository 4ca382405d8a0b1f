#include "quantized_wrap.h"

namespace heatbath::addon {

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

kernels::IntSweepFn QuantizedWrap::runKernels(kernels::Isa isa) {
  return kernels::intSweeps(isa);
}

}  // namespace heatbath::addon
