// Tests of the thread pool (core/thread_pool).
#include "fixtures.h"

namespace {

void testThreadPool() {
  std::puts("thread pool");
  ThreadPool pool;
  std::vector<int64_t> hits(1000, 0);
  pool.parallelFor(1000, 4, [&](int64_t t, int) { hits[t] += t; });
  bool all = true;
  for (int64_t t = 0; t < 1000; ++t)
    all = all && hits[t] == t;
  CHECK(all);
  bool threw = false;
  try {
    pool.parallelFor(100, 3, [](int64_t t, int) {
      if (t == 42)
        throw Error("ERR_INTERNAL", "task 42");
    });
  } catch (const Error& e) {
    threw = std::strcmp(e.what(), "task 42") == 0;
  }
  CHECK(threw);
  // Regions requested from two threads at once are serialised, not interleaved.
  std::vector<int64_t> a(5000, 0), b(5000, 0);
  std::thread other([&] { pool.parallelFor(5000, 2, [&](int64_t t, int) { a[t] = 1; }); });
  pool.parallelFor(5000, 2, [&](int64_t t, int) { b[t] = 1; });
  other.join();
  int64_t sum = 0;
  for (int k = 0; k < 5000; ++k)
    sum += a[k] + b[k];
  CHECK(sum == 10000);
}

const heatbath::test::Registered registered{testThreadPool};

}  // namespace
