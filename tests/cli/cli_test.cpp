// The command line end to end, in-process: outputs, and a table of bad inputs that must each give
// exit status 2, one line naming the option and what is allowed, and no output file.
#include "cli/app.h"
#include "tests/cli/cli_support.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

namespace attnsim::cli {
namespace {

using testing::attnsim;
using testing::Result;
using testing::scratch;

TEST(Cli, PredictPrintsTheBreakdown) {
  const Result r = attnsim({"predict", "--gpu", "h100-sxm", "--variant", "flash2", "--seq", "4096"});
  EXPECT_EQ(r.status, 0) << r.err;
  for (const std::string key : {"predicted_seconds", "hbm_read_bytes", "bound", "ctas_per_sm", "flash2 fwd"}) {
    EXPECT_NE(r.out.find(key), std::string::npos) << key;
  }
}

TEST(Cli, PredictJsonIsParseableAndListsKernelsWithEfficiencySources) {
  const Result r = attnsim({"predict", "--variant", "eager", "--seq", "2048", "--causal", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["variant"], "eager");
  EXPECT_TRUE(j["causal"].get<bool>());
  EXPECT_GE(j["kernels"].size(), 7u);
  EXPECT_FALSE(j["kernels"][0]["efficiency_source"].get<std::string>().empty());
}

TEST(Cli, SweepFitsSlopesAndWritesCsvWhole) {
  const auto path = scratch("sweep.csv");
  const Result r = attnsim({"sweep", "--gpu", "h100-sxm", "--variant", "flash2,ssm-scan", "--seq", "16384:131072:x2",
                            "--format", "csv", "--out", path.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.err, m, std::regex("slope h100-sxm flash2: ([0-9.]+)"))) << r.err;
  EXPECT_NEAR(std::stod(m[1]), 2.0, 0.1);
  ASSERT_TRUE(std::regex_search(r.err, m, std::regex("slope h100-sxm ssm-scan: ([0-9.]+)"))) << r.err;
  EXPECT_NEAR(std::stod(m[1]), 1.0, 0.1);
  std::ifstream in(path);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) ++lines;
  EXPECT_EQ(lines, 1 + 2 * 4);
}

TEST(Cli, SweepDrawsAPlot) {
  const auto path = scratch("wall.svg");
  const Result r = attnsim({"sweep", "--seq", "1024:65536:x4", "--plot", path.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream in(path);
  std::stringstream svg;
  svg << in.rdbuf();
  EXPECT_NE(svg.str().find("<svg"), std::string::npos);
  EXPECT_NE(svg.str().find("exceeds GPU memory"), std::string::npos);
}

TEST(Cli, ValidateComparesTheRecordedRuns) {
  const std::string csv = std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/pytorch_attention.csv";
  const Result r = attnsim({"validate", "--measured", csv, "--gpu", "h100-sxm", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["rows"].size(), 100u);
  EXPECT_FALSE(j["summary"].empty());
  EXPECT_FALSE(j["slopes"].empty());
  EXPECT_FALSE(j["skipped"].empty());  // oom, unsupported and cudnn rows
}

TEST(Cli, ValidateAttachesNcuBytesAndWritesAReportPage) {
  const std::string data = std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/ncu/";
  const auto page = scratch("page.md");
  const Result r = attnsim({"validate", "--measured", data + "ncu_bench_runs.csv", "--ncu", data + "ncu_bench.csv",
                            "--gpu", "h100-sxm", "--format", "json", "--report", page.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["ncu"].size(), 26u);
  for (const auto& row : j["ncu"]) {
    EXPECT_GT(row["ncu_dram_read_bytes"].get<double>(), 0.0);
    EXPECT_GT(row["ncu_kernels"].get<double>(), 0.0);
  }
  std::ifstream in(page);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("## HBM bytes: attnsim vs Nsight Compute"), std::string::npos);
  EXPECT_NE(text.str().find("![page-dram.svg](page-dram.svg)"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(page.parent_path() / "page-time.svg"));
  EXPECT_TRUE(std::filesystem::exists(page.parent_path() / "page-dram.svg"));
}

TEST(Cli, CalibrateWritesALoadableProfileAndReportsHeldOutRuns) {
  const std::string csv = std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/pytorch_attention.csv";
  const auto profile = scratch("my-h100.toml");
  const Result r = attnsim({"calibrate", "--measured", csv, "--gpu", "h100-sxm", "--out", profile.string(), "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j.empty());
  EXPECT_TRUE(j[0].contains("test_mape_after_percent"));
  const Result p = attnsim({"predict", "--gpu", profile.string(), "--format", "json"});
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_NE(nlohmann::json::parse(p.out)["kernels"][0]["efficiency_source"].get<std::string>().find("attnsim calibrate"),
            std::string::npos);
}

TEST(Cli, ConfigFileSuppliesOptions) {
  const auto path = scratch("study.cfg");
  std::ofstream(path) << "heads = 8\nseq = 2048\nvariant = flash3\n";
  const Result r = attnsim({"predict", "--config", path.string(), "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["heads"], 8);
  EXPECT_EQ(j["seq_kv"], 2048);
  EXPECT_EQ(j["variant"], "flash3");
}

TEST(Cli, EverySubcommandTeachesWithAnExample) {
  for (const std::string command : {"predict", "sweep", "gpus", "variants", "validate", "calibrate"}) {
    const Result r = attnsim({command, "--help"});
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("example"), std::string::npos) << command;
  }
  EXPECT_NE(attnsim({"gpus"}).out.find("rtx4090"), std::string::npos);
  EXPECT_NE(attnsim({"variants"}).out.find("ssm-scan"), std::string::npos);
}

struct BadInput {
  std::vector<std::string> args;
  std::string message;
};

TEST(Cli, BadInputsExitTwoWithOneClearLineAndNoFile) {
  const std::string out = scratch("never.csv").string();
  const std::vector<BadInput> table = {
      {{"predict", "--heads", "0"}, "--heads: must be a positive integer (got 0)"},
      {{"predict", "--batch", "-3"}, "--batch: must be a positive integer (got -3)"},
      {{"predict", "--heads", "32", "--kv-heads", "5"}, "--kv-heads: must divide --heads (got heads 32, kv-heads 5)"},
      {{"predict", "--seq", "abc"}, "--seq: expects an integer (got 'abc')"},
      {{"predict", "--seq", "2000000000000"}, "--seq: must be at most 2^40"},
      {{"predict", "--head-dim", "4096"}, "--head-dim: must be at most 1024"},
      {{"predict", "--dtype", "fp64"}, "--dtype: unknown dtype 'fp64'; allowed: fp32, tf32, fp16, bf16, fp8-e4m3"},
      {{"predict", "--pass", "sideways"}, "--pass: unknown pass 'sideways'; allowed: forward, backward, forward+backward"},
      {{"predict", "--variant", "flash4"}, "--variant: unknown variant 'flash4' (did you mean 'flash"},
      {{"predict", "--gpu", "h100"}, "--gpu: unknown GPU 'h100' (did you mean 'h100-"},
      {{"predict", "--gpu", "/nonexistent/x.toml"}, "--gpu: cannot read profile '/nonexistent/x.toml'"},
      {{"predict", "--format", "xml"}, "--format: unknown format 'xml'; allowed: table, csv, json"},
      {{"predict", "--tile", "128"}, "--tile: expects BMxBN such as 128x64 (got '128')"},
      {{"predict", "--tile", "512x512"}, "--tile: flash2 fwd tile 512x512, 4 warps, 1 stage needs"},
      {{"predict", "--tile", "0x64"}, "--tile: block M must be 1..1024"},
      {{"predict", "--warps", "32"}, "--warps: flash2 fwd tile 128x64, 32 warps, 1 stage needs 1024 threads x 255 registers"},
      {{"predict", "--variant", "flash2", "--dtype", "fp32"}, "--dtype: flash2 supports fp16 and bf16 only (got fp32)"},
      {{"predict", "--variant", "eager", "--dtype", "fp8-e4m3"}, "--dtype: eager runs torch.matmul, which has no fp8-e4m3"},
      {{"predict", "--variant", "flash3", "--gpu", "a100-sxm-80gb", "--dtype", "fp8-e4m3"},
       "--dtype: flash3 fp8-e4m3 needs Hopper (sm90); a100-sxm-80gb is sm80"},
      {{"predict", "--variant", "ssm-scan", "--seq-q", "1"}, "--seq-q: ssm-scan has one sequence length"},
      {{"predict", "--variant", "flash-decode", "--num-splits", "500"}, "--num-splits: must be between 1 and 128"},
      {{"predict", "--frobnicate"}, "unrecognised option '--frobnicate'"},
      {{"predict", "--out", "/nonexistent-dir/p.json"}, "--out: folder '/nonexistent-dir' does not exist"},
      {{"sweep", "--seq", "4096:1024:x2"}, "--seq: range '4096:1024:x2' needs 1 <= START <= END"},
      {{"sweep", "--seq", "1:2:y"}, "--seq: cannot read range '1:2:y'"},
      {{"sweep", "--plot", "wall.pdf"}, "--plot: unsupported plot format '.pdf'; allowed: .svg, .png"},
      {{"predict", "--config", "/nonexistent.cfg"}, "--config: cannot read '/nonexistent.cfg'"},
      {{"validate", "--gpu", "h100-sxm"}, "--measured: is required: the CSV of measured runs"},
      {{"validate", "--measured", "/nonexistent.csv", "--gpu", "h100-sxm"}, "--measured: cannot read '/nonexistent.csv'"},
      {{"validate", "--measured", std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/pytorch_attention.csv",
        "--gpu", "h100-sxm", "--ncu", std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/ncu/ncu_bench.csv"},
       "--ncu: the report brackets 26 calls but the measured file has 190 ok rows"},
      {{"validate", "--measured", std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/pytorch_attention.csv",
        "--gpu", "h100-sxm", "--ncu", std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/pytorch_attention.csv"},
       "pytorch_attention.csv:1: missing column 'ID'"},
      {{"validate", "--measured", "x.csv", "--gpu", "h100-sxm", "--report", "/nonexistent-dir/page.md"},
       "--report: folder '/nonexistent-dir' does not exist"},
      {{"calibrate", "--gpu", "h100-sxm"}, "--measured: is required (see attnsim calibrate --help)"},
      {{"calibrate", "--measured", "x.csv", "--gpu", "h100-sxm", "--out", "/nonexistent-dir/p.toml"},
       "--out: folder '/nonexistent-dir' does not exist"},
      {{"frobnicate"}, "unknown command 'frobnicate'; allowed: predict, sweep, gpus, variants, validate, calibrate"},
  };
  for (const BadInput& bad : table) {
    std::vector<std::string> args = bad.args;
    if (std::find(args.begin(), args.end(), "--out") == args.end()) {
      args.push_back("--out");
      args.push_back(out);
    }
    if (args[0] == "frobnicate") args.resize(1);
    const Result r = attnsim(args);
    SCOPED_TRACE(bad.message);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find(bad.message), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_FALSE(std::filesystem::exists(out));
  }
}

}  // namespace
}  // namespace attnsim::cli
