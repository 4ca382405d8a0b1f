#include "memory.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <sstream>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <unistd.h>
#endif

namespace heatbath {

namespace {

// Plain POSIX reads: the limit files are tiny, and iostreams would pull newer libc symbols into the
// portable build (native/portable/glibc_floor.cpp).
std::optional<std::string> readFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return std::nullopt;
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) != 0;) {
    if (n < 0) {
      if (errno == EINTR)
        continue;
      close(fd);
      return std::nullopt;
    }
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > (size_t{1} << 20))
      break;  // a cgroup file is a line: never read a huge one whole
  }
  close(fd);
  return text;
}

// A limit file's value: a byte count, or nothing for "max" (v2) or v1's "no limit" (a value near 2^63).
std::optional<uint64_t> limitValue(const std::string& text) {
  const size_t end = text.find_last_not_of(" \n\r\t");
  if (end == std::string::npos)
    return std::nullopt;
  const std::string value = text.substr(0, end + 1);
  if (value.empty() || !std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return std::nullopt;
  }
  const unsigned long long bytes = std::strtoull(value.c_str(), nullptr, 10);
  if (bytes >= (uint64_t{1} << 62))
    return std::nullopt;
  return static_cast<uint64_t>(bytes);
}

// The smallest limit in `file` of the directories from root/path up to root.
std::optional<uint64_t> smallestLimitOnPath(const std::string& root, std::string path, const std::string& file) {
  std::optional<uint64_t> smallest;
  for (;;) {
    while (path.size() > 1 && path.back() == '/')
      path.pop_back();
    const std::string dir = path == "/" || path.empty() ? root : root + path;
    if (auto text = readFile(dir + "/" + file)) {
      if (auto bytes = limitValue(*text))
        smallest = smallest ? std::min(*smallest, *bytes) : *bytes;
    }
    if (path.empty() || path == "/")
      break;
    const size_t slash = path.find_last_of('/');
    path = slash == std::string::npos ? "" : path.substr(0, slash);
    if (path.empty())
      path = "/";
  }
  return smallest;
}

}  // namespace

uint64_t physicalMemoryBytes() {
  static const uint64_t bytes = [] {
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
    const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
    if (pages > 0 && pageSize > 0)
      return static_cast<uint64_t>(pages) * static_cast<uint64_t>(pageSize);
#endif
    return uint64_t{16} << 30;
  }();
  return bytes;
}

std::optional<uint64_t> cgroupMemoryLimit(const std::string& procSelfCgroup, const std::string& root) {
  // Lines are "id:controllers:path": v2 is "0::/path" (mounted at root), v1's memory controller
  // "N:memory:/path" (mounted at root/memory, sometimes with other controllers, e.g. "memory,cpu").
  std::optional<uint64_t> smallest;
  auto consider = [&](std::optional<uint64_t> bytes) {
    if (bytes)
      smallest = smallest ? std::min(*smallest, *bytes) : *bytes;
  };
  std::istringstream lines(procSelfCgroup);
  for (std::string line; std::getline(lines, line);) {
    const size_t first = line.find(':'), second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos)
      continue;
    const std::string controllers = line.substr(first + 1, second - first - 1), path = line.substr(second + 1);
    if (controllers.empty()) {
      consider(smallestLimitOnPath(root, path, "memory.max"));
    } else {
      std::istringstream names(controllers);
      for (std::string name; std::getline(names, name, ',');) {
        if (name == "memory")
          consider(smallestLimitOnPath(root + "/memory", path, "memory.limit_in_bytes"));
      }
    }
  }
  return smallest;
}

uint64_t parseByteSize(const std::string& text, const std::string& what) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])))
    ++digits;
  const std::string suffix = text.substr(digits);
  int shift = -1;
  if (suffix.empty())
    shift = 0;
  else if (suffix.size() == 1) {
    switch (std::toupper(static_cast<unsigned char>(suffix[0]))) {
      case 'K':
        shift = 10;
        break;
      case 'M':
        shift = 20;
        break;
      case 'G':
        shift = 30;
        break;
      case 'T':
        shift = 40;
        break;
      default:
        break;
    }
  }
  if (digits == 0 || digits > 15 || shift < 0) {
    throw invalidArgument(what + " must be a byte count with an optional K, M, G or T suffix (e.g. 512M), got '" +
                          text + "'");
  }
  const uint64_t value = std::strtoull(text.substr(0, digits).c_str(), nullptr, 10);
  if (value == 0 || value > (uint64_t{1} << (62 - shift)))
    throw invalidArgument(what + " is out of range: '" + text + "'");
  return value << shift;
}

uint64_t usableMemoryBytes() {
  static const uint64_t bytes = [] {
    if (const char* limit = std::getenv("HEATBATH_MEMORY_LIMIT"); limit != nullptr && *limit != '\0') {
      return parseByteSize(limit, "HEATBATH_MEMORY_LIMIT");
    }
    uint64_t available = physicalMemoryBytes();
    if (auto cgroup = readFile("/proc/self/cgroup")) {
      if (auto limit = cgroupMemoryLimit(*cgroup, "/sys/fs/cgroup"))
        available = std::min(available, *limit);
    }
    return static_cast<uint64_t>(static_cast<long double>(available) * kUsableMemoryFraction);
  }();
  return bytes;
}

void checkFits(long double bytes, const std::string& what) {
  const long double limit = static_cast<long double>(usableMemoryBytes());
  if (!(bytes <= limit)) {
    throw Error("ERR_TOO_LARGE", what + " needs " + std::to_string(static_cast<double>(bytes) / 1e9) +
                                     " GB, more than the " + std::to_string(static_cast<double>(limit) / 1e9) +
                                     " GB one request may use (3/4 of the memory this process can have; "
                                     "HEATBATH_MEMORY_LIMIT overrides)");
  }
}

}  // namespace heatbath
