#include "validate/calibration.h"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

#include "io/gpu_profile.h"
#include "model/error.h"
#include "tests/test_support.h"

namespace attnsim {
namespace {

// Runs "measured" on a GPU whose flash2 kernels reach `tensor` of the peak and `hbm` of the bandwidth.
// Calibration fits one factor for all compute (tensor and vector efficiencies move together), so
// the truth keeps the default vector/tensor ratio: that is what the runs can identify.
std::vector<MeasuredRun> synthetic_runs(double tensor, double hbm, double launch_seconds) {
  Gpu truth = testing::gpu("h100-sxm");
  const Efficiency base = testing::run("flash2", testing::workload(4096)).cost.kernels.front().efficiency;
  truth.efficiency_overrides["flash2"] = {tensor, tensor * base.vector / base.tensor, std::nullopt, hbm, launch_seconds,
                                          "truth"};
  std::vector<MeasuredRun> runs;
  unsigned line = 2;
  for (std::int64_t seq : {1024, 2048, 4096, 8192, 16384, 32768}) {
    for (const bool decode : {false, true}) {
      MeasuredRun r;
      r.line = line++;
      r.variant = "flash2";
      r.backend = "synthetic";
      r.status = "ok";
      r.workload = testing::workload(seq, 32);
      if (decode) {
        r.workload.seq_q = 1;
        r.workload.kv_heads = 8;
        r.workload.batch = 8;
      }
      r.median_seconds = predict(r.workload, truth, find_variant("flash2"), {}).predicted_seconds;
      runs.push_back(r);
    }
  }
  return runs;
}

TEST(Calibration, RecoversTheConstantsThatMadeTheRuns) {
  const std::vector<VariantFit> fits = calibrate(synthetic_runs(0.5, 0.7, 9e-6), testing::gpu("h100-sxm"));
  ASSERT_EQ(fits.size(), 1u);
  EXPECT_EQ(fits[0].variant, "flash2");
  EXPECT_NEAR(*fits[0].tensor, 0.5, 0.01);
  EXPECT_NEAR(*fits[0].hbm, 0.7, 0.02);
  EXPECT_NEAR(*fits[0].launch_seconds, 9e-6, 1e-6);
}

TEST(Calibration, EfficienciesStayWithinPhysicalBounds) {
  // Runs faster than the peak allows: the fit stops at efficiency 1 instead of going past it.
  const std::vector<VariantFit> fits = calibrate(synthetic_runs(1.0, 1.0, 0.0), testing::gpu("h100-sxm"));
  for (const VariantFit& f : fits) {
    EXPECT_LE(*f.tensor, 1.0);
    EXPECT_LE(*f.hbm, 1.0);
    EXPECT_GE(*f.launch_seconds, 0.0);
  }
}

TEST(Calibration, SplitIsDeterministicDisjointAndNearTheFraction) {
  std::vector<MeasuredRun> runs(1000);
  for (unsigned i = 0; i < runs.size(); ++i) runs[i].line = i + 2;
  const Split a = split_runs(runs, 0.3, 7);
  const Split b = split_runs(runs, 0.3, 7);
  EXPECT_EQ(a.test.size(), b.test.size());
  EXPECT_EQ(a.train.size() + a.test.size(), runs.size());
  EXPECT_NEAR(double(a.test.size()) / double(runs.size()), 0.3, 0.05);
  for (const MeasuredRun& t : a.test) {
    for (const MeasuredRun& r : a.train) ASSERT_NE(t.line, r.line);
  }
  EXPECT_NE(split_runs(runs, 0.3, 8).test.front().line, a.test.front().line);
  EXPECT_THROW(split_runs(runs, 1.5, 7), InvalidInput);
}

TEST(Calibration, WrittenProfileLoadsAndCarriesTheSource) {
  std::ifstream in(profiles_dir() / "h100-sxm.toml");
  std::ostringstream base;
  base << in.rdbuf();
  const std::vector<VariantFit> fits = calibrate(synthetic_runs(0.5, 0.7, 9e-6), testing::gpu("h100-sxm"));
  const std::string text = calibrated_profile_text(base.str(), fits, "attnsim calibrate: runs.csv (12 rows), 2026-11-25");
  const Gpu g = parse_gpu_profile(text, "calibrated.toml");
  ASSERT_TRUE(g.efficiency_overrides.count("flash2"));
  EXPECT_NEAR(*g.efficiency_overrides.at("flash2").tensor, 0.5, 0.01);
  EXPECT_EQ(g.efficiency_overrides.at("flash2").source, "attnsim calibrate: runs.csv (12 rows), 2026-11-25");
  // Recalibrating a calibrated profile replaces its tables rather than duplicating them.
  EXPECT_NO_THROW(parse_gpu_profile(calibrated_profile_text(text, fits, "again"), "twice.toml"));
}

}  // namespace
}  // namespace attnsim
