#include "async_jobs.h"

namespace heatbath::addon {

AsyncJobs::AsyncJobs(Napi::Env env, JobRunner& runner) : runner_(runner) {
  napi_value name = Napi::String::New(env, "heatbath:job");
  NAPI_THROW_IF_FAILED_VOID(env, napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, nullptr, nullptr,
                                                                 this, deliver, &completions_));
  NAPI_THROW_IF_FAILED_VOID(env, napi_unref_threadsafe_function(env, completions_));
}

void AsyncJobs::start(Napi::Env env, AsyncJob* job, std::shared_ptr<CancelToken> cancel) {
  if (inFlight_++ == 0)
    napi_ref_threadsafe_function(env, completions_);
  try {
    napi_threadsafe_function completions = completions_;
    runner_.submit(cancel, [job, cancel, completions] {
      job->execute(cancel.get());
      // Fails only once the environment is closing the function: nobody is left to settle the job.
      if (napi_call_threadsafe_function(completions, job, napi_tsfn_blocking) != napi_ok)
        job->abandon();
    });
  } catch (...) {
    if (--inFlight_ == 0)
      napi_unref_threadsafe_function(env, completions_);
    delete job;
    throw;
  }
}

void AsyncJobs::deliver(napi_env env, napi_value, void* context, void* data) {
  auto* job = static_cast<AsyncJob*>(data);
  if (env == nullptr) {  // the function is being finalised with the environment
    job->abandon();
    return;
  }
  auto* self = static_cast<AsyncJobs*>(context);
  if (--self->inFlight_ == 0)
    napi_unref_threadsafe_function(env, self->completions_);
  try {
    job->settle(Napi::Env(env));
  } catch (...) {
    // Settling fails only when the environment can no longer run JS (or memory ran out converting the
    // result): there is nobody to tell, and an exception must not leave this C callback.
  }
  delete job;
}

}  // namespace heatbath::addon
