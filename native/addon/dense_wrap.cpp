#include "dense_wrap.h"

#include <string>

#include "../core/engines.h"
#include "addon.h"
#include "convert.h"
#include "watched_call.h"

namespace heatbath::addon {

namespace {

ProductPath argPath(const Napi::Value& value) {
  if (value.IsUndefined())
    return ProductPath::Auto;
  const std::string name = value.IsString() ? value.As<Napi::String>().Utf8Value() : "";
  if (name == "auto")
    return ProductPath::Auto;
  if (name == "dense")
    return ProductPath::Dense;
  if (name == "active")
    return ProductPath::ActiveRows;
  throw invalidArgument("path must be 'auto', 'dense' or 'active'");
}

}  // namespace

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    Addon* addon = env.GetInstanceData<Addon>();
    GemmArgs g;
    g.transA = argBoolean(info[0], "transA");
    g.transB = argBoolean(info[1], "transB");
    g.m = argInteger(info[2], "m", 0, kMaxDenseDimension);
    g.n = argInteger(info[3], "n", 0, kMaxDenseDimension);
    g.k = argInteger(info[4], "k", 0, kMaxDenseDimension);
    g.alpha = static_cast<float>(argNumber(info[5], "alpha"));
    auto a = argArray<float>(info[6], "a", g.m * g.k);
    auto b = argArray<float>(info[7], "b", g.k * g.n);
    g.beta = static_cast<float>(argNumber(info[8], "beta"));
    auto c = argArray<float>(info[9], "c", g.m * g.n);
    const int threads = argThreads(info[10]);
    requireDisjoint(c, "c", a, "a");
    requireDisjoint(c, "c", b, "b");
    g.a = a.Data(), g.b = b.Data(), g.c = c.Data();
    const kernels::DenseKernels dense = kernels::denseKernels(addon->isa);
    const double work = double(g.m) * double(g.n) * double(g.k);
    runWatched(env, work, [&](const CancelToken*) { gemm(g, dense, addon->pool, threads, addon->gemmWorkspace); });
    return env.Undefined();
  });
}

Napi::Value RbmConditional(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    Addon* addon = env.GetInstanceData<Addon>();
    ConditionalArgs a;
    const std::string direction = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    if (direction != "hidden" && direction != "visible")
      throw invalidArgument("direction must be 'hidden' or 'visible'");
    a.direction = direction == "hidden" ? LayerDirection::Hidden : LayerDirection::Visible;
    a.rows = argInteger(info[1], "rows", 0, kMaxDenseDimension);
    a.numVisible = argInteger(info[3], "numVisible", 1, kMaxDenseDimension);
    a.numHidden = argInteger(info[4], "numHidden", 1, kMaxDenseDimension);
    const bool toHidden = a.direction == LayerDirection::Hidden;
    const int64_t in = toHidden ? a.numVisible : a.numHidden, out = toHidden ? a.numHidden : a.numVisible;
    auto weights = argArray<float>(info[2], "weights", a.numVisible * a.numHidden);
    auto bias = argArray<float>(info[5], "bias", out);
    auto input = argArray<float>(info[6], "input", a.rows * in);
    a.beta = static_cast<float>(argNumber(info[7], "beta"));
    Napi::TypedArrayOf<float> prob, sample;
    if (!info[8].IsUndefined())
      prob = argArray<float>(info[8], "probOut", a.rows * out);
    if (!info[9].IsUndefined())
      sample = argArray<float>(info[9], "sampleOut", a.rows * out);
    a.seed = argUint64(info[10], "seed");
    a.stream = argUint64(info[11], "stream");
    const int threads = argThreads(info[12]);
    a.path = argPath(info[13]);
    for (const auto& [output, name] : {std::pair{prob, "probOut"}, std::pair{sample, "sampleOut"}}) {
      if (output.IsEmpty())
        continue;
      requireDisjoint(output, name, weights, "weights");
      requireDisjoint(output, name, bias, "bias");
      requireDisjoint(output, name, input, "input");
    }
    if (!prob.IsEmpty() && !sample.IsEmpty())
      requireDisjoint(prob, "probOut", sample, "sampleOut");
    a.weights = weights.Data(), a.bias = bias.Data(), a.input = input.Data();
    a.prob = prob.IsEmpty() ? nullptr : prob.Data();
    a.sample = sample.IsEmpty() ? nullptr : sample.Data();
    const kernels::DenseKernels dense = kernels::denseKernels(addon->isa);
    runWatched(env, double(a.rows) * double(a.numVisible) * double(a.numHidden), [&](const CancelToken*) {
      rbmConditional(a, dense, addon->pool, threads, addon->conditionalWorkspace);
    });
    return env.Undefined();
  });
}

}  // namespace heatbath::addon
