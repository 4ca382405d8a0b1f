#include "addon.h"

#include "../core/memory.h"
#include "../core/seed.h"
#include "cancel_wrap.h"
#include "ceiling_wrap.h"
#include "convert.h"
#include "dense_wrap.h"
#include "gibbs_wrap.h"
#include "graph_wrap.h"
#include "langevin_wrap.h"
#include "multispin_wrap.h"
#include "quantized_wrap.h"
#include "rbm_wrap.h"
#include "tngd_wrap.h"

namespace heatbath::addon {

Addon::Addon(Napi::Env env, Napi::Object exports) : jobs(env, runner), isa(kernels::Isa::Scalar), env_(env) {
  isa = guarded(env, [] { return kernels::defaultIsa(); });
  DefineAddon(exports, {
                           InstanceMethod("info", &Addon::Info),
                           InstanceMethod("setSimd", &Addon::SetSimd),
                           InstanceValue("measureCeiling", Napi::Function::New(env, MeasureCeiling)),
                           InstanceValue("gemm", Napi::Function::New(env, Gemm)),
                           InstanceValue("rbmConditional", Napi::Function::New(env, RbmConditional)),
                           InstanceValue("randomNormals", Napi::Function::New(env, RandomNormals)),
                           InstanceValue("deriveSeed", Napi::Function::New(env, DeriveSeed)),
                       });
  graphConstructor = Napi::Persistent(GraphWrap::Define(env));
  exports.Set("Graph", graphConstructor.Value());
  exports.Set("GibbsChains", GibbsWrap::Define(env));
  exports.Set("QuantizedChains", QuantizedWrap::Define(env));
  exports.Set("MultispinChains", MultispinWrap::Define(env));
  exports.Set("RbmChains", RbmWrap::Define(env));
  exports.Set("LangevinChains", LangevinWrap::Define(env));
  exports.Set("TngdDevice", TngdWrap::Define(env));
  cancelConstructor = Napi::Persistent(CancelWrap::Define(env));
  exports.Set("CancelToken", cancelConstructor.Value());
  // Last, so that a constructor that throws leaves no hook behind. Added after `jobs` created its
  // thread-safe function: hooks run newest first, so the jobs have stopped before Node closes it.
  NAPI_THROW_IF_FAILED_VOID(env, napi_add_env_cleanup_hook(env, stopJobs, this));
}

Addon::~Addon() {
  napi_remove_env_cleanup_hook(env_, stopJobs, this);
  runner.stop();
}

void Addon::stopJobs(void* addon) {
  static_cast<Addon*>(addon)->runner.stop();
}

Napi::Object Addon::describe(Napi::Env env) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("simd", kernels::isaName(isa));
  Napi::Array available = Napi::Array::New(env);
  uint32_t k = 0;
  for (kernels::Isa supported : kernels::supportedIsas())
    available.Set(k++, kernels::isaName(supported));
  out.Set("simdAvailable", available);
  out.Set("hardwareThreads", ThreadPool::hardwareThreads());
  out.Set("lanes", kernels::kLanes);
  return out;
}

Napi::Value Addon::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    Napi::Object out = describe(env);
    // The bytes one request may use (core/memory.h): the TypeScript layer checks its own allocations against it.
    out.Set("memoryLimit", static_cast<double>(usableMemoryBytes()));
    return out;
  });
}

Napi::Value Addon::SetSimd(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    if (info.Length() < 1 || !info[0].IsString())
      throw invalidArgument("setSimd expects a string");
    isa = kernels::parseIsa(info[0].As<Napi::String>().Utf8Value());
    return Napi::String::New(info.Env(), kernels::isaName(isa));
  });
}

// deriveSeed(seed, tag: string, index): the stream seed of core/seed.h, as a BigInt.
Napi::Value DeriveSeed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    if (!info[1].IsString())
      throw invalidArgument("tag must be a string");
    const std::string tag = info[1].As<Napi::String>().Utf8Value();
    return Napi::Value(
        Napi::BigInt::New(env, deriveSeed(argUint64(info[0], "seed"), tag, argUint64(info[2], "index"))));
  });
}

}  // namespace heatbath::addon

using HeatbathAddon = heatbath::addon::Addon;
NODE_API_ADDON(HeatbathAddon)
