// A cancellation flag shared between the addon (an AbortSignal listener sets it) and a running job.
#pragma once
#include <atomic>

namespace heatbath {

struct CancelToken {
  std::atomic<bool> cancelled{false};
};

}  // namespace heatbath
