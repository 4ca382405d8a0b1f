#include "dense_wrap.h"

#include <string>

#include "../core/gemm.h"
#include "../core/rbm_conditional.h"
#include "../kernels/dense/dense_dispatch.h"
#include "addon.h"
#include "convert.h"
#include "watched_call.h"

namespace heatbath::addon {

namespace {

constexpr int64_t kMaxDimension = (int64_t{1} << 31) - 1;

int argThreads(const Napi::Value& value) {
  return value.IsUndefined() ? ThreadPool::hardwareThreads() : static_cast<int>(argInteger(value, "threads", 1, 1024));
}

bool argBoolean(const Napi::Value& value, const char* name) {
  if (!value.IsBoolean()) throw invalidArgument(std::string(name) + " must be a boolean");
  return value.As<Napi::Boolean>().Value();
}

ProductPath argPath(const Napi::Value& value) {
  if (value.IsUndefined()) return ProductPath::Auto;
  const std::string name = value.IsString() ? value.As<Napi::String>().Utf8Value() : "";
  if (name == "auto") return ProductPath::Auto;
  if (name == "dense") return ProductPath::Dense;
  if (name == "active") return ProductPath::ActiveRows;
  throw invalidArgument("path must be 'auto', 'dense' or 'active'");
}

}  // namespace

void requireDisjoint(const Napi::TypedArray& a, const char* aName, const Napi::TypedArray& b, const char* bName) {
  const auto* a0 = static_cast<const uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset();
  const auto* b0 = static_cast<const uint8_t*>(b.ArrayBuffer().Data()) + b.ByteOffset();
  if (a0 < b0 + b.ByteLength() && b0 < a0 + a.ByteLength() && a.ByteLength() > 0 && b.ByteLength() > 0) {
    throw invalidArgument(std::string(aName) + " and " + bName + " must not share memory");
  }
}

uint64_t argUint64(const Napi::Value& value, const char* name) {
  if (value.IsBigInt()) {
    bool lossless = false;
    const uint64_t x = value.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) throw invalidArgument(std::string(name) + " must fit in 64 bits");
    return x;
  }
  return static_cast<uint64_t>(argInteger(value, name, 0, (int64_t{1} << 53) - 1));
}

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    Addon* addon = env.GetInstanceData<Addon>();
    GemmArgs g;
    g.transA = argBoolean(info[0], "transA");
    g.transB = argBoolean(info[1], "transB");
    g.m = argInteger(info[2], "m", 0, kMaxDimension);
    g.n = argInteger(info[3], "n", 0, kMaxDimension);
    g.k = argInteger(info[4], "k", 0, kMaxDimension);
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
    if (direction != "hidden" && direction != "visible") throw invalidArgument("direction must be 'hidden' or 'visible'");
    a.direction = direction == "hidden" ? LayerDirection::Hidden : LayerDirection::Visible;
    a.rows = argInteger(info[1], "rows", 0, kMaxDimension);
    a.numVisible = argInteger(info[3], "numVisible", 1, kMaxDimension);
    a.numHidden = argInteger(info[4], "numHidden", 1, kMaxDimension);
    const bool toHidden = a.direction == LayerDirection::Hidden;
    const int64_t in = toHidden ? a.numVisible : a.numHidden, out = toHidden ? a.numHidden : a.numVisible;
    auto weights = argArray<float>(info[2], "weights", a.numVisible * a.numHidden);
    auto bias = argArray<float>(info[5], "bias", out);
    auto input = argArray<float>(info[6], "input", a.rows * in);
    a.beta = static_cast<float>(argNumber(info[7], "beta"));
    Napi::TypedArrayOf<float> prob, sample;
    if (!info[8].IsUndefined()) prob = argArray<float>(info[8], "probOut", a.rows * out);
    if (!info[9].IsUndefined()) sample = argArray<float>(info[9], "sampleOut", a.rows * out);
    a.seed = argUint64(info[10], "seed");
    a.stream = argUint64(info[11], "stream");
    const int threads = argThreads(info[12]);
    a.path = argPath(info[13]);
    for (const auto& [output, name] : {std::pair{prob, "probOut"}, std::pair{sample, "sampleOut"}}) {
      if (output.IsEmpty()) continue;
      requireDisjoint(output, name, weights, "weights");
      requireDisjoint(output, name, bias, "bias");
      requireDisjoint(output, name, input, "input");
    }
    if (!prob.IsEmpty() && !sample.IsEmpty()) requireDisjoint(prob, "probOut", sample, "sampleOut");
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
