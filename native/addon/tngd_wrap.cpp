#include "tngd_wrap.h"

#include "addon.h"
#include "convert.h"
#include "dense_wrap.h"
#include "watched_call.h"

namespace heatbath::addon {

Napi::Function TngdWrap::Define(Napi::Env env) {
  return DefineClass(
      env, "TngdDevice",
      {InstanceMethod("load", &TngdWrap::Load), InstanceMethod("run", &TngdWrap::Run),
       InstanceMethod("foldNoise", &TngdWrap::FoldNoise), InstanceMethod("dispose", &TngdWrap::Dispose)});
}

TngdWrap::TngdWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TngdWrap>(info), NativeResource(info.Env()) {
  guarded(info.Env(), [&] {
    device_ = std::make_unique<TngdDevice>(argUint64(info[0], "seed"));
    reportMemory(info.Env());
  });
}

TngdDevice& TngdWrap::device() {
  requireIdle();
  return *device_;
}

Napi::Value TngdWrap::Dispose(const Napi::CallbackInfo& info) {
  dispose(info.Env());
  return info.Env().Undefined();
}

Napi::Value TngdWrap::Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    Addon* addon = env.GetInstanceData<Addon>();
    TngdDevice& device = this->device();
    DeviceModel model;
    model.batch = argInteger(info[0], "batch", 1, kMaxTngdUnits);
    model.classes = argInteger(info[1], "classes", 1, kMaxTngdUnits);
    const int64_t m = model.batch * model.classes;
    if (m > kMaxTngdUnits)
      throw invalidArgument("batch x classes must be at most " + std::to_string(kMaxTngdUnits));
    auto gram = argArray<float>(info[2], "gram", m * m);
    auto probs = argArray<float>(info[3], "probs", m);
    model.curvatureScale = static_cast<float>(argNumber(info[4], "curvatureScale"));
    auto gradient = argArray<float>(info[5], "gradient", m);
    if (!info[6].IsBoolean())
      throw invalidArgument("noisy must be a boolean");
    model.noisy = info[6].As<Napi::Boolean>().Value();
    model.gram = gram.Data(), model.probs = probs.Data(), model.gradient = gradient.Data();
    const kernels::DenseKernels dense = kernels::denseKernels(addon->isa);
    const double m2 = double(m) * double(m);
    const double largest = runWatched(env, model.noisy ? m2 * double(m) : m2,
                                      [&](const CancelToken*) { return device.load(model, dense); });
    reportMemory(env);
    Napi::Object out = Napi::Object::New(env);
    out.Set("largestCurvature", largest);
    out.Set("rank", static_cast<double>(device.rank()));
    return out;
  });
}

Napi::Value TngdWrap::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    Addon* addon = env.GetInstanceData<Addon>();
    TngdDevice& device = this->device();
    DeviceRunArgs args;
    args.steps = argInteger(info[0], "steps", 0, kMaxSteps);
    args.dt = static_cast<float>(argNumber(info[1], "dt"));
    args.damping = static_cast<float>(argNumber(info[2], "damping"));
    args.sigma = static_cast<float>(argNumber(info[3], "sigma"));
    auto y = argArray<float>(info[4], "y", device.units());
    auto v = argArray<float>(info[5], "v", device.units());
    requireDisjoint(y, "y", v, "v");
    args.y = y.Data(), args.v = v.Data();
    if (device.rank() > 0 && args.sigma > 0)
      args.h = argArray<float>(info[6], "h", device.rank()).Data();
    const kernels::DenseKernels dense = kernels::denseKernels(addon->isa);
    const kernels::NormalsFn normals = kernels::langevinKernels(addon->isa).normals;
    const double units = double(device.units());
    runWatched(env, double(args.steps) * units * units, [&](const CancelToken*) { device.run(args, dense, normals); });
    return env.Undefined();
  });
}

Napi::Value TngdWrap::FoldNoise(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    TngdDevice& device = this->device();
    auto h = argArray<float>(info[0], "h", device.rank());
    auto jZeta = argArray<float>(info[1], "jZeta", device.units());
    const double scale = argNumber(info[2], "scale");
    auto v = argArray<float>(info[3], "v", device.units());
    device.foldNoise(h.Data(), jZeta.Data(), scale, v.Data());
    return env.Undefined();
  });
}

}  // namespace heatbath::addon
