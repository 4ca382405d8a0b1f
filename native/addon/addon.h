// Per-environment state of the addon (one instance per Node environment, so every
// worker_thread has its own pool and SIMD choice): no process-global mutable state.
#pragma once
#include <napi.h>

#include "../core/engines.h"
#include "../core/thread_pool.h"
#include "async_jobs.h"
#include "job_runner.h"

namespace heatbath::addon {

class Addon : public Napi::Addon<Addon> {
 public:
  Addon(Napi::Env env, Napi::Object exports);
  ~Addon();

  ThreadPool pool;
  // Runs async jobs and long synchronous calls off the JS thread (declared after the pool it uses).
  JobRunner runner;
  AsyncJobs jobs;
  kernels::Isa isa;
  // Scratch of the synchronous dense calls (they run one at a time, on the runner).
  GemmWorkspace gemmWorkspace;
  ConditionalWorkspace conditionalWorkspace;
  Napi::FunctionReference graphConstructor;
  Napi::FunctionReference cancelConstructor;

 private:
  Napi::Object describe(Napi::Env env);
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value SetSimd(const Napi::CallbackInfo& info);
  // The environment is shutting down: cancel its jobs and wait for them to stop (a few milliseconds).
  static void stopJobs(void* addon);

  napi_env env_;
};

Napi::Value DeriveSeed(const Napi::CallbackInfo& info);

}  // namespace heatbath::addon
