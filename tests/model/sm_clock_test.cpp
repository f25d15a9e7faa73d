#include "model/sm_clock.h"

#include <gtest/gtest.h>

#include "model/error.h"
#include "tests/test_support.h"

namespace attnsim {
namespace {

TEST(SmClock, ParsesTheThreeSettingsAndRefusesAnythingElse) {
  EXPECT_EQ(parse_clock_setting("sustained").kind, ClockSetting::Kind::sustained);
  EXPECT_EQ(parse_clock_setting("burst").kind, ClockSetting::Kind::burst);
  const ClockSetting fixed = parse_clock_setting("1410");
  EXPECT_EQ(fixed.kind, ClockSetting::Kind::fixed);
  EXPECT_DOUBLE_EQ(fixed.hz, 1410e6);
  EXPECT_DOUBLE_EQ(parse_clock_setting("1806.8").hz, 1806.8e6);
  for (const char* bad : {"", "fast", "1980MHz", "99", "10001", "nan", "inf", " 1800", "0x700", "1.8e3", "1800.", ".5"}) {
    EXPECT_THROW(parse_clock_setting(bad), InvalidInput) << bad;
  }
}

TEST(SmClock, BurstIsTheProfilesBurstClockOrItsSustainedOne) {
  const Gpu& h100 = testing::gpu("h100-sxm");
  ASSERT_TRUE(h100.burst_clock_hz.has_value());
  EXPECT_DOUBLE_EQ(at_clock(h100, parse_clock_setting("burst")).priced_clock_hz(), *h100.burst_clock_hz);
  EXPECT_DOUBLE_EQ(at_clock(h100, parse_clock_setting("sustained")).priced_clock_hz(), h100.sustained_clock_hz);
  EXPECT_DOUBLE_EQ(h100.priced_clock_hz(), h100.sustained_clock_hz);  // the default
  const Gpu& rtx4090 = testing::gpu("rtx4090");  // no burst figure: its sustained clock, reported as such
  ASSERT_FALSE(rtx4090.burst_clock_hz.has_value());
  EXPECT_DOUBLE_EQ(at_clock(rtx4090, parse_clock_setting("burst")).priced_clock_hz(), rtx4090.sustained_clock_hz);
}

// A compute-bound call scales with the clock; a streaming one does not; and the light element-bound
// kernels of a materialized chain keep the clock they hold below the power limit unless it is fixed.
TEST(SmClock, ComputeScalesWithTheClockAndBandwidthDoesNot) {
  const Gpu& h100 = testing::gpu("h100-sxm");
  const Gpu burst = at_clock(h100, parse_clock_setting("burst"));
  const double ratio = *h100.burst_clock_hz / h100.sustained_clock_hz;
  const Prediction slow = predict(testing::workload(16384), h100, find_variant("flash2"), {});
  const Prediction fast = predict(testing::workload(16384), burst, find_variant("flash2"), {});
  EXPECT_EQ(slow.bound, "compute");
  EXPECT_NEAR(slow.tensor_seconds / fast.tensor_seconds, ratio, 1e-9);
  EXPECT_NEAR(slow.hbm_seconds, fast.hbm_seconds, 1e-15);
  EXPECT_DOUBLE_EQ(fast.sm_clock_hz, *h100.burst_clock_hz);

  const Prediction eager_sustained = predict(testing::workload(4096), h100, find_variant("eager"), {});
  const Prediction eager_burst = predict(testing::workload(4096), burst, find_variant("eager"), {});
  const Prediction eager_locked = predict(testing::workload(4096), at_clock(h100, parse_clock_setting("990")), find_variant("eager"), {});
  EXPECT_NEAR(eager_sustained.vector_seconds / eager_burst.vector_seconds, 1.0, 0.01);
  EXPECT_GT(eager_locked.vector_seconds, 1.9 * eager_burst.vector_seconds);
  // A clock a run held (validate's sm_clock_mhz column) moves compute, not the light kernels.
  const Gpu held = at_clock(h100, {ClockSetting::Kind::held, 990e6});
  const Prediction eager_held = predict(testing::workload(4096), held, find_variant("eager"), {});
  EXPECT_LT(eager_held.vector_seconds / eager_burst.vector_seconds, 1.05);  // the softmax's FP32 work moves
  EXPECT_GT(eager_held.tensor_seconds, 1.8 * eager_burst.tensor_seconds);
}

}  // namespace
}  // namespace attnsim
