// Tests of the memory budget (core/memory).
#include "fixtures.h"

namespace {

void writeFile(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

void testByteSizes() {
  std::printf("byte sizes\n");
  CHECK(parseByteSize("1234", "x") == 1234);
  CHECK(parseByteSize("64k", "x") == 64u << 10);
  CHECK(parseByteSize("600M", "x") == 600ull << 20);
  CHECK(parseByteSize("3G", "x") == 3ull << 30);
  CHECK(parseByteSize("2T", "x") == 2ull << 40);
  CHECK_THROWS("ERR_INVALID_ARGUMENT", parseByteSize("", "x"));
  CHECK_THROWS("ERR_INVALID_ARGUMENT", parseByteSize("12 GB", "x"));
  CHECK_THROWS("ERR_INVALID_ARGUMENT", parseByteSize("-5", "x"));
  CHECK_THROWS("ERR_INVALID_ARGUMENT", parseByteSize("0", "x"));
  CHECK_THROWS("ERR_INVALID_ARGUMENT", parseByteSize("99999999999999T", "x"));
}

void testCgroupLimits() {
  std::printf("cgroup limits\n");
  const auto root = std::filesystem::temp_directory_path() / ("heatbath-cgroup-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  // v2: the process's cgroup has no limit ("max"), its parent 3 GiB, the root none.
  writeFile(root / "v2/app/job/memory.max", "max\n");
  writeFile(root / "v2/app/memory.max", "3221225472\n");
  auto v2 = cgroupMemoryLimit("0::/app/job\n", (root / "v2").string());
  CHECK(v2.has_value() && *v2 == 3221225472ull);
  CHECK(!cgroupMemoryLimit("0::/\n", (root / "v2").string()).has_value());
  // v1: the memory controller (listed with another) under root/memory, v1's "unlimited" value ignored.
  writeFile(root / "v1/memory/memory.limit_in_bytes", "9223372036854771712\n");
  writeFile(root / "v1/memory/box/memory.limit_in_bytes", "1073741824\n");
  auto v1 = cgroupMemoryLimit("5:cpu:/other\n4:memory,cpuacct:/box\n", (root / "v1").string());
  CHECK(v1.has_value() && *v1 == 1073741824ull);
  CHECK(!cgroupMemoryLimit("4:memory:/\n", (root / "v1").string()).has_value());
  CHECK(!cgroupMemoryLimit("garbage", (root / "v1").string()).has_value());
  std::filesystem::remove_all(root);
  // The process's own budget: at most 3/4 of physical memory unless overridden.
  if (std::getenv("HEATBATH_MEMORY_LIMIT") == nullptr) {
    CHECK(usableMemoryBytes() <= physicalMemoryBytes() * 3 / 4 + 1);
  }
  CHECK(usableMemoryBytes() > 0);
}

SparseGraph triangle() {
  const int32_t src[] = {0, 1, 0}, dst[] = {1, 2, 2};
  SparseGraph g = buildGraph(3, src, dst, 3);
  colourGraph(g, ColouringMethod::Dsatur);
  return g;
}

void testWholeRequests() {
  std::printf("whole requests\n");
  auto g = std::make_shared<const SparseGraph>(triangle());
  // 2^30 chains of 3 nodes: 12 bytes of spins and 16 of random state per chain, all counted.
  const long double bytes = GibbsChains::footprint(*g, int64_t{1} << 30);
  CHECK(bytes >= 28.0L * (int64_t{1} << 30));
  CHECK(GibbsChains::footprint(*g, 8) < 4096);
  if (bytes > usableMemoryBytes())
    CHECK_THROWS("ERR_TOO_LARGE", GibbsChains(g, int64_t{1} << 30, 1));
  CHECK(graphFootprint(1000000000, 0) > 1.0e10L);
  const int32_t none[] = {0};
  CHECK_THROWS("ERR_TOO_LARGE", buildGraph(2000000000, none, none, 0));
  CHECK(RbmChains::footprint(1 << 16, 1 << 16, 1) >= 2.0L * (int64_t{1} << 32) * sizeof(float));
  CHECK_THROWS("ERR_TOO_LARGE", RbmChains(int64_t{1} << 20, int64_t{1} << 20, 1, 1));
}

const heatbath::test::Registered registered{testByteSizes, testCgroupLimits, testWholeRequests};

}  // namespace
