// Long synchronous calls: the work runs on the environment's job runner while the JS thread waits
// and, every few milliseconds, asks Node-API whether this environment can still run JavaScript. A
// worker being terminated (or a process exiting) makes every Node-API call that may run JS fail from
// that moment on, while the JS thread is still inside our call: the job is then cancelled, and once it
// has stopped the call returns without touching JS values (EnvironmentStopping, see guarded()).
#pragma once
#include <napi.h>

#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>

#include "../core/cancel.h"
#include "addon.h"
#include "convert.h"

namespace heatbath::addon {

struct CallCompletion {
  std::mutex mutex;
  std::condition_variable done;
  bool finished = false;
  std::exception_ptr error;
};

// Waits for `completion`; if the environment stops meanwhile, cancels every job of the runner,
// waits for this one to stop and throws EnvironmentStopping.
void waitWatched(Napi::Env env, JobRunner& runner, CallCompletion& completion);

// Calls estimated below this many elementary operations (spin updates, multiply-adds) run inline on
// the JS thread when no job is ahead of them: handing work to the runner and back costs tens of
// microseconds, and a terminating worker waits at most about a millisecond for such a call.
constexpr double kInlineWork = double(1 << 20);

// Runs body(cancel) on the runner and returns its result (or rethrows its error) on the JS thread;
// `work` estimates its cost in elementary operations. body must not touch JS values; it may use
// memory that JS values on the caller's stack keep alive.
template <typename Body>
auto runWatched(Napi::Env env, double work, Body&& body) -> decltype(body(static_cast<const CancelToken*>(nullptr))) {
  using Result = decltype(body(static_cast<const CancelToken*>(nullptr)));
  Addon* addon = env.GetInstanceData<Addon>();
  if (work < kInlineWork && addon->runner.idle())
    return body(nullptr);
  auto token = std::make_shared<CancelToken>();
  auto completion = std::make_shared<CallCompletion>();
  std::conditional_t<std::is_void_v<Result>, bool, std::optional<Result>> result{};
  addon->runner.submit(token, [&body, &result, token, completion] {
    std::exception_ptr error;
    try {
      if constexpr (std::is_void_v<Result>) {
        body(token.get());
      } else {
        result.emplace(body(token.get()));
      }
    } catch (...) {
      error = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(completion->mutex);
      completion->error = error;
      completion->finished = true;
    }
    completion->done.notify_one();
  });
  waitWatched(env, addon->runner, *completion);
  if (completion->error)
    std::rethrow_exception(completion->error);
  if constexpr (!std::is_void_v<Result>)
    return std::move(*result);
}

}  // namespace heatbath::addon
