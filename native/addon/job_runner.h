// The thread that runs an environment's native jobs, async runs and long synchronous calls alike,
// one at a time in arrival order (they share the environment's core pool, which serialises them
// anyway). Running off the JS thread and off libuv's pool is what lets a job be cancelled when its
// environment shuts down: libuv's pool is joined at process exit and an async work item holds a
// worker's teardown until it ends, while this thread can be told to stop.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "../core/cancel.h"

namespace heatbath::addon {

class JobRunner {
 public:
  using Work = std::function<void()>;

  JobRunner() = default;
  ~JobRunner() { stop(); }
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Queues `work`; it runs inside a CancelScope of `token` (so the pool regions it starts stop when
  // the token is cancelled). Throws ERR_ABORTED once the runner has stopped.
  void submit(std::shared_ptr<CancelToken> token, Work work);
  // Cancels every queued and running job; they still run (seeing the cancelled token) and report back.
  void cancelAll();
  // No job queued or running. Only the JS thread submits, so an idle runner stays idle until it does.
  bool idle();
  // Cancels everything, lets the queue drain (each job ends within a few milliseconds of compute once
  // cancelled) and joins the thread. Called when the environment shuts down.
  void stop();

 private:
  void loop();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<std::shared_ptr<CancelToken>, Work>> queue_;
  std::shared_ptr<CancelToken> running_;
  bool stopping_ = false;
  std::thread thread_;  // started by the first job
};

}  // namespace heatbath::addon
