// Tests of the shared input checks (core/checks).
#include "../core/checks.h"
#include "fixtures.h"

namespace {

// The message of the Error body throws ("" if none).
std::string messageOf(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void testChecks() {
  std::puts("input checks");
  // The first non-finite entry is named, wherever it is (the scan goes by chunks of 4096).
  std::vector<float> values(10000, 1.0f);
  values[7001] = -INFINITY;
  values[9000] = std::nanf("");
  std::string message;
  try {
    requireFinite(values.data(), 10000, "values");
  } catch (const Error& e) {
    message = e.what();
  }
  CHECK(message == "values[7001] is infinite");
  requireFinite(values.data(), 7001, "values");  // all finite: no throw
  const int8_t spins[] = {1, -1, 0};
  CHECK(messageOf([&] { requireSpins(spins, 3, "initial spins"); }) == "initial spins must be +1 or -1; entry 2 is 0");
  requireSpins(spins, 2, "initial spins");
  const float binary[] = {0.0f, 1.0f, 0.5f};
  CHECK_THROWS("ERR_INVALID_ARGUMENT", requireBinary(binary, 3, "states"));
  requireBinary(binary, 2, "states");
  const int32_t nodes[] = {3, 0, 3};
  CHECK(messageOf([&] { requireClampIndices(nodes, 3, 4, "node"); }) == "node 3 is clamped twice");
  CHECK(messageOf([&] { requireClampIndices(nodes, 1, 3, "unit"); }) == "clamped unit 3 is out of range");
  requireClampIndices(nodes, 2, 4, "node");
  const int32_t pairA[] = {0, 1}, pairB[] = {1, 4};
  CHECK(messageOf([&] { requireNodePairs(pairA, pairB, 2, 4); }) == "moment pair 1 refers to a node out of range");
  requireNodePairs(pairA, pairB, 1, 4);
}

const heatbath::test::Registered registered{testChecks};

}  // namespace
