// Allocation guards: refuse requests that cannot fit in physical memory before touching them
// (Linux overcommit would otherwise let a huge request through and the OOM killer end the process).
#pragma once
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "error.h"

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace heatbath {

// Read once per process (sysconf walks kernel tables); an immutable value, safe to share.
inline uint64_t physicalMemoryBytes() {
  static const uint64_t bytes = [] {
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
    const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
    if (pages > 0 && pageSize > 0) return static_cast<uint64_t>(pages) * static_cast<uint64_t>(pageSize);
#endif
    return uint64_t{16} << 30;
  }();
  return bytes;
}

// Throws ERR_TOO_LARGE when `bytes` would exceed 3/4 of physical memory.
inline void checkFits(long double bytes, const std::string& what) {
  const long double limit = static_cast<long double>(physicalMemoryBytes()) * 0.75L;
  if (bytes > limit) {
    throw Error("ERR_TOO_LARGE", what + " needs " + std::to_string(static_cast<double>(bytes) / 1e9) +
                                     " GB, more than this machine can hold (" +
                                     std::to_string(static_cast<double>(limit) / 1e9) + " GB usable)");
  }
}

struct AlignedFree {
  void operator()(void* p) const { std::free(p); }
};

template <typename T>
using AlignedArray = std::unique_ptr<T[], AlignedFree>;

// Zero-initialised, 64-byte aligned array of `count` T.
template <typename T>
AlignedArray<T> allocateAligned(size_t count) {
  const size_t bytes = ((count * sizeof(T) + 63) / 64) * 64;
  void* p = std::aligned_alloc(64, bytes == 0 ? 64 : bytes);
  if (p == nullptr) throw Error("ERR_TOO_LARGE", "out of memory");
  std::memset(p, 0, bytes == 0 ? 64 : bytes);
  return AlignedArray<T>(static_cast<T*>(p));
}

}  // namespace heatbath
