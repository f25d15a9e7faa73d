#include "io/report.h"

#include <gtest/gtest.h>

#include "io/plot.h"
#include "tests/test_support.h"

namespace attnsim {
namespace {

TEST(Report, CsvAndJsonCarryTheSameSnakeCaseKeysWithUnits) {
  const Prediction p = testing::run("flash2", testing::workload(4096));
  const Record r = prediction_record(p);
  const std::string csv = render_csv({r});
  EXPECT_EQ(csv.substr(0, 12), "gpu,variant,");
  for (const std::string key : {"predicted_seconds", "hbm_read_bytes", "workspace_bytes", "tensor_flops", "bound"}) {
    EXPECT_NE(csv.find(key), std::string::npos) << key;
    EXPECT_TRUE(to_json(r).contains(key)) << key;
  }
  EXPECT_EQ(to_json(r)["variant"], "flash2");
  EXPECT_DOUBLE_EQ(to_json(r)["predicted_seconds"].get<double>(), p.predicted_seconds);
}

TEST(Report, HumanUnits) {
  EXPECT_EQ(human_bytes(1024.0 * 1024 * 1024), "1.00 GiB");
  EXPECT_EQ(human_seconds(2.5e-6), "2.5 us");
  EXPECT_EQ(human_seconds(0.25), "250.000 ms");
  EXPECT_EQ(human_count(2.75e14, "FLOP"), "275.00 TFLOP");
}

TEST(Plot, ScriptDrawsOutOfMemoryPointsDashed) {
  const std::string script =
      loglog_script({{"eager on rtx4090", {{1024, 1e-3, true}, {2048, 4e-3, false}}}}, {"t", "x", "y"}, "svg", "o.svg");
  EXPECT_NE(script.find("set logscale xy 2"), std::string::npos);
  EXPECT_NE(script.find("eager on rtx4090: exceeds GPU memory"), std::string::npos);
  EXPECT_NE(script.find("dt 2"), std::string::npos);
  const std::string all_fit = loglog_script({{"flash2", {{1024, 1e-3, true}}}}, {"t", "x", "y"}, "svg", "o.svg");
  EXPECT_EQ(all_fit.find("exceeds GPU memory"), std::string::npos);  // no legend entry without OOM points
}

}  // namespace
}  // namespace attnsim
