#include "thread_pool.h"

#include <algorithm>

namespace heatbath {

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_)
    t.join();
}

int ThreadPool::hardwareThreads() {
  // Read once per process: glibc answers hardware_concurrency() by reading sysfs every time.
  static const int threads = [] {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
  }();
  return threads;
}

void ThreadPool::ensureWorkers(int count) {
  while (static_cast<int>(workers_.size()) < count) {
    const int worker = static_cast<int>(workers_.size()) + 1;
    workers_.emplace_back([this, worker] { workerLoop(worker); });
  }
}

void ThreadPool::runTasks(int worker) {
  for (;;) {
    const int64_t t = nextTask_.fetch_add(1, std::memory_order_relaxed);
    if (t >= numTasks_)
      return;
    if (cancel_ != nullptr && cancel_->isCancelled()) {
      skipped_.store(true, std::memory_order_relaxed);
      return;
    }
    try {
      (*task_)(t, worker);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_)
        error_ = std::current_exception();
      nextTask_.store(numTasks_, std::memory_order_relaxed);  // stop handing out work
    }
  }
}

void ThreadPool::workerLoop(int worker) {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_)
        return;
      seen = generation_;
      if (worker > participants_)
        continue;  // not needed in this region
    }
    runTasks(worker);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++finished_;
    }
    done_.notify_one();
  }
}

bool ThreadPool::parallelFor(int64_t numTasks, int threads, const Task& task) {
  if (numTasks <= 0)
    return true;
  const int helpers = static_cast<int>(std::min<int64_t>(std::max(threads, 1), numTasks)) - 1;
  const CancelToken* cancel = CancelScope::active();
  std::lock_guard<std::mutex> region(regionMutex_);
  if (helpers == 0) {
    for (int64_t t = 0; t < numTasks; ++t) {
      if (cancel != nullptr && cancel->isCancelled())
        return false;
      task(t, 0);
    }
    return true;
  }
  ensureWorkers(helpers);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = &task;
    cancel_ = cancel;
    skipped_.store(false, std::memory_order_relaxed);
    numTasks_ = numTasks;
    nextTask_.store(0, std::memory_order_relaxed);
    participants_ = helpers;
    finished_ = 0;
    error_ = nullptr;
    ++generation_;
  }
  wake_.notify_all();
  runTasks(0);
  std::exception_ptr error;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return finished_ == participants_; });
    error = error_;
    task_ = nullptr;
    cancel_ = nullptr;
  }
  if (error)
    std::rethrow_exception(error);
  return !skipped_.load(std::memory_order_relaxed);
}

}  // namespace heatbath
