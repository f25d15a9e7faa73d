// The tile what-if against the closed form: the same register accounting (spilling tiles run and
// pay for it), the same occupancy, and only tiles that cannot launch marked infeasible.
#include <gtest/gtest.h>

#include <algorithm>

#include "model/register_demand.h"
#include "sim/tile_candidates.h"
#include "tests/test_support.h"

namespace attnsim {
namespace {

using testing::gpu;

const sim::TileCandidate& row(const std::vector<sim::TileCandidate>& rows, std::int64_t m, std::int64_t n, int warps = 4) {
  const auto it = std::find_if(rows.begin(), rows.end(), [&](const sim::TileCandidate& c) {
    return c.tiling.block_m == m && c.tiling.block_n == n && c.tiling.warps == warps;
  });
  if (it == rows.end()) throw std::runtime_error("tile missing from the sweep");
  return *it;
}

sim::TileGrid grid(std::vector<std::int64_t> block_m, std::vector<std::int64_t> block_n) {
  sim::TileGrid g;
  g.block_m = std::move(block_m);
  g.block_n = std::move(block_n);
  g.stages = {1};
  return g;
}

TEST(TileWhatIf, ASpillingTileRunsWithTheClosedFormsSpillAndOccupancy) {
  const Workload w = testing::workload(4096, 16);
  const Variant& flash2 = find_variant("flash2");
  sim::SimOptions options;
  options.max_tile_steps = sim::kWhatIfMaxTileSteps;
  const auto rows = sim::sweep_tiles(w, gpu("h100-sxm"), flash2, grid({64, 128}, {64, 128}), options, 2);
  ASSERT_EQ(rows.size(), 4u);
  for (const sim::TileCandidate& c : rows) {
    EXPECT_TRUE(c.infeasible.empty()) << tiling_label(c.tiling) << ": " << c.infeasible;
    VariantKnobs knobs;
    knobs.block_m = c.tiling.block_m;
    knobs.block_n = c.tiling.block_n;
    EXPECT_EQ(c.ctas_per_sm, testing::run("flash2", w, "h100-sxm", knobs).cost.kernels[0].ctas_per_sm)
        << tiling_label(c.tiling);
    // The row is what `attnsim predict --engine sim --tile MxN` gives.
    EXPECT_DOUBLE_EQ(c.seconds, sim::simulate(w, gpu("h100-sxm"), flash2, knobs, options).prediction.predicted_seconds);
  }
  const sim::TileCandidate& widest = row(rows, 128, 128);
  const sim::TileCandidate& standard = row(rows, 128, 64);
  EXPECT_DOUBLE_EQ(widest.registers.spilled_registers, 65.0);
  EXPECT_DOUBLE_EQ(standard.registers.spilled_registers, 0.0);
  EXPECT_TRUE(standard.is_default);
  // Measured on the H100 (validate/data/h100-sxm/attnsim_bench.csv, N = 4096, d = 128): 1.49x.
  EXPECT_GT(widest.seconds / standard.seconds, 1.3);
  EXPECT_LT(widest.seconds / standard.seconds, 1.7);
  EXPECT_EQ(rows.front().tiling.block_m, 128) << "128-row tiles lead the ranking";
}

TEST(TileWhatIf, OnlyTilesThatCannotLaunchAreInfeasible) {
  const Workload w = testing::workload(4096, 16);
  // 16 warps of 16 rows each (a buildable mma.sync tile), 512 threads x 255 registers: twice an
  // SM's register file.
  sim::TileGrid sixteen_warps = grid({256}, {64});
  sixteen_warps.warps = 16;
  const auto rows =
      sim::sweep_tiles(w, gpu("h100-sxm"), find_variant("flash2"), sixteen_warps, sim::SimOptions{}, 1);
  ASSERT_EQ(rows.size(), 2u);  // the candidate and the default tile
  EXPECT_EQ(row(rows, 256, 64, 16).infeasible, "register file: 130560 per CTA > 65536 per SM");
  EXPECT_TRUE(row(rows, 128, 64, 4).infeasible.empty());
}

}  // namespace
}  // namespace attnsim
