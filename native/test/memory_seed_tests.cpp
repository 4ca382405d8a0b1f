// Pure C++ tests of the memory budget, β schedule descriptions and seed derivation (native/core).
// Run: npm run test:native
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include <unistd.h>

#include "../core/beta_schedule.h"
#include "../core/error.h"
#include "check.h"
#include "../core/gibbs_chains.h"
#include "../core/graph.h"
#include "../core/memory.h"
#include "../core/rbm_chains.h"
#include "../core/seed.h"

using namespace heatbath;
using heatbath::test::failures;
using heatbath::test::passes;

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
  if (bytes > usableMemoryBytes()) CHECK_THROWS("ERR_TOO_LARGE", GibbsChains(g, int64_t{1} << 30, 1));
  CHECK(graphFootprint(1000000000, 0) > 1.0e10L);
  const int32_t none[] = {0};
  CHECK_THROWS("ERR_TOO_LARGE", buildGraph(2000000000, none, none, 0));
  CHECK(RbmChains::footprint(1 << 16, 1 << 16, 1) >= 2.0L * (int64_t{1} << 32) * sizeof(float));
  CHECK_THROWS("ERR_TOO_LARGE", RbmChains(int64_t{1} << 20, int64_t{1} << 20, 1, 1));
}

void testBetaSchedules() {
  std::printf("beta schedules\n");
  const double linearProgram[] = {1, 0.25, 1.0};
  const BetaSchedule linear(linearProgram, 3, {}, 0, 5, 5);
  CHECK(linear.at(0) == 0.25f && linear.at(2) == 0.625f && linear.at(4) == 1.0f);
  // A stream's window: sweep k of the run is step first + k, the schedule sees total = infinity.
  const BetaSchedule window(linearProgram, 3, {}, 1000, INFINITY, 4);
  CHECK(window.at(3) == 0.25f);
  const double warm[] = {4, 4, 0, 2.0};
  const BetaSchedule warmup(warm, 4, {}, 0, 10, 10);
  CHECK(warmup.at(0) == 0.0f && warmup.at(1) == 0.5f && warmup.at(4) == 2.0f && warmup.at(9) == 2.0f);
  const double stepProgram[] = {3, 1.0, 0.5, 2};
  const BetaSchedule step(stepProgram, 4, {}, 0, 8, 8);
  CHECK(step.at(1) == 1.0f && step.at(2) == 0.5f && step.at(7) == 0.125f);
  const double cosineProgram[] = {2, 1.0, 0.0};
  const BetaSchedule cosine(cosineProgram, 3, {}, 0, 3, 3);
  CHECK(cosine.at(0) == 1.0f && cosine.at(1) == 0.5f && cosine.at(2) == 0.0f);
  const double tableProgram[] = {5};
  const BetaSchedule table(tableProgram, 1, {0.1f, 0.2f, 0.3f}, 7, 3, 3);
  float out[3];
  table.fill(0, 3, out);
  CHECK(out[0] == 0.1f && out[2] == 0.3f);
  CHECK(table.bytes() >= 3 * sizeof(float));
  // A description costs the same whatever the run's length.
  CHECK(BetaSchedule::constant(1, kMaxSweeps).bytes() == BetaSchedule::constant(1, 10).bytes());
  CHECK(BetaSchedule::constant(0.5f, kMaxSweeps).at(kMaxSweeps - 1) == 0.5f);

  CHECK_THROWS("ERR_INVALID_ARGUMENT", BetaSchedule(tableProgram, 1, {0.1f}, 0, 3, 3));     // table too short
  CHECK_THROWS("ERR_INVALID_ARGUMENT", BetaSchedule(tableProgram, 1, {NAN}, 0, 1, 1));      // NaN in the table
  const double overflow[] = {3, 1.0, 10.0, 1};
  CHECK_THROWS("ERR_INVALID_ARGUMENT", BetaSchedule(overflow, 4, {}, 0, 100, 100));       // 10^99 > float max
  const double unknown[] = {9, 1};
  CHECK_THROWS("ERR_INVALID_ARGUMENT", BetaSchedule(unknown, 2, {}, 0, 1, 1));
  const double truncated[] = {4, 3};
  CHECK_THROWS("ERR_INVALID_ARGUMENT", BetaSchedule(truncated, 2, {}, 0, 1, 1));
  const double trailing[] = {0, 1, 2};
  CHECK_THROWS("ERR_INVALID_ARGUMENT", BetaSchedule(trailing, 3, {}, 0, 1, 1));
  const double negative[] = {1, -1, 1};
  CHECK_THROWS("ERR_INVALID_ARGUMENT", BetaSchedule(negative, 3, {}, 0, 1, 1));

  CHECK(totalSweeps(10, 3, 5) == 20);
  CHECK(totalSweeps(int64_t{1} << 32, 1, 1) == int64_t{1} << 32);
  CHECK(totalSweeps(kMaxSweeps, 1, 1) == kMaxSweeps);
  CHECK_THROWS("ERR_INVALID_ARGUMENT", totalSweeps(kMaxSweeps, 2, 1));
  CHECK_THROWS("ERR_INVALID_ARGUMENT", totalSweeps(0, int64_t{1} << 40, int64_t{1} << 40));
}

void testSeeds() {
  std::printf("seeds\n");
  static_assert(deriveSeed(1, "chain", 2) == deriveSeed(1, kChainTag, 2));
  CHECK(deriveSeed(5, "dtm-generate", 1) != deriveSeed(6, "dtm-generate", 0));
  CHECK(deriveSeed(5, "a", 0) != deriveSeed(5, "b", 0));
  std::unordered_set<uint64_t> seen;
  int64_t count = 0;
  for (const char* tag : {"chain", "conditional", "normals", "dtm-generate"}) {
    for (uint64_t seed = 0; seed < 300; ++seed) {
      for (uint64_t index = 0; index < 300; ++index, ++count) seen.insert(deriveSeed(seed, tag, index));
    }
  }
  CHECK(static_cast<int64_t>(seen.size()) == count);
  // Lanes seeded for chains c and c + 1 of seed s, and chain c of seed s + 1, start in different states.
  kernels::RngLanes rng{};
  seedLane(rng, 0, 9, 4);
  seedLane(rng, 1, 9, 5);
  seedLane(rng, 2, 10, 4);
  CHECK(rng.s[0][0] != rng.s[0][1] && rng.s[0][0] != rng.s[0][2] && rng.s[3][0] != 0);
}

}  // namespace

int main() {
  testByteSizes();
  testCgroupLimits();
  testWholeRequests();
  testBetaSchedules();
  testSeeds();
  std::printf("%d passed, %d failed\n", passes, failures);
  return failures == 0 ? 0 : 1;
}
