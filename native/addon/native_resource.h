// What every JS handle on native memory shares: the bytes it holds are reported to V8 (so garbage
// collection knows what a handle costs), dispose() frees them at once, and an async job marks it busy.
//
// dispose() while an async job runs cancels the job (its Promise rejects with ERR_ABORTED) and frees
// the memory as soon as the job has stopped, within milliseconds; the handle refuses use from the
// moment dispose() is called. Disposing twice does nothing.
#pragma once
#include <napi.h>

#include <cstdint>
#include <memory>

#include "../core/cancel.h"

namespace heatbath::addon {

class NativeResource {
 public:
  virtual ~NativeResource();
  NativeResource(const NativeResource&) = delete;
  NativeResource& operator=(const NativeResource&) = delete;

  void dispose(Napi::Env env);
  bool disposed() const { return disposed_; }
  // An async job owns the object from jobStarted until jobFinished (on the JS thread, as it settles).
  void jobStarted(std::shared_ptr<CancelToken> cancel);
  void jobFinished(Napi::Env env);
  // Tells V8 how many bytes the object holds now (call after anything that may change it).
  void reportMemory(Napi::Env env);

 protected:
  explicit NativeResource(Napi::Env env) : env_(env) {}
  // Throws ERR_DISPOSED after dispose(), ERR_BUSY while an async job owns the object.
  void requireIdle() const;
  virtual int64_t heldBytes() const = 0;
  virtual void release() = 0;  // frees the native object

 private:
  void adjust(Napi::Env env, int64_t bytes);

  napi_env env_;
  int64_t reported_ = 0;
  bool busy_ = false;
  bool disposed_ = false;
  std::shared_ptr<CancelToken> job_;  // of the running async job
};

}  // namespace heatbath::addon
