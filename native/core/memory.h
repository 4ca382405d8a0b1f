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
#include <sys/mman.h>
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

// Bytes held by vectors (their capacity), for the memory the addon reports to the JS engine.
template <typename... Vectors>
int64_t vectorBytes(const Vectors&... vectors) {
  return (int64_t{0} + ... + static_cast<int64_t>(vectors.capacity() * sizeof(typename Vectors::value_type)));
}

struct AlignedFree {
  size_t mappedBytes = 0;  // nonzero: the block came from mmap
  void operator()(void* p) const {
#if defined(__unix__) || defined(__APPLE__)
    if (mappedBytes != 0) {
      munmap(p, mappedBytes);
      return;
    }
#endif
    std::free(p);
  }
};

template <typename T>
using AlignedArray = std::unique_ptr<T[], AlignedFree>;

// Zero-initialised, 64-byte aligned array of `count` T. Large blocks (chain stores, packed weights)
// are mapped directly, so freeing them returns the memory to the system at once: from malloc, whose
// mmap threshold grows with the blocks freed, a loop of allocations can leave RSS at many times what
// is live.
template <typename T>
AlignedArray<T> allocateAligned(size_t count) {
  const size_t bytes = ((count * sizeof(T) + 63) / 64) * 64;
#if defined(__unix__) || defined(__APPLE__)
  constexpr size_t kMapFrom = size_t{1} << 20;
  if (bytes >= kMapFrom) {
    void* mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw Error("ERR_TOO_LARGE", "out of memory");
    return AlignedArray<T>(static_cast<T*>(mapped), AlignedFree{bytes});  // mapped pages read as zeros
  }
#endif
  void* p = std::aligned_alloc(64, bytes == 0 ? 64 : bytes);
  if (p == nullptr) throw Error("ERR_TOO_LARGE", "out of memory");
  std::memset(p, 0, bytes == 0 ? 64 : bytes);
  return AlignedArray<T>(static_cast<T*>(p));
}

}  // namespace heatbath
