// A cancellation flag shared between the addon (an AbortSignal listener, a disposed object, or a
// Node environment shutting down sets it) and a running job.
#pragma once
#include <atomic>

namespace heatbath {

struct CancelToken {
  std::atomic<bool> cancelled{false};
  bool isCancelled() const { return cancelled.load(std::memory_order_relaxed); }
};

// The job the calling thread is running: parallel regions it starts stop handing out tasks once
// the token is cancelled, so work split into many tasks stops between tasks without every
// engine polling. Scopes nest; the innermost token applies.
class CancelScope {
 public:
  explicit CancelScope(const CancelToken* token) : previous_(active_) { active_ = token; }
  ~CancelScope() { active_ = previous_; }
  CancelScope(const CancelScope&) = delete;
  CancelScope& operator=(const CancelScope&) = delete;

  static const CancelToken* active() { return active_; }

 private:
  const CancelToken* previous_;
  static inline thread_local const CancelToken* active_ = nullptr;
};

}  // namespace heatbath
