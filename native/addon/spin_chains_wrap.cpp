#include "spin_chains_wrap.h"

#include "../core/run_protocol.h"

namespace heatbath::addon {

using namespace gibbs_run;

// Positional arguments, because every named property lookup through N-API costs more than a
// small run: (warmup, samples, thin, beta: [program, table, first, total], observe: bitmask, threads?,
// pairA?, pairB?) starting at info[first]; observe bits and result slots in core/run_protocol.h.
RunRequest parseRunRequest(const Napi::CallbackInfo& info, size_t first) {
  auto arg = [&](size_t k) { return info[first + k]; };  // undefined past the end
  RunRequest r;
  r.schedule.warmup = argInteger(arg(0), "warmup", 0, kMaxSweeps);
  r.schedule.samples = argInteger(arg(1), "samples", 0, kMaxSweeps);
  r.schedule.thin = argInteger(arg(2), "thin", 1, kMaxSweeps);
  const int64_t total = totalSweeps(r.schedule.warmup, r.schedule.samples, r.schedule.thin);
  r.betas = argBetaSchedule(arg(3), total);
  const auto observe = argInteger(arg(4), "observe", 0, kObserveAll);
  r.observe.states = observe & kObserveStates;
  r.observe.moments = observe & kObserveMoments;
  r.observe.energy = observe & kObserveEnergy;
  r.observe.magnetization = observe & kObserveMagnetization;
  r.observe.chainMeans = observe & kObserveChainMeans;
  r.observe.meanFieldPairs = observe & kObserveMeanFieldPairs;
  r.threads = argThreads(arg(5));
  if (!arg(6).IsUndefined()) {
    auto a = argArray<int32_t>(arg(6), "pairA");
    auto b = argArray<int32_t>(arg(7), "pairB", static_cast<int64_t>(a.ElementLength()));
    r.observe.pairA.assign(a.Data(), a.Data() + a.ElementLength());
    r.observe.pairB.assign(b.Data(), b.Data() + b.ElementLength());
  }
  return r;
}

// The result array (gibbs_run::Slot); unobserved entries are undefined.
Napi::Array toJs(Napi::Env env, Observations&& obs, const Observe& observe) {
  Napi::Array out = Napi::Array::New(env, kSlots);
  if (observe.states)
    out.Set(kStates, toTypedArray(env, std::move(obs.states)));
  if (observe.moments) {
    out.Set(kMean, toTypedArray(env, std::move(obs.mean)));
    out.Set(kPairMean, toTypedArray(env, std::move(obs.pairMean)));
  }
  if (observe.energy)
    out.Set(kEnergy, toTypedArray(env, std::move(obs.energy)));
  if (observe.magnetization)
    out.Set(kMagnetization, toTypedArray(env, std::move(obs.magnetization)));
  out.Set(kSweeps, Napi::Number::New(env, static_cast<double>(obs.sweeps)));
  out.Set(kSeconds, Napi::Number::New(env, obs.seconds));
  if (observe.chainMeans)
    out.Set(kChainMeans, toTypedArray(env, std::move(obs.chainMeans)));
  if (observe.meanFieldPairs)
    out.Set(kPairMeanField, toTypedArray(env, std::move(obs.pairMeanField)));
  return out;
}

}  // namespace heatbath::addon
