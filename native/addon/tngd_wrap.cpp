#include "tngd_wrap.h"

#include "../kernels/dense_dispatch.h"
#include "../kernels/langevin_kernel.h"
#include "addon.h"
#include "convert.h"
#include "dense_wrap.h"

namespace heatbath::addon {

namespace {
constexpr int64_t kMaxUnits = int64_t{1} << 15;  // m = batch x classes: the Gram matrix is m x m
}

Napi::Function TngdWrap::Define(Napi::Env env) {
  return DefineClass(env, "TngdDevice",
                     {InstanceMethod("load", &TngdWrap::Load), InstanceMethod("run", &TngdWrap::Run),
                      InstanceMethod("foldNoise", &TngdWrap::FoldNoise)});
}

TngdWrap::TngdWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TngdWrap>(info) {
  guarded(info.Env(), [&] { device_ = std::make_unique<TngdDevice>(argUint64(info[0], "seed")); });
}

Napi::Value TngdWrap::Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    Addon* addon = env.GetInstanceData<Addon>();
    DeviceModel model;
    model.batch = argInteger(info[0], "batch", 1, kMaxUnits);
    model.classes = argInteger(info[1], "classes", 1, kMaxUnits);
    const int64_t m = model.batch * model.classes;
    if (m > kMaxUnits) throw invalidArgument("batch x classes must be at most " + std::to_string(kMaxUnits));
    auto gram = argArray<float>(info[2], "gram", m * m);
    auto probs = argArray<float>(info[3], "probs", m);
    model.curvatureScale = static_cast<float>(argNumber(info[4], "curvatureScale"));
    auto gradient = argArray<float>(info[5], "gradient", m);
    if (!info[6].IsBoolean()) throw invalidArgument("noisy must be a boolean");
    model.noisy = info[6].As<Napi::Boolean>().Value();
    model.gram = gram.Data(), model.probs = probs.Data(), model.gradient = gradient.Data();
    const double largest = device_->load(model, kernels::denseKernels(addon->isa));
    Napi::Object out = Napi::Object::New(env);
    out.Set("largestCurvature", largest);
    out.Set("rank", static_cast<double>(device_->rank()));
    return out;
  });
}

Napi::Value TngdWrap::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    Addon* addon = env.GetInstanceData<Addon>();
    DeviceRunArgs args;
    args.steps = argInteger(info[0], "steps", 0, int64_t{1} << 40);
    args.dt = static_cast<float>(argNumber(info[1], "dt"));
    args.damping = static_cast<float>(argNumber(info[2], "damping"));
    args.sigma = static_cast<float>(argNumber(info[3], "sigma"));
    auto y = argArray<float>(info[4], "y", device_->units());
    auto v = argArray<float>(info[5], "v", device_->units());
    requireDisjoint(y, "y", v, "v");
    args.y = y.Data(), args.v = v.Data();
    if (device_->rank() > 0 && args.sigma > 0) args.h = argArray<float>(info[6], "h", device_->rank()).Data();
    device_->run(args, kernels::denseKernels(addon->isa), kernels::langevinKernels(addon->isa).normals);
    return env.Undefined();
  });
}

Napi::Value TngdWrap::FoldNoise(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    auto h = argArray<float>(info[0], "h", device_->rank());
    auto jZeta = argArray<float>(info[1], "jZeta", device_->units());
    const double scale = argNumber(info[2], "scale");
    auto v = argArray<float>(info[3], "v", device_->units());
    device_->foldNoise(h.Data(), jZeta.Data(), scale, v.Data());
    return env.Undefined();
  });
}

}  // namespace heatbath::addon
