// The checks the pure C++ tests share: CHECK counts a pass or prints the failed condition,
// CHECK_THROWS expects a heatbath::Error with a given code. Each test file registers its tests
// (Registered); main.cpp runs them all and prints the totals.
#pragma once
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "../core/error.h"

namespace heatbath::test {

inline int failures = 0, passes = 0;

// Checks that body throws a heatbath::Error with the given code.
inline void checkThrows(const char* code, const std::function<void()>& body, int line) {
  try {
    body();
    std::printf("  FAILED line %d: expected %s, nothing thrown\n", line, code);
    ++failures;
  } catch (const Error& e) {
    if (e.code() != code) {
      std::printf("  FAILED line %d: expected %s, got %s (%s)\n", line, code, e.code().c_str(), e.what());
      ++failures;
    } else {
      ++passes;
    }
  }
}

using TestFn = void (*)();

// Every registered test, in the order the files registered them.
inline std::vector<TestFn>& registeredTests() {
  static std::vector<TestFn> tests;
  return tests;
}

// A test file's tests, in the order they run: `const Registered registered{testA, testB};`.
struct Registered {
  Registered(std::initializer_list<TestFn> tests) {
    registeredTests().insert(registeredTests().end(), tests.begin(), tests.end());
  }
};

}  // namespace heatbath::test

#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      std::printf("  FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      ++heatbath::test::failures;                                     \
    } else {                                                          \
      ++heatbath::test::passes;                                       \
    }                                                                 \
  } while (0)

#define CHECK_THROWS(code, body) \
  heatbath::test::checkThrows(   \
      code, [&] { body; }, __LINE__)
