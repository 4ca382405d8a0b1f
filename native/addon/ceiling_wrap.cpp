#include "ceiling_wrap.h"

#include <chrono>
#include <vector>

#include "addon.h"
#include "convert.h"

namespace heatbath::addon {

namespace {

using Clock = std::chrono::steady_clock;

double nanosecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::nano>(Clock::now() - start).count();
}

}  // namespace

Napi::Value MeasureCeiling(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&] {
    Addon* addon = env.GetInstanceData<Addon>();
    int threads = ThreadPool::hardwareThreads();
    double seconds = 0.3;
    if (info.Length() > 0 && !info[0].IsUndefined()) {
      Napi::Object options = argObject(info, 0, "options");
      if (options.Has("threads"))
        threads = argThreads(options.Get("threads"));
      if (options.Has("seconds") && !options.Get("seconds").IsUndefined()) {
        seconds = argNumber(options.Get("seconds"), "seconds");
        if (seconds <= 0 || seconds > 60)
          throw invalidArgument("seconds must be in (0, 60]");
      }
    }
    const kernels::MultiplyAddLoopFn loop = kernels::multiplyAddLoop(addon->isa);
    // Calibrate on this thread, then give every thread the same number of rounds for ~`seconds`.
    int64_t rounds = 1 << 14;
    for (;;) {
      const auto start = Clock::now();
      loop(rounds);
      const double ns = nanosecondsSince(start);
      if (ns > 2e6) {
        rounds = static_cast<int64_t>(rounds * seconds * 1e9 / ns) + 1;
        break;
      }
      rounds *= 4;
    }
    std::vector<int64_t> counts(threads, 0);
    const auto start = Clock::now();
    addon->pool.parallelFor(threads, threads, [&](int64_t task, int) { counts[task] = loop(rounds); });
    const double ns = nanosecondsSince(start);
    double total = 0;
    for (int64_t c : counts)
      total += static_cast<double>(c);
    Napi::Object out = Napi::Object::New(env);
    out.Set("fmaPerNs", total / ns);
    out.Set("threads", threads);
    out.Set("simd", kernels::isaName(addon->isa));
    return Napi::Value(out);
  });
}

}  // namespace heatbath::addon
