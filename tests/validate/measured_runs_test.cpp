#include "validate/measured_runs.h"

#include <gtest/gtest.h>
#include <filesystem>
#include <fstream>

#include "model/error.h"
#include "tests/test_support.h"
#include "validate/comparison.h"

namespace attnsim {
namespace {

const std::string kHeader =
    "source,variant,backend,batch,heads,kv_heads,seq_q,seq_kv,head_dim,head_dim_v,causal,window,dtype,pass,tile,"
    "status,median_seconds,min_seconds,max_seconds,repeats,timing,cache_state,peak_extra_memory_bytes,gpu_name";
const std::string kRow =
    "pytorch,flash2,sdpa-flash,1,32,32,4096,4096,128,128,false,,bf16,forward,,ok,0.00087,0.00086,"
    "0.00089,20,cuda-events-per-call,cold,34078720,NVIDIA H100 80GB HBM3";

std::filesystem::path write(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::temp_directory_path() / "attnsim_measured_test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << text;
  return dir / name;
}

std::string error_of(const std::filesystem::path& file) {
  try {
    read_measured_runs(file);
  } catch (const InvalidInput& e) {
    return e.field() + ": " + e.what();
  }
  return "no error";
}

TEST(MeasuredRuns, ReadsTheRecordedH100File) {
  const auto runs =
      read_measured_runs(std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/pytorch_attention.csv");
  EXPECT_EQ(runs.size(), 232u);
  EXPECT_EQ(runs.front().line, 2u);
  EXPECT_EQ(runs.front().workload.heads, 32);
  EXPECT_GT(std::count_if(runs.begin(), runs.end(), [](const MeasuredRun& r) { return r.status == "oom"; }), 0);
}

TEST(MeasuredRuns, ParsesARowAndToleratesWindowsLineEndings) {
  const auto runs = read_measured_runs(write("crlf.csv", kHeader + "\r\n" + kRow + "\r\n"));
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].variant, "flash2");
  EXPECT_EQ(runs[0].workload.seq_kv, 4096);
  EXPECT_FALSE(runs[0].workload.window.has_value());
  EXPECT_DOUBLE_EQ(runs[0].median_seconds, 0.00087);
  EXPECT_DOUBLE_EQ(*runs[0].peak_extra_memory_bytes, 34078720.0);
  EXPECT_EQ(runs[0].gpu_name, "NVIDIA H100 80GB HBM3");
}

TEST(MeasuredRuns, SkipsAUtf8ByteOrderMarkAndReadsText) {
  const std::string header = kHeader.substr(kHeader.find("variant"));  // the mark sits before a required column
  const std::string row = kRow.substr(kRow.find("flash2"));
  const auto runs = parse_measured_runs("\xEF\xBB\xBF" + header + "\n" + row + "\n", "excel.csv");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].variant, "flash2");
  EXPECT_DOUBLE_EQ(runs[0].median_seconds, 0.00087);
}

TEST(MeasuredRuns, BadFilesGetOneClearMessage) {
  EXPECT_NE(error_of(write("missing.csv", "variant,backend\nflash2,x\n")).find("batch"), std::string::npos);
  EXPECT_NE(error_of(write("header_only.csv", kHeader + "\n")).find("has a header but no rows"), std::string::npos);
  EXPECT_NE(error_of(write("empty.csv", "")).find("empty.csv"), std::string::npos);
  std::string bad = kRow;
  bad.replace(bad.find(",1,32,32,"), 9, ",one,32,32,");
  EXPECT_NE(error_of(write("nan.csv", kHeader + "\n" + bad + "\n"))
                .find("nan.csv:2: column batch: expected an integer, got 'one'"),
            std::string::npos);
  std::string gqa = kRow;
  gqa.replace(gqa.find(",1,32,32,"), 9, ",1,32,5,");
  EXPECT_NE(error_of(write("gqa.csv", kHeader + "\n" + gqa + "\n")).find("gqa.csv:2: column kv_heads: must divide"),
            std::string::npos);
  EXPECT_NE(error_of("/nonexistent.csv").find("cannot read"), std::string::npos);
}

// A measured clock per row prices that row at it; a clock outside 100-10000 MHz names the column.
TEST(MeasuredRuns, AnSmClockColumnIsReadWhereGiven) {
  const auto runs = parse_measured_runs(kHeader + ",sm_clock_mhz\n" + kRow + ",1755\n" + kRow + ",\n", "clocks.csv");
  ASSERT_EQ(runs.size(), 2u);
  ASSERT_TRUE(runs[0].sm_clock_hz.has_value());
  EXPECT_DOUBLE_EQ(*runs[0].sm_clock_hz, 1755e6);
  EXPECT_FALSE(runs[1].sm_clock_hz.has_value());
  EXPECT_NE(
      error_of(write("bad_clock.csv", kHeader + ",sm_clock_mhz\n" + kRow + ",19800\n")).find("column sm_clock_mhz"),
      std::string::npos);
}

// NVIDIA's NGC PyTorch builds run fp32 matmuls on TF32 tensor cores: a row whose torch_version is
// one (a .nv suffix) is priced so, a row of PyTorch's own builds or without the column is not.
TEST(MeasuredRuns, AnNgcTorchVersionPricesTheMathBackendsMatmulsOnTf32) {
  const std::string math =
      "pytorch,sdpa-math,sdpa-math,1,32,32,4096,4096,128,128,false,,bf16,forward,,ok,0.03,0.03,"
      "0.03,20,cuda-events-per-call,cold,0,NVIDIA B200";
  const auto runs = parse_measured_runs(
      kHeader + ",torch_version\n" + math + ",2.9.0a0+50eac811a6.nv25.09\n" + math + ",2.11.0+cu130\n", "ngc.csv");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].torch_version, "2.9.0a0+50eac811a6.nv25.09");
  EXPECT_TRUE(knobs_of(runs[0]).allow_tf32);
  EXPECT_FALSE(knobs_of(runs[1]).allow_tf32);
  EXPECT_FALSE(knobs_of(parse_measured_runs(kHeader + "\n" + math + "\n", "plain.csv")[0]).allow_tf32);
  // On tensor cores the math backend is left with its memory-bound kernels: about half the time.
  EXPECT_LT(predict_as_run(runs[0], testing::gpu("b200"), HostDispatch{}).predicted_seconds,
            0.7 * predict_as_run(runs[1], testing::gpu("b200"), HostDispatch{}).predicted_seconds);
}

}  // namespace
}  // namespace attnsim
