#include "validate/comparison.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace attnsim {
namespace {

MeasuredRun run_of(const std::string& variant, std::int64_t seq, double seconds, const std::string& status = "ok") {
  MeasuredRun r;
  r.line = unsigned(seq);
  r.variant = variant;
  r.backend = "test";
  r.status = status;
  r.workload = testing::workload(seq);
  r.median_seconds = seconds;
  return r;
}

TEST(Comparison, SignedErrorsAndSkippedRuns) {
  const Gpu& gpu = testing::gpu("h100-sxm");
  const double predicted = testing::run("flash2", testing::workload(8192)).predicted_seconds;
  const ValidationReport report =
      compare_runs({run_of("flash2", 8192, 2.0 * predicted), run_of("eager", 65536, 1.0, "oom"),
                    run_of("no-such-kernel", 8192, 1e-3)},
                   gpu, 4096);
  ASSERT_EQ(report.rows.size(), 1u);
  EXPECT_NEAR(report.rows[0].time_error, -0.5, 1e-12);  // predicted half the measured time
  EXPECT_EQ(report.skipped.size(), 2u);
  ASSERT_EQ(report.summary.size(), 1u);
  EXPECT_NEAR(report.summary[0].mean_abs_percentage_error, 50.0, 1e-9);
  EXPECT_NEAR(report.summary[0].median_ratio, 0.5, 1e-12);
}

TEST(Comparison, MemoryErrorCountsTheOutputInTheMeasuredPeak) {
  MeasuredRun r = run_of("flash2", 4096, 1e-3);
  const Prediction p = testing::run("flash2", r.workload);
  r.peak_extra_memory_bytes = p.cost.workspace_bytes + o_bytes(r.workload);
  const ValidationReport report = compare_runs({r}, testing::gpu("h100-sxm"), 4096);
  ASSERT_TRUE(report.rows[0].memory_error.has_value());
  EXPECT_NEAR(*report.rows[0].memory_error, 0.0, 1e-12);
}

TEST(Comparison, SlopesOfMeasuredAndPredictedTime) {
  std::vector<MeasuredRun> runs;
  for (std::int64_t n : {4096, 8192, 16384, 32768}) runs.push_back(run_of("flash2", n, 1e-12 * double(n) * double(n)));
  runs.push_back(run_of("flash2", 2048, 1.0));  // below --fit-min-seq: not in the slope
  const ValidationReport report = compare_runs(runs, testing::gpu("h100-sxm"), 4096);
  ASSERT_EQ(report.slopes.size(), 1u);
  EXPECT_NEAR(report.slopes[0].measured_slope, 2.0, 1e-9);
  EXPECT_NEAR(report.slopes[0].predicted_slope, 2.0, 0.1);
  EXPECT_EQ(report.slopes[0].points, 4);
}

}  // namespace
}  // namespace attnsim
