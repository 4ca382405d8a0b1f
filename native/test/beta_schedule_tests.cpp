// Tests of β schedules (core/beta_schedule).
#include "fixtures.h"

namespace {

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

  CHECK_THROWS("ERR_INVALID_ARGUMENT", BetaSchedule(tableProgram, 1, {0.1f}, 0, 3, 3));  // table too short
  CHECK_THROWS("ERR_INVALID_ARGUMENT", BetaSchedule(tableProgram, 1, {NAN}, 0, 1, 1));   // NaN in the table
  const double overflow[] = {3, 1.0, 10.0, 1};
  CHECK_THROWS("ERR_INVALID_ARGUMENT", BetaSchedule(overflow, 4, {}, 0, 100, 100));  // 10^99 > float max
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

const heatbath::test::Registered registered{testBetaSchedules};

}  // namespace
