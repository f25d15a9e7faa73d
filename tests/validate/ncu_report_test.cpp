#include "validate/ncu_report.h"

#include <gtest/gtest.h>

#include <sstream>

#include "model/error.h"
#include "validate/comparison.h"
#include "tests/test_support.h"

namespace attnsim {
namespace {

const std::string kHeader =
    "\"ID\",\"Process ID\",\"thread Domain:Push/Pop_Range:PL_Type:PL_Value:CLR_Type:Color:Msg_Type:Msg\","
    "\"Kernel Name\",\"dram__bytes_read.sum\",\"dram__bytes_write.sum\",\"gpu__time_duration.sum\"\n"
    "\"\",\"\",\"\",\"\",\"Kbyte\",\"byte\",\"us\"\n";

std::vector<NcuKernel> parse(const std::string& text) {
  std::istringstream in(text);
  return parse_ncu_csv(in, "report.csv");
}

std::string error_of(const std::string& text) {
  try {
    const auto kernels = parse(text);
    group_ncu_calls(kernels, "report.csv");
  } catch (const InvalidInput& e) {
    return e.field() + ": " + e.what();
  }
  return "";
}

TEST(NcuReport, UnitsThousandsSeparatorsAndMarkerPairs) {
  const std::string text = "==PROF== Connected to process 7\n" + kHeader +
                           "\"0\",\"7\",\"\",\"fill\",\"1\",\"2\",\"3\"\n"
                           "\"1\",\"7\",\"\",\"attnsim_run_marker\",\"0\",\"0\",\"1\"\n"
                           "\"2\",\"7\",\"7 \"\"<default domain>:run\"\"\",\"gemm\",\"1,500\",\"2,000\",\"10.5\"\n"
                           "\"3\",\"7\",\"\",\"softmax\",\"500\",\"0\",\"2\"\n"
                           "\"4\",\"7\",\"\",\"attnsim_run_marker\",\"0\",\"0\",\"1\"\n"
                           "\"5\",\"7\",\"\",\"warm-up\",\"9\",\"9\",\"9\"\n";
  const std::vector<NcuKernel> kernels = parse(text);
  ASSERT_EQ(kernels.size(), 6u);
  EXPECT_EQ(kernels[2].line, 6u);  // banner, header and units lines count
  EXPECT_DOUBLE_EQ(kernels[2].dram_read_bytes, 1.5e6);
  EXPECT_DOUBLE_EQ(kernels[2].dram_write_bytes, 2000.0);
  EXPECT_DOUBLE_EQ(kernels[2].duration_seconds, 10.5e-6);
  EXPECT_NE(kernels[2].nvtx_range.find("<default domain>:run"), std::string::npos);
  const std::vector<NcuCall> calls = group_ncu_calls(kernels, "report.csv");
  ASSERT_EQ(calls.size(), 1u);  // fill and warm-up lie outside the markers
  EXPECT_EQ(calls[0].kernels.size(), 2u);
  EXPECT_DOUBLE_EQ(calls[0].dram_read_bytes, 2.0e6);
  EXPECT_DOUBLE_EQ(calls[0].duration_seconds, 12.5e-6);
}

TEST(NcuReport, ErrorsNameFileLineAndColumn) {
  EXPECT_EQ(error_of(kHeader + "\"0\",\"7\",\"\",\"k\",\"n/a\",\"0\",\"1\"\n"),
            "report.csv:3: column dram__bytes_read.sum: expected a non-negative number, got 'n/a'");
  EXPECT_NE(error_of("\"ID\",\"Kernel Name\"\n\"0\",\"k\"\n").find("report.csv:1: missing column 'dram__bytes_read.sum'"),
            std::string::npos);
  EXPECT_NE(error_of(kHeader + "\"0\",\"7\",\"\",\"k\",\"1\",\"0\",\"1\"\n").find("no attnsim_run_marker kernels"),
            std::string::npos);
  EXPECT_NE(error_of(kHeader + "\"0\",\"7\",\"\",\"attnsim_run_marker\",\"1\",\"0\",\"1\"\n").find("report.csv:3:"),
            std::string::npos);
  const std::string bad_unit = "\"ID\",\"Kernel Name\",\"dram__bytes_read.sum\",\"dram__bytes_write.sum\","
                               "\"gpu__time_duration.sum\"\n\"\",\"\",\"furlong\",\"byte\",\"ns\"\n";
  EXPECT_NE(error_of(bad_unit).find("report.csv:2: column dram__bytes_read.sum: unknown unit 'furlong'"),
            std::string::npos);
  EXPECT_NE(error_of("").find("no CSV header"), std::string::npos);
}

TEST(NcuReport, CallsPairWithOkRowsInOrderAndGiveKernelTime) {
  MeasuredRun oom;
  oom.status = "oom";
  oom.variant = "flash2";
  oom.workload = testing::workload(4096);
  MeasuredRun profiled = oom;
  profiled.status = "ok";
  profiled.timing = kProfiledTiming;
  profiled.median_seconds = 99.0;  // one call under the profiler: replaced by ncu's kernel time
  NcuCall call;
  call.dram_read_bytes = 100e6;
  call.dram_write_bytes = 28.5e6;
  call.duration_seconds = 1e-3;
  call.kernels.resize(1);
  const ValidationReport report = compare_runs({oom, profiled}, testing::gpu("h100-sxm"), 4096, {call});
  ASSERT_EQ(report.rows.size(), 1u);
  ASSERT_TRUE(report.rows[0].ncu.has_value());
  EXPECT_DOUBLE_EQ(report.rows[0].run.median_seconds, 1e-3);
  const double predicted = report.rows[0].prediction.hbm_read_bytes + report.rows[0].prediction.hbm_write_bytes;
  EXPECT_NEAR(report.rows[0].ncu->dram_error, predicted / 128.5e6 - 1.0, 1e-12);
  EXPECT_THROW(compare_runs({profiled, profiled}, testing::gpu("h100-sxm"), 4096, {call}), InvalidInput);
  // Without ncu a profiled row has no usable time.
  EXPECT_TRUE(compare_runs({profiled}, testing::gpu("h100-sxm"), 4096).rows.empty());
}

TEST(Comparison, TileColumnSetsThePredictionsTile) {
  MeasuredRun r;
  r.status = "ok";
  r.variant = "flash2";
  r.backend = "attnsim-flash2";
  r.workload = testing::workload(8192);
  r.median_seconds = 1e-3;
  r.tile_block_m = 64;
  r.tile_block_n = 32;
  const ValidationReport report = compare_runs({r}, testing::gpu("h100-sxm"), 4096);
  ASSERT_EQ(report.rows.size(), 1u);
  ASSERT_TRUE(report.rows[0].prediction.cost.tiling.has_value());
  EXPECT_EQ(report.rows[0].prediction.cost.tiling->block_m, 64);
  EXPECT_EQ(report.rows[0].prediction.cost.tiling->block_n, 32);
}

}  // namespace
}  // namespace attnsim
