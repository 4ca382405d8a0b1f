// Allocation guards: refuse requests that cannot fit in the memory this process may use before
// touching them (Linux overcommit would otherwise let a huge request through and the OOM killer end
// the process). One owner for the limit: usableMemoryBytes(); every request sums all of its
// allocations and calls checkFits once, before allocating anything.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>

#include "error.h"

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace heatbath {

// The fraction of the memory the process can have that one request may use: room is left for
// the process's other data, V8's heap and the copies JS makes of results.
constexpr long double kUsableMemoryFraction = 0.75L;

// Physical memory, read once.
uint64_t physicalMemoryBytes();

// The smallest memory limit of the cgroups enclosing this process (cgroup v2 memory.max or v1
// memory.limit_in_bytes, from its own cgroup up to the root), or nothing when there is none.
// `procSelfCgroup` is the text of /proc/self/cgroup, `root` the cgroup mount (tests pass their own).
std::optional<uint64_t> cgroupMemoryLimit(const std::string& procSelfCgroup, const std::string& root);

// "1073741824", "512M", "4G", "64k": bytes with an optional binary suffix (K, M, G, T; case-insensitive).
// Throws ERR_INVALID_ARGUMENT naming `what` for anything else.
uint64_t parseByteSize(const std::string& text, const std::string& what);

// The bytes one request may use: HEATBATH_MEMORY_LIMIT when set, else kUsableMemoryFraction of
// min(physical memory, cgroup limit). Read once per process.
uint64_t usableMemoryBytes();

// Throws ERR_TOO_LARGE when `bytes` (the sum of all of a request's allocations) exceed usableMemoryBytes().
void checkFits(long double bytes, const std::string& what);

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

// Bytes allocateAligned<T>(count) takes.
template <typename T>
constexpr long double alignedBytes(long double count) {
  return count * sizeof(T) + 64;
}

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
    if (mapped == MAP_FAILED)
      throw Error("ERR_TOO_LARGE", "out of memory");
    return AlignedArray<T>(static_cast<T*>(mapped), AlignedFree{bytes});  // mapped pages read as zeros
  }
#endif
  void* p = std::aligned_alloc(64, bytes == 0 ? 64 : bytes);
  if (p == nullptr)
    throw Error("ERR_TOO_LARGE", "out of memory");
  std::memset(p, 0, bytes == 0 ? 64 : bytes);
  return AlignedArray<T>(static_cast<T*>(p));
}

}  // namespace heatbath
