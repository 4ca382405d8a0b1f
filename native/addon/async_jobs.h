// Async jobs of one environment: each runs on the job runner and settles on the JS thread through
// one thread-safe function, which keeps the event loop alive while jobs are in flight. Unlike libuv
// async work, it does not hold the environment's teardown until the jobs end: the environment's
// cleanup hook (Addon) stops the runner, cancelling them, and jobs still undelivered are dropped
// without touching JS.
#pragma once
#include <napi.h>

#include <cstdint>
#include <memory>

#include "../core/cancel.h"
#include "job_runner.h"

namespace heatbath::addon {

class AsyncJob {
 public:
  virtual ~AsyncJob() = default;
  virtual void execute(const CancelToken* cancel) = 0;  // on the runner; catches its own errors
  virtual void settle(Napi::Env env) = 0;               // on the JS thread; may throw Napi::Error
  virtual void abandon() = 0;                           // the environment is gone: free without JS
};

class AsyncJobs {
 public:
  AsyncJobs(Napi::Env env, JobRunner& runner);
  AsyncJobs(const AsyncJobs&) = delete;
  AsyncJobs& operator=(const AsyncJobs&) = delete;

  // Takes ownership of `job`. Throws (and deletes it) if the runner has stopped.
  void start(Napi::Env env, AsyncJob* job, std::shared_ptr<CancelToken> cancel);

 private:
  static void deliver(napi_env env, napi_value, void* context, void* data);

  JobRunner& runner_;
  napi_threadsafe_function completions_ = nullptr;
  int64_t inFlight_ = 0;  // JS thread only
};

}  // namespace heatbath::addon
