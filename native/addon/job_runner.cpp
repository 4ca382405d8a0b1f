#include "job_runner.h"

#include "../core/error.h"

namespace heatbath::addon {

void JobRunner::submit(std::shared_ptr<CancelToken> token, Work work) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_)
      throw Error("ERR_ABORTED", "the environment is shutting down");
    queue_.emplace_back(std::move(token), std::move(work));
    if (!thread_.joinable())
      thread_ = std::thread([this] { loop(); });
  }
  wake_.notify_one();
}

void JobRunner::cancelAll() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& queued : queue_)
    queued.first->cancelled.store(true);
  if (running_)
    running_->cancelled.store(true);
}

bool JobRunner::idle() {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.empty() && !running_;
}

void JobRunner::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_)
      return;
    stopping_ = true;
  }
  cancelAll();
  wake_.notify_one();
  if (thread_.joinable())
    thread_.join();
}

void JobRunner::loop() {
  for (;;) {
    std::pair<std::shared_ptr<CancelToken>, Work> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty())
        return;  // stopping, and nothing left to report
      job = std::move(queue_.front());
      queue_.pop_front();
      if (stopping_)
        job.first->cancelled.store(true);
      running_ = job.first;
    }
    {
      CancelScope scope(job.first.get());
      job.second();  // jobs catch their own errors
    }
    std::lock_guard<std::mutex> lock(mutex_);
    running_.reset();
  }
}

}  // namespace heatbath::addon
