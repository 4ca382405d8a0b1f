#include "langevin_wrap.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "../core/seed.h"
#include "addon.h"
#include "chain_job.h"
#include "convert.h"
#include "dense_wrap.h"
#include "watched_call.h"

namespace heatbath::addon {

using namespace langevin_run;

namespace {

std::vector<float> argProtocol(const Napi::Value& value, const char* name) {
  auto array = argArray<float>(value, name);
  return std::vector<float>(array.Data(), array.Data() + array.ElementLength());
}

// (integrator, steps, dt, mobility, friction, kT, couplingScale, fieldScale, observe, every, burnIn,
// threads?) starting at info[first].
LangevinRunArgs parseRun(const Napi::CallbackInfo& info, size_t first) {
  LangevinRunArgs r;
  r.integrator = static_cast<Integrator>(argInteger(info[first], "integrator", 0, 2));
  r.steps = argInteger(info[first + 1], "steps", 0, kMaxSteps);
  r.dt = argNumber(info[first + 2], "dt");
  r.mobility = argNumber(info[first + 3], "mobility");
  r.friction = argNumber(info[first + 4], "friction");
  r.kT = argProtocol(info[first + 5], "kT");
  r.couplingScale = argProtocol(info[first + 6], "couplingScale");
  r.fieldScale = argProtocol(info[first + 7], "fieldScale");
  r.observe = static_cast<int>(argInteger(info[first + 8], "observe", 0, kObserveAll));
  r.every = argInteger(info[first + 9], "every", 1, kMaxSteps);
  r.burnIn = argInteger(info[first + 10], "burnIn", 0, kMaxSteps);
  r.threads = argThreads(info[first + 11]);
  return r;
}

struct TimedResult {
  LangevinRunResult result;
  double seconds = 0;
};

template <typename T>
Napi::Value optionalArray(Napi::Env env, std::vector<T>& values, bool present) {
  return present ? Napi::Value(toTypedArray(env, std::move(values))) : env.Undefined();
}

// The result array (langevin_run::Slot).
Napi::Value toJs(Napi::Env env, TimedResult&& timed, int observe) {
  LangevinRunResult& r = timed.result;
  Napi::Array out = Napi::Array::New(env, kSlots);
  out.Set(kTrajectory, optionalArray(env, r.trajectory, observe & kObserveTrajectory));
  out.Set(kVelocities, optionalArray(env, r.velocities, observe & kObserveVelocities));
  out.Set(kEnergy, optionalArray(env, r.energy, observe & kObserveEnergy));
  out.Set(kHeat, optionalArray(env, r.heat, observe & kObserveHeat));
  out.Set(kMean, optionalArray(env, r.mean, observe & kObserveMoments));
  out.Set(kMeanSquare, optionalArray(env, r.meanSquare, observe & kObserveMoments));
  out.Set(kSamples, Napi::Number::New(env, static_cast<double>(r.samples)));
  out.Set(kMomentSteps, Napi::Number::New(env, static_cast<double>(r.momentSteps)));
  out.Set(kSeconds, Napi::Number::New(env, timed.seconds));
  return out;
}

TimedResult timedRun(LangevinChains& chains, const LangevinRunArgs& args, kernels::Isa isa, ThreadPool& pool,
                     const CancelToken* cancel) {
  const auto start = std::chrono::steady_clock::now();
  TimedResult timed;
  timed.result = chains.run(args, kernels::denseKernels(isa), kernels::langevinKernels(isa), pool, cancel);
  timed.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return timed;
}

}  // namespace

Napi::Function LangevinWrap::Define(Napi::Env env) {
  return DefineClass(
      env, "LangevinChains",
      {InstanceMethod("setOnsite", &LangevinWrap::SetOnsite),
       InstanceMethod("clearCouplings", &LangevinWrap::ClearCouplings),
       InstanceMethod("addBlock", &LangevinWrap::AddBlock), InstanceMethod("setSparse", &LangevinWrap::SetSparse),
       InstanceMethod("setState", &LangevinWrap::SetState), InstanceMethod("setVelocity", &LangevinWrap::SetVelocity),
       InstanceMethod("setField", &LangevinWrap::SetField), InstanceMethod("setClamp", &LangevinWrap::SetClamp),
       InstanceMethod("run", &LangevinWrap::Run), InstanceMethod("runAsync", &LangevinWrap::RunAsync),
       InstanceMethod("readState", &LangevinWrap::ReadState),
       InstanceMethod("readVelocity", &LangevinWrap::ReadVelocity), InstanceMethod("energies", &LangevinWrap::Energies),
       InstanceMethod("dispose", &LangevinWrap::Dispose)});
}

LangevinWrap::LangevinWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<LangevinWrap>(info), NativeResource(info.Env()) {
  guarded(info.Env(), [&] {
    const int64_t units = argInteger(info[0], "numUnits", 1, kMaxLangevinUnits);
    const int64_t chains = argInteger(info[1], "numChains", 1, kMaxChains);
    chains_ = std::make_unique<LangevinChains>(units, chains, argUint64(info[2], "seed"));
    reportMemory(info.Env());
  });
}

LangevinChains& LangevinWrap::idleChains() {
  requireIdle();
  return *chains_;
}

int64_t LangevinWrap::heldBytes() const {
  return chains_ ? chains_->memoryBytes() : 0;
}

Napi::Value LangevinWrap::Dispose(const Napi::CallbackInfo& info) {
  dispose(info.Env());
  return info.Env().Undefined();
}

Napi::Value LangevinWrap::SetOnsite(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    LangevinChains& chains = idleChains();
    const int64_t n = chains.numUnits();
    auto a = argArray<float>(info[0], "quadratic", n);
    auto c = argArray<float>(info[1], "quartic", n);
    auto h = argArray<float>(info[2], "bias", n);
    auto mass = argArray<float>(info[3], "mass", n);
    chains.model().setOnsite(a.Data(), c.Data(), h.Data(), mass.Data());
    chains.invalidate();
    reportMemory(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value LangevinWrap::ClearCouplings(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    LangevinChains& chains = idleChains();
    chains.model().clearCouplings();
    chains.invalidate();
    reportMemory(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value LangevinWrap::AddBlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    // addBlock(rowStart, rows, colStart, cols, weights: rows x cols)
    LangevinChains& chains = idleChains();
    const int64_t n = chains.numUnits();
    const int64_t rowStart = argInteger(info[0], "rowStart", 0, n - 1), rows = argInteger(info[1], "rows", 1, n);
    const int64_t colStart = argInteger(info[2], "colStart", 0, n - 1), cols = argInteger(info[3], "cols", 1, n);
    auto weights = argArray<float>(info[4], "weights", rows * cols);
    Addon* addon = env.GetInstanceData<Addon>();
    runWatched(env, double(rows) * double(cols), [&](const CancelToken*) {
      chains.model().addBlock(rowStart, rows, colStart, cols, weights.Data(), addon->pool,
                              ThreadPool::hardwareThreads());
    });
    chains.invalidate();
    reportMemory(env);
    return env.Undefined();
  });
}

Napi::Value LangevinWrap::SetSparse(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    LangevinChains& chains = idleChains();
    auto rowPtr = argArray<int32_t>(info[0], "rowPtr", chains.numUnits() + 1);
    auto cols = argArray<int32_t>(info[1], "cols");
    auto values = argArray<float>(info[2], "values", static_cast<int64_t>(cols.ElementLength()));
    chains.model().setSparse(rowPtr.Data(), cols.Data(), values.Data(), static_cast<int64_t>(cols.ElementLength()));
    chains.invalidate();
    reportMemory(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value LangevinWrap::SetState(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    LangevinChains& chains = idleChains();
    chains.setState(argArray<float>(info[0], "states", chains.chains() * chains.numUnits()).Data());
    return info.Env().Undefined();
  });
}

Napi::Value LangevinWrap::SetVelocity(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    LangevinChains& chains = idleChains();
    chains.setVelocity(argArray<float>(info[0], "velocities", chains.chains() * chains.numUnits()).Data());
    return info.Env().Undefined();
  });
}

Napi::Value LangevinWrap::SetField(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    LangevinChains& chains = idleChains();
    if (info[0].IsUndefined()) {
      chains.setField(nullptr);
    } else {
      chains.setField(argArray<float>(info[0], "field", chains.chains() * chains.numUnits()).Data());
    }
    reportMemory(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value LangevinWrap::SetClamp(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    LangevinChains& chains = idleChains();
    auto nodes = argArray<int32_t>(info[0], "clamped units");
    const auto count = static_cast<int64_t>(nodes.ElementLength());
    auto values = argArray<float>(info[1], "clamped values", count * chains.chains());
    chains.setClamp(nodes.Data(), count, values.Data());
    reportMemory(info.Env());
    return info.Env().Undefined();
  });
}

Napi::Value LangevinWrap::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    LangevinChains& chains = idleChains();
    Addon* addon = env.GetInstanceData<Addon>();
    const LangevinRunArgs args = parseRun(info, 0);
    // Dense couplings cost up to N multiply-adds per unit and step (an over-estimate for sparse ones).
    const double n = double(chains.numUnits());
    const double work = double(args.steps) * double(chains.chains()) * n * (chains.model().hasCouplings() ? n : 1.0);
    TimedResult timed = runWatched(
        env, work, [&](const CancelToken* cancel) { return timedRun(chains, args, addon->isa, addon->pool, cancel); });
    reportMemory(env);
    return toJs(env, std::move(timed), args.observe);
  });
}

Napi::Value LangevinWrap::RunAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    // runAsync(cancel: CancelToken | undefined, ...the arguments of run)
    LangevinChains& chains = idleChains();
    std::shared_ptr<CancelToken> cancel = argCancelToken(env, info[0]);
    auto args = std::make_shared<LangevinRunArgs>(parseRun(info, 1));
    Addon* addon = env.GetInstanceData<Addon>();
    const kernels::Isa isa = addon->isa;
    const int observe = args->observe;
    return ChainJob<TimedResult>::queue(
        env, *this, Value(), cancel,
        [&chains, args, isa, addon](const CancelToken* cancel) {
          return timedRun(chains, *args, isa, addon->pool, cancel);
        },
        [observe](Napi::Env env, TimedResult&& timed) { return toJs(env, std::move(timed), observe); });
  });
}

// readState(out?): into `out` (chains x units) when given, so that callers reading often reuse one buffer.
Napi::Value LangevinWrap::ReadState(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] {
    std::vector<float> state = idleChains().state();
    if (info.Length() == 0 || info[0].IsUndefined())
      return Napi::Value(toTypedArray(info.Env(), std::move(state)));
    auto out = argArray<float>(info[0], "out", static_cast<int64_t>(state.size()));
    std::copy(state.begin(), state.end(), out.Data());
    return Napi::Value(out);
  });
}

Napi::Value LangevinWrap::ReadVelocity(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&] { return Napi::Value(toTypedArray(info.Env(), idleChains().velocity())); });
}

Napi::Value LangevinWrap::Energies(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    // energies(couplingScale, fieldScale): U of every chain's current state
    LangevinChains& chains = idleChains();
    Addon* addon = env.GetInstanceData<Addon>();
    const auto scale = static_cast<float>(argNumber(info[0], "couplingScale"));
    const auto fieldScale = static_cast<float>(argNumber(info[1], "fieldScale"));
    const kernels::DenseKernels dense = kernels::denseKernels(addon->isa);
    const kernels::LangevinKernels langevin = kernels::langevinKernels(addon->isa);
    const double n = double(chains.numUnits());
    std::vector<double> energies = runWatched(env, double(chains.chains()) * n * n, [&](const CancelToken*) {
      return chains.energies(scale, fieldScale, dense, langevin, addon->pool);
    });
    return Napi::Value(toTypedArray(env, std::move(energies)));
  });
}

Napi::Value RandomNormals(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    // randomNormals(out: Float32Array, seed, stream): fills out in place (no allocation to time)
    auto out = argArray<float>(info[0], "out");
    const uint64_t seed = argUint64(info[1], "seed"), stream = argUint64(info[2], "stream");
    kernels::RngLanes rng;
    const uint64_t streamSeed = deriveSeed(seed, "normals", stream);
    for (int lane = 0; lane < kernels::kLanes; ++lane)
      seedLane(rng, lane, streamSeed, lane);
    const kernels::NormalsFn normals = kernels::langevinKernels(env.GetInstanceData<Addon>()->isa).normals;
    const int64_t count = static_cast<int64_t>(out.ElementLength()), whole = count / 16;
    normals(rng, out.Data(), whole);
    if (count > whole * 16) {
      float tail[16];
      normals(rng, tail, 1);
      std::copy(tail, tail + (count - whole * 16), out.Data() + whole * 16);
    }
    return env.Undefined();
  });
}

}  // namespace heatbath::addon
