// Pure C++ tests of native/core and native/kernels (no Node), one file per module, run together.
// Run: npm run test:native (npm run test:native:asan for AddressSanitizer + UBSan).
#include <cstdio>

#include "check.h"

int main() {
  for (heatbath::test::TestFn test : heatbath::test::registeredTests())
    test();
  std::printf("%d passed, %d failed\n", heatbath::test::passes, heatbath::test::failures);
  return heatbath::test::failures == 0 ? 0 : 1;
}
