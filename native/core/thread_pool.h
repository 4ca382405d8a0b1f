// A small fork-join pool owned by one addon instance (one per Node environment, so
// worker_threads each get their own). The calling thread takes part as worker 0.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "cancel.h"

namespace heatbath {

class ThreadPool {
 public:
  using Task = std::function<void(int64_t task, int worker)>;

  ThreadPool() = default;
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Runs task(t, w) for every t in [0, numTasks) on at most `threads` workers and returns when
  // all are done. `w` < threads identifies the worker (for per-worker scratch). The first
  // exception thrown by a task is rethrown here. Regions from different callers run one at a time.
  // Once the calling thread's CancelScope token is cancelled no further task starts; returns
  // whether every task ran.
  bool parallelFor(int64_t numTasks, int threads, const Task& task);

  static int hardwareThreads();

 private:
  void ensureWorkers(int count);
  void workerLoop(int worker);
  void runTasks(int worker);

  std::mutex regionMutex_;  // serialises parallel regions
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;  // worker w + 1 runs in workers_[w]
  const Task* task_ = nullptr;
  const CancelToken* cancel_ = nullptr;  // of the current region's caller
  int64_t numTasks_ = 0;
  std::atomic<int64_t> nextTask_{0};
  std::atomic<bool> skipped_{false};  // a task was not run because the region was cancelled
  int participants_ = 0;              // helper workers in the current region
  int finished_ = 0;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
};

}  // namespace heatbath
