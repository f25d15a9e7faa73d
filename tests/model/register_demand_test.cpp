// The one register estimate the closed form prices and the tile what-if shows: fp32 S and O plus
// bf16 P per thread, spilled above 255.
#include <gtest/gtest.h>

#include "model/register_demand.h"

namespace attnsim {
namespace {

TEST(RegisterDemand, TheDefaultHeadDim128TileFitsAndTheWidestSpills) {
  const ForwardRegisterDemand fits = forward_register_demand({128, 64, 4, 1, 255}, 128);
  EXPECT_DOUBLE_EQ(fits.accumulator_registers, 224.0);  // 32 rows x (64 + 128) / 32 + 32 x 64 / 64
  EXPECT_DOUBLE_EQ(fits.spilled_registers, 0.0);
  EXPECT_DOUBLE_EQ(fits.spill_bytes_per_key_block, 0.0);

  const ForwardRegisterDemand spills = forward_register_demand({128, 128, 4, 1, 255}, 128);
  EXPECT_DOUBLE_EQ(spills.accumulator_registers, 320.0);
  EXPECT_DOUBLE_EQ(spills.spilled_registers, 65.0);
  EXPECT_DOUBLE_EQ(spills.spill_bytes_per_key_block, 128.0 * 65.0 * 2.0 * 4.0);  // every thread, stored and reloaded
}

TEST(RegisterDemand, MoreWarpsSplitTheRowsAndRelieveTheSpill) {
  const ForwardRegisterDemand eight = forward_register_demand({128, 128, 8, 1, 255}, 128);
  EXPECT_DOUBLE_EQ(eight.accumulator_registers, 160.0);
  EXPECT_DOUBLE_EQ(eight.spilled_registers, 0.0);
  // A narrower value head needs fewer O accumulators: 128x128 at d = 64 is one register over.
  EXPECT_DOUBLE_EQ(forward_register_demand({128, 128, 4, 1, 255}, 64).spilled_registers, 1.0);
}

}  // namespace
}  // namespace attnsim
