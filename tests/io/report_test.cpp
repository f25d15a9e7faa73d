#include "io/report.h"

#include <bit>
#include <cstdint>
#include <cstdlib>
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

TEST(Report, CsvDoublesReadBackBitForBit) {
  for (const double value : {0.1, 1.0 / 3.0, 2.0 / 3.0 * 1e-7, 6.02214076e23, 25769803776.0, 1.7976931348623157e308,
                             4.9406564584124654e-324, -0.0, 0.30000000000000004, 123456789.12345679}) {
    const std::string csv = render_csv({{{"x_seconds", value}}});
    const std::string cell = csv.substr(csv.find('\n') + 1, csv.size() - csv.find('\n') - 2);
    const double read = std::strtod(cell.c_str(), nullptr);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(read), std::bit_cast<std::uint64_t>(value)) << cell;
  }
}

TEST(Report, CsvWritesIntegersBooleansAndNullPlainly) {
  const std::string csv = render_csv({{{"heads", std::int64_t{32}}, {"fits", true}, {"window", Value()}},
                                      {{"heads", std::int64_t{8}}, {"fits", false}, {"window", std::int64_t{4096}}}});
  EXPECT_EQ(csv, "heads,fits,window\n32,true,\n8,false,4096\n");
}

TEST(Report, CsvHeaderHoldsEveryKeyAndARowWithoutOneLeavesItEmpty) {
  const std::string csv = render_csv({{{"table", std::string("grid")}, {"batch", std::int64_t{8}}},
                                      {{"table", std::string("largest_batch")}, {"largest_batch", std::int64_t{39}}}});
  EXPECT_EQ(csv, "table,batch,largest_batch\ngrid,8,\nlargest_batch,,39\n");
}

TEST(Report, TableColumnsChooseTheirWordsForBooleansAndMissingValuesAndTheirDecimals) {
  const std::vector<Record> rows = {{{"fits", true}, {"gpus_needed", std::int64_t{2}}, {"tokens_per_second", 1234.56}},
                                    {{"fits", false}, {"gpus_needed", Value()}, {"tokens_per_second", Value()}}};
  EXPECT_EQ(
      render_table(rows, {yes_no("fits"), null_means("gpus_needed", ">1024"), fixed_decimals("tokens_per_second", 1)}),
      "fits  gpus_needed  tokens_per_second\n"
      "yes   2            1234.6\n"
      "no    >1024        -\n");
  EXPECT_EQ(render_table(rows, {"fits"}), "fits\ntrue\nfalse\n");
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
  EXPECT_NE(script.find("exceeds GPU memory"), std::string::npos);
  EXPECT_NE(script.find("dt 2"), std::string::npos);
  const std::string all_fit = loglog_script({{"flash2", {{1024, 1e-3, true}}}}, {"t", "x", "y"}, "svg", "o.svg");
  EXPECT_EQ(all_fit.find("exceeds GPU memory"), std::string::npos);  // no legend entry without OOM points
}

}  // namespace
}  // namespace attnsim
