#include "watched_call.h"

#include <chrono>

namespace heatbath::addon {

namespace {

// True while the environment can run JS. napi_strict_equals goes through Node-API's preamble, which
// fails once the environment is stopping (Worker::StopThread and process exit set that flag from any
// thread); the comparison itself runs no JS.
bool environmentAlive(Napi::Env env) {
  napi_value undefined = nullptr;
  bool equal = false;
  if (napi_get_undefined(env, &undefined) != napi_ok)
    return false;
  return napi_strict_equals(env, undefined, undefined, &equal) == napi_ok;
}

}  // namespace

void waitWatched(Napi::Env env, JobRunner& runner, CallCompletion& completion) {
  constexpr auto kPoll = std::chrono::milliseconds(5);
  std::unique_lock<std::mutex> lock(completion.mutex);
  while (!completion.done.wait_for(lock, kPoll, [&] { return completion.finished; })) {
    lock.unlock();
    const bool alive = environmentAlive(env);
    lock.lock();
    if (!alive) {
      lock.unlock();
      runner.cancelAll();
      lock.lock();
      completion.done.wait(lock, [&] { return completion.finished; });
      throw EnvironmentStopping();
    }
  }
}

}  // namespace heatbath::addon
