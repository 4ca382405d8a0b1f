#include "native_resource.h"

#include "../core/error.h"

namespace heatbath::addon {

NativeResource::~NativeResource() {
  // Runs from the garbage collector's finalizer or the environment's teardown: no JS, only the count.
  int64_t ignored = 0;
  if (reported_ != 0)
    napi_adjust_external_memory(env_, -reported_, &ignored);
}

void NativeResource::dispose(Napi::Env env) {
  if (disposed_)
    return;
  disposed_ = true;
  if (busy_) {
    job_->cancelled.store(true);  // freed in jobFinished
    return;
  }
  release();
  adjust(env, 0);
}

void NativeResource::jobStarted(std::shared_ptr<CancelToken> cancel) {
  busy_ = true;
  job_ = std::move(cancel);
}

void NativeResource::jobFinished(Napi::Env env) {
  busy_ = false;
  job_.reset();
  if (disposed_)
    release();
  reportMemory(env);
}

void NativeResource::reportMemory(Napi::Env env) {
  adjust(env, disposed_ ? 0 : heldBytes());
}

void NativeResource::requireIdle() const {
  if (disposed_)
    throw Error("ERR_DISPOSED", "this object was disposed; create a new one");
  if (busy_)
    throw Error("ERR_BUSY", "this object is running an async job; await it first");
}

void NativeResource::adjust(Napi::Env env, int64_t bytes) {
  if (bytes == reported_)
    return;
  Napi::MemoryManagement::AdjustExternalMemory(env, bytes - reported_);
  reported_ = bytes;
}

}  // namespace heatbath::addon
