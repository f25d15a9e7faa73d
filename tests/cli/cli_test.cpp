// The command line end to end, in-process: outputs, and a table of bad inputs that must each give
// exit status 2, one line naming the option and what is allowed, and no output file.
#include "cli/app.h"
#include "tests/cli/cli_support.h"

#include <gtest/gtest.h>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
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

// --clock reaches every command that prices compute: a locked 990 MHz slows a compute-bound
// prediction, and an unknown clock is one line naming the option, exit status 2. (serve's decode
// steps read weights and cache: bandwidth-bound, they do not move with the clock.)
TEST(Cli, ClockMovesComputeInEveryCommandThatPricesIt) {
  const std::vector<std::vector<std::string>> commands = {
      {"predict", "--gpu", "h100-sxm", "--seq", "16384"},
      {"sweep", "--gpu", "h100-sxm", "--seq", "4096,16384"},
      {"tiles", "--gpu", "h100-sxm", "--seq", "16384", "--block-m", "128", "--block-n", "64"},
      {"crossover", "--transformer", "llama-3.2-1b", "--ssm", "mamba2-780m", "--gpu", "h100-sxm", "--seq",
       "4096:16384:x2", "--runtime", "graph"},
      {"capacity", "--model", "llama-3.2-1b", "--gpu", "h100-sxm"},
      {"plan", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--seq", "32768", "--runtime", "graph"},
      {"ring", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpu-count", "4", "--seq", "262144"},
  };
  for (std::vector<std::string> args : commands) {
    args.insert(args.end(), {"--format", "json"});
    const Result sustained = attnsim(args);
    args.insert(args.end(), {"--clock", "990"});
    const Result locked = attnsim(args);
    EXPECT_EQ(sustained.status, 0) << args[0] << ": " << sustained.err;
    EXPECT_EQ(locked.status, 0) << args[0] << ": " << locked.err;
    EXPECT_NE(sustained.out, locked.out) << args[0] << " ignores --clock";
  }
  const Result bad = attnsim({"predict", "--clock", "fast"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("--clock"), std::string::npos) << bad.err;
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
}

TEST(Cli, GpuAndVariantNamesMatchInAnyCase) {
  const Result lower = attnsim({"predict", "--gpu", "h100-sxm", "--variant", "flash2", "--seq", "4096"});
  const Result upper = attnsim({"predict", "--gpu", "H100-SXM", "--variant", "FLASH2", "--seq", "4096"});
  EXPECT_EQ(upper.status, 0) << upper.err;
  EXPECT_EQ(upper.out, lower.out);
}

// Sets an environment variable for one test and restores it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(Cli, MissingDataFailsWithStatusOneAndOneLineNamingTheFolder) {
  const std::filesystem::path empty = scratch("no-data");
  std::filesystem::create_directories(empty);
  {
    const ScopedEnv env("ATTNSIM_PROFILES", empty.string());
    const Result r = attnsim({"gpus"});
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, std::string("attnsim: failed: GPU profiles (hw_profiles/*.toml) not found: ATTNSIM_PROFILES='") +
                         empty.string() + "' holds no .toml files\n");
  }
  const ScopedEnv env("ATTNSIM_MODELS", empty.string());
  const Result r = attnsim({"capacity", "--model", "llama-3.1-8b", "--gpu", "h100-sxm"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, std::string("attnsim: failed: model files (models/*.toml) not found: ATTNSIM_MODELS='") +
                       empty.string() + "' holds no .toml files\n");
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
  const Result r =
      attnsim({"calibrate", "--measured", csv, "--gpu", "h100-sxm", "--out", profile.string(), "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_FALSE(j.empty());
  EXPECT_TRUE(j[0].contains("test_mape_after_percent"));
  const Result p = attnsim({"predict", "--gpu", profile.string(), "--format", "json"});
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_NE(
      nlohmann::json::parse(p.out)["kernels"][0]["efficiency_source"].get<std::string>().find("attnsim calibrate"),
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

// A row may carry a file: `file_text` is written to the path that "@FILE" stands for (in the
// arguments and the message), e.g. "@FILE.toml" for a hand-written GPU profile.
struct BadInput {
  std::vector<std::string> args;
  std::string message;
  std::optional<std::string> file_text = std::nullopt;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The recorded H100 profile with `from` replaced by `to`: one defect per row.
std::string h100_profile_with(const std::string& from, const std::string& to) {
  std::string text = read_text(std::string(ATTNSIM_SOURCE_DIR) + "/hw_profiles/h100-sxm.toml");
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::logic_error("h100-sxm.toml has no '" + from + "'");
  return text.replace(at, from.size(), to);
}

// "@FILE.toml:LINE" of the line where `key` starts in the h100 profile, for file:line messages.
std::string profile_line(const std::string& key) {
  std::istringstream in(read_text(std::string(ATTNSIM_SOURCE_DIR) + "/hw_profiles/h100-sxm.toml"));
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.rfind(key, 0) == 0) return "@FILE.toml:" + std::to_string(n);
  }
  throw std::logic_error("h100-sxm.toml has no line starting with '" + key + "'");
}

const std::string kCsvHeader =
    "variant,backend,batch,heads,kv_heads,seq_q,seq_kv,head_dim,head_dim_v,causal,window,dtype,pass,status,"
    "median_seconds,peak_extra_memory_bytes,gpu_name\n";
const std::string kCsvRow =
    "flash2,sdpa-flash,1,32,32,4096,4096,128,128,false,,bf16,forward,ok,0.00087,34078720,H100\n";

std::string csv_row_with(const std::string& from, const std::string& to) {
  std::string row = kCsvRow;
  return row.replace(row.find(from), from.size(), to);
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

TEST(Cli, WindowsLineEndingsReadTheSameAsUnix) {
  std::string text = read_text(std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/pytorch_attention.csv");
  const auto unix_path = scratch("unix.csv");
  const auto windows_path = scratch("windows.csv");
  std::ofstream(unix_path, std::ios::binary) << text;
  std::ofstream(windows_path, std::ios::binary) << replace_all(text, "\n", "\r\n");
  const Result unix_run =
      attnsim({"validate", "--measured", unix_path.string(), "--gpu", "h100-sxm", "--format", "csv"});
  const Result windows_run =
      attnsim({"validate", "--measured", windows_path.string(), "--gpu", "h100-sxm", "--format", "csv"});
  ASSERT_EQ(unix_run.status, 0) << unix_run.err;
  ASSERT_EQ(windows_run.status, 0) << windows_run.err;
  EXPECT_GT(std::count(unix_run.out.begin(), unix_run.out.end(), '\n'), 100);
  EXPECT_EQ(windows_run.out, unix_run.out);
}

// 64 x 128 heads x (10^9)^2 scores = 8.2e21, far beyond 2^64 = 1.8e19: counts are doubles.
TEST(Cli, BillionTokenCallsWithMoreThan2To64ScoresStayFinite) {
  const double scores = 64.0 * 128.0 * 1e9 * 1e9;
  for (const std::string variant : {"eager", "sdpa-math", "mem-efficient", "flash1", "flash2", "flash3", "flash-decode",
                                    "sliding-window", "ssm-scan"}) {
    const Result r = attnsim({"predict", "--variant", variant, "--seq", "1000000000", "--batch", "64", "--heads", "128",
                              "--kv-heads", "8", "--causal", "--format", "json"});
    ASSERT_EQ(r.status, 0) << variant << ": " << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_DOUBLE_EQ(j["score_matrix_bytes"].get<double>(), scores * 2) << variant;
    for (const auto& [key, value] : j.items()) {
      if (value.is_number()) {
        EXPECT_TRUE(std::isfinite(value.get<double>()) && value.get<double>() >= 0)
            << variant << " " << key << " " << value;
      }
    }
    EXPECT_GT(j["predicted_seconds"].get<double>(), 0) << variant;
  }
}

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
      {{"predict", "--pass", "sideways"},
       "--pass: unknown pass 'sideways'; allowed: forward, backward, forward+backward"},
      {{"predict", "--variant", "flash4"}, "--variant: unknown variant 'flash4' (did you mean 'flash"},
      {{"predict", "--gpu", "h100"}, "--gpu: unknown GPU 'h100' (did you mean 'h100-"},
      {{"predict", "--gpu", "/nonexistent/x.toml"}, "--gpu: cannot read profile '/nonexistent/x.toml'"},
      {{"predict", "--format", "xml"}, "--format: unknown format 'xml'; allowed: table, csv, json"},
      {{"predict", "--tile", "128"}, "--tile: expects BMxBN such as 128x64 (got '128')"},
      {{"predict", "--tile", "512x512"}, "--tile: flash2 fwd tile 512x512, 4 warps, 1 stage needs"},
      {{"predict", "--tile", "0x64"}, "--tile: block M must be 1..1024"},
      {{"predict", "--tile", "512x64", "--warps", "32"},
       "--warps: flash2 fwd tile 512x64, 32 warps, 1 stage needs 1024 threads x 255 registers"},
      {{"predict", "--variant", "flash2", "--dtype", "fp32"}, "--dtype: flash2 supports fp16 and bf16 only (got fp32)"},
      {{"predict", "--variant", "eager", "--dtype", "fp8-e4m3"},
       "--dtype: eager runs torch.matmul, which has no fp8-e4m3"},
      {{"predict", "--variant", "flash3", "--gpu", "a100-sxm-80gb", "--dtype", "fp8-e4m3"},
       "--dtype: flash3 fp8-e4m3 needs Hopper (sm90); a100-sxm-80gb is sm80"},
      {{"predict", "--variant", "ssm-scan", "--seq-q", "1"}, "--seq-q: ssm-scan has one sequence length"},
      {{"predict", "--variant", "flash-decode", "--num-splits", "500"}, "--num-splits: must be between 1 and 128"},
      {{"predict", "--variant", "eager", "--elementwise", "fast"}, "--elementwise: unknown kernels 'fast'; allowed:"},
      {{"predict", "--frobnicate"}, "unrecognised option '--frobnicate'"},
      {{"predict", "--out", "/nonexistent-dir/p.json"}, "--out: folder '/nonexistent-dir' does not exist"},
      {{"sweep", "--seq", "4096:1024:x2"}, "--seq: range '4096:1024:x2' needs 1 <= START <= END"},
      {{"sweep", "--seq", "1:2:y"}, "--seq: cannot read range '1:2:y'"},
      {{"sweep", "--plot", "wall.pdf"}, "--plot: unsupported plot format '.pdf'; allowed: .svg, .png"},
      {{"predict", "--config", "/nonexistent.cfg"}, "--config: cannot read '/nonexistent.cfg'"},
      {{"validate", "--gpu", "h100-sxm"}, "--measured: is required: the CSV of measured runs"},
      {{"validate", "--measured", "/nonexistent.csv", "--gpu", "h100-sxm"},
       "--measured: cannot read '/nonexistent.csv'"},
      {{"validate", "--measured", std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/pytorch_attention.csv",
        "--gpu", "h100-sxm", "--ncu", std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/ncu/ncu_bench.csv"},
       "--ncu: the report brackets 26 calls but the measured file has 190 ok rows"},
      {{"validate", "--measured", std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/pytorch_attention.csv",
        "--gpu", "h100-sxm", "--ncu",
        std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/pytorch_attention.csv"},
       "pytorch_attention.csv:1: missing column 'ID'"},
      {{"validate", "--measured", "x.csv", "--gpu", "h100-sxm", "--report", "/nonexistent-dir/page.md"},
       "--report: folder '/nonexistent-dir' does not exist"},
      {{"calibrate", "--gpu", "h100-sxm"}, "--measured: is required (see attnsim calibrate --help)"},
      {{"calibrate", "--measured", "x.csv", "--gpu", "h100-sxm", "--out", "/nonexistent-dir/p.toml"},
       "--out: folder '/nonexistent-dir' does not exist"},
      {{"frobnicate"}, "unknown command 'frobnicate'; allowed: predict, sweep, gpus, variants, validate, calibrate"},
      // Sizes: zero, negative, GQA that does not divide.
      {{"predict", "--seq", "0"}, "--seq: must be a positive integer (got 0)"},
      {{"predict", "--seq-q", "-1"}, "--seq-q: must be a positive integer (got -1)"},
      {{"predict", "--head-dim", "0"}, "--head-dim: must be a positive integer (got 0)"},
      {{"predict", "--head-dim-v", "-64"}, "--head-dim-v: must be a positive integer (got -64)"},
      {{"predict", "--kv-heads", "0"}, "--kv-heads: must be a positive integer (got 0)"},
      {{"predict", "--window", "0"}, "--window: must be a positive integer (got 0)"},
      {{"predict", "--heads", "12", "--kv-heads", "8"}, "--kv-heads: must divide --heads (got heads 12, kv-heads 8)"},
      {{"predict", "--seq", "1e400"}, "--seq: expects an integer (got '1e400')"},
      {{"sweep", "--seq", "0:1024:x2"}, "--seq: range '0:1024:x2' needs 1 <= START <= END"},
      {{"predict", "--variant", "ssm-scan", "--ssm-state", "0"}, "--ssm-state: must be a positive integer (got 0)"},
      // Head dims whose tile does not fit in shared memory, and tiles that do not fit.
      // Head dims no kernel is compiled for, head dims whose own tile does not fit, tiles that do not fit.
      {{"predict", "--variant", "flash2", "--head-dim", "1024", "--tile", "128x128"},
       "--head-dim: flash2 has kernels for head dims up to 256 (FlashAttention's flash_api.cpp); got 1024; allowed: 1 "
       "to 256"},
      {{"predict", "--variant", "flash3", "--head-dim", "320"},
       "--head-dim: flash3 has kernels for head dims up to 256"},
      {{"predict", "--variant", "flash-decode", "--seq-q", "1", "--head-dim-v", "512"},
       "--head-dim-v: flash-decode has kernels for head dims up to 256 (FlashAttention's flash_api.cpp); got 512"},
      {{"predict", "--variant", "sliding-window", "--head-dim", "512"},
       "--head-dim: sliding-window has kernels for head dims up to 256"},
      {{"predict", "--variant", "flash2", "--gpu", "rtx4090", "--head-dim", "256", "--tile", "128x128"},
       "--tile: flash2 fwd tile 128x128, 4 warps, 1 stage needs 196608 bytes of shared memory per CTA at head dim 256; "
       "rtx4090 allows 101376 (use a smaller --tile or fewer --stages)"},
      {{"predict", "--variant", "flash2", "--head-dim", "1024"},
       "--head-dim: flash2 has kernels for head dims up to 256 (FlashAttention's flash_api.cpp); got 1024; allowed: 1 "
       "to 256, or a variant without this limit (eager, sdpa-math, mem-efficient, flash1)"},
      {{"predict", "--variant", "flash2", "--stages", "8"},
       "--tile: flash2 fwd tile 128x64, 4 warps, 8 stages needs 294912 bytes"},
      {{"predict", "--stages", "9"}, "--stages: must be 1..8"},
      {{"predict", "--tile", "4096x64"}, "--tile: block M must be 1..1024"},
      {{"predict", "--tile", "x"}, "--tile: expects BMxBN such as 128x64 (got 'x')"},
      {{"predict", "--tile", "64x-8"}, "--tile: expects BMxBN such as 128x64 (got '64x-8')"},
      // Tiles no kernel can be built with: refused with the rule, not priced.
      {{"predict", "--tile", "7x3"},
       "--tile: flash2 fwd tile 7x3, 4 warps, 1 stage cannot be built: mma shape: block M 7 is not a multiple of 64 "
       "(4 warps x the 16 rows of an mma.sync m16n8k16 fragment, as FlashAttention-2's kernel_traits.h tiles them)"},
      {{"sweep", "--variant", "flash2", "--tile", "128x40"},
       "--tile: flash2 fwd tile 128x40, 4 warps, 1 stage cannot be built: mma shape: block N 40 is not a multiple of "
       "16"},
      {{"predict", "--variant", "flash3", "--tile", "96x128"},
       "--tile: flash3 fwd tile 96x128, 12 warps, 2 stages cannot be built: mma shape: block M 96 is not a multiple of "
       "64 (the M of wgmma m64nNk16)"},
      {{"predict", "--warps", "16"}, "cannot be built: mma shape: block M 128 is not a multiple of 256"},
      {{"predict", "--variant", "flash-decode", "--seq-q", "1", "--seq", "65536", "--tile", "7x3"},
       "--tile: flash-decode split-KV tile 7x3, 4 warps, 1 stage cannot be built: mma shape: block M 7 is not a "
       "multiple of 64"},
      // Unknown names get the nearest one.
      {{"predict", "--variant", "flsh2"},
       "--variant: unknown variant 'flsh2' (did you mean 'flash2'?); allowed: eager,"},
      {{"predict", "--gpu", "rtx409"}, "--gpu: unknown GPU 'rtx409' (did you mean 'rtx4090'?); allowed: a10,"},
      {{"predict", "--gpu", "H100"}, "--gpu: unknown GPU 'H100' (did you mean 'h100-sxm'?); allowed: a10,"},
      {{"sweep", "--gpu", "h100-sxm,a100"}, "--gpu: unknown GPU 'a100' (did you mean 'a100-40gb'?)"},
      {{"sweep", "--variant", "flash2,flash5"}, "--variant: unknown variant 'flash5' (did you mean 'flash1'?)"},
      // Hand-written GPU profiles: file:line, the key, what is allowed.
      {{"predict", "--gpu", "@FILE.toml"},
       "@FILE.toml: hbm_bandwidth_gb_per_s: missing field (see hw_profiles/SCHEMA.md)",
       h100_profile_with("hbm_bandwidth_gb_per_s", "# hbm_bandwidth_gb_per_s")},
      {{"predict", "--gpu", "@FILE.toml"},
       profile_line("hbm_bandwidth") + ": hbm_bandwidth_tb_per_s: unknown key (did you mean 'hbm_bandwidth_gb_per_s'?",
       h100_profile_with("hbm_bandwidth_gb_per_s", "hbm_bandwidth_tb_per_s")},
      {{"predict", "--gpu", "@FILE.toml"},
       profile_line("hbm_bandwidth") +
           ": hbm_bandwidth_gb_per_s: value 3.352 is outside the physical range [10, 1e+06]",
       h100_profile_with("value = 3352,", "value = 3.352,")},
      {{"predict", "--gpu", "@FILE.toml"},
       profile_line("hbm_bandwidth") + ": hbm_bandwidth_gb_per_s: needs a numeric value",
       h100_profile_with("value = 3352,", "value = \"3352 GB/s\",")},
      {{"predict", "--gpu", "@FILE.toml"},
       profile_line("hbm_bandwidth") +
           ": hbm_bandwidth_gb_per_s: value -3352 is outside the physical range [10, 1e+06]",
       h100_profile_with("value = 3352,", "value = -3352,")},
      {{"predict", "--gpu", "@FILE.toml"},
       profile_line("sm_count") + ": malformed TOML: Error while parsing inline table",
       h100_profile_with("value = 132,", "value = 132")},
      {{"predict", "--gpu", "@FILE.toml"},
       profile_line("sm_count") + ": sm_count: value 131.5 must be a whole number",
       h100_profile_with("value = 132,", "value = 131.5,")},
      {{"predict", "--gpu", "@FILE.toml"},
       profile_line("l2_partitions") + ": l2_partitions: value 1.5 must be a whole number",
       h100_profile_with("l2_partitions = { value = 2,", "l2_partitions = { value = 1.5,")},
      {{"predict", "--gpu", "@FILE.toml"},
       "@FILE.toml: compute_capability: must look like \"9.0\" (got \"9.0x\")",
       h100_profile_with("\"9.0\"", "\"9.0x\"")},
      {{"predict", "--gpu", "@FILE.toml"},
       profile_line("fp8_e4m3") + ": tensor_dense_tflops.fp4: unknown dtype; allowed:",
       h100_profile_with("fp8_e4m3 =", "fp4 =")},
      {{"predict", "--gpu", "@FILE.toml"},
       profile_line("id") + ": id: must be a non-empty \"string\"",
       h100_profile_with("id = \"h100-sxm\"", "id = 100")},
      {{"predict", "--gpu", "@FILE.toml"}, "@FILE.toml: id: missing string field", ""},
      // Measured-run CSVs: file:line, the column, what is allowed.
      {{"validate", "--gpu", "h100-sxm", "--measured", "@FILE.csv"},
       "@FILE.csv:1: file is empty; expected a header line",
       ""},
      {{"validate", "--gpu", "h100-sxm", "--measured", "@FILE.csv"},
       "@FILE.csv:1: file is empty; expected a header line",
       "\r\n\n"},
      {{"validate", "--gpu", "h100-sxm", "--measured", "@FILE.csv"},
       "@FILE.csv:1: has a header but no rows",
       kCsvHeader},
      {{"validate", "--gpu", "h100-sxm", "--measured", "@FILE.csv"},
       "@FILE.csv:1: header lacks column 'median_seconds'; required: variant, backend,",
       replace_all(kCsvHeader, "median_seconds", "median_s") + kCsvRow},
      {{"validate", "--gpu", "h100-sxm", "--measured", "@FILE.csv"},
       "@FILE.csv:1: header names column 'heads' twice",
       replace_all(kCsvHeader, "gpu_name", "heads") + kCsvRow},
      {{"validate", "--gpu", "h100-sxm", "--measured", "@FILE.csv"},
       "@FILE.csv:3: row has more fields than the header; each row needs one per header column",
       kCsvHeader + kCsvRow + csv_row_with(",H100", ",H100,extra")},
      {{"validate", "--gpu", "h100-sxm", "--measured", "@FILE.csv"},
       "@FILE.csv:2: row has fewer fields than the header",
       kCsvHeader + "flash2,sdpa-flash,1,32\n"},
      {{"validate", "--gpu", "h100-sxm", "--measured", "@FILE.csv"},
       "@FILE.csv:2: column heads: expected an integer, got 'thirty-two'",
       kCsvHeader + csv_row_with(",1,32,", ",1,thirty-two,")},
      {{"validate", "--gpu", "h100-sxm", "--measured", "@FILE.csv"},
       "@FILE.csv:2: column median_seconds: expected a non-negative number, got '0.87ms'",
       kCsvHeader + csv_row_with("0.00087", "0.87ms")},
      {{"validate", "--gpu", "h100-sxm", "--measured", "@FILE.csv"},
       "@FILE.csv:2: column median_seconds: expected a non-negative number, got '-0.00087'",
       kCsvHeader + csv_row_with("0.00087", "-0.00087")},
      {{"validate", "--gpu", "h100-sxm", "--measured", "@FILE.csv"},
       "@FILE.csv:2: column causal: expected true or false, got 'maybe'",
       kCsvHeader + csv_row_with("false", "maybe")},
      {{"validate", "--gpu", "h100-sxm", "--measured", "@FILE.csv"},
       "@FILE.csv:2: column dtype: unknown dtype 'fp64'; allowed:",
       kCsvHeader + csv_row_with("bf16", "fp64")},
      {{"validate", "--gpu", "h100-sxm", "--measured", "@FILE.csv"},
       "@FILE.csv:2: column seq_kv: must be a positive integer (got 0)",
       kCsvHeader + csv_row_with(",4096,128", ",0,128")},
      {{"validate", "--gpu", "h100-sxm", "--measured", "@FILE.csv"},
       "@FILE.csv:2: a quoted field is not closed",
       kCsvHeader + "\"" + kCsvRow},
      // Options files, output paths and sweep sizes.
      {{"predict", "--config", "@FILE.cfg"}, "--config: '@FILE.cfg': unrecognised option 'frob'", "frob = 1\n"},
      // Found by fuzzing: Boost.Program_options loops forever on text holding its own placeholders.
      {{"sweep", "-x%original_token%"}, "argument 2 contains a %name% sequence, which the option parser cannot report"},
      {{"predict", "--config", "@FILE.cfg"}, "--config: '@FILE.cfg' contains a %name% sequence", "x%invalid_line%\n"},
      {{"sweep", "h100-sxm"}, "unexpected argument 'h100-sxm'; options start with -- (e.g. --seq 4096)"},
      {{"predict", "--out", ""}, "--out: is empty; expected a file path"},
      {{"predict", "--engine", "sim", "--trace", ""}, "--trace: is empty; expected a file path"},
      {{"calibrate", "--measured", "x.csv", "--gpu", "h100-sxm", "--out", ""}, "--out: is empty; expected a file path"},
      {{"validate", "--measured", "x.csv", "--gpu", "h100-sxm", "--out", "/nonexistent-dir/c.csv"},
       "--out: folder '/nonexistent-dir' does not exist"},
      {{"sweep", "--plot", "/nonexistent-dir/wall.svg"}, "--plot: folder '/nonexistent-dir' does not exist"},
      {{"validate", "--measured", "x.csv", "--gpu", "h100-sxm", "--plot", "scatter.pdf"},
       "--plot: unsupported plot format '.pdf'; allowed: .svg, .png"},
      // Simulations too large to run: refused at once rather than after minutes or an exhausted memory.
      {{"predict", "--engine", "sim", "--seq", "1000000000"},
       "--seq: the simulator tracks every Q, K, V and O tile in its L2 model and holds at most 2^25 (33554432); this "
       "call has 1750000000; use --engine model"},
      {{"predict", "--engine", "sim", "--variant", "flash1", "--seq", "10000000"},
       "--seq: flash1's simulation keeps one head's tiles (128x227) in memory and holds at most 2^24 (16777216)"},
      {{"predict", "--engine", "sim", "--seq", "300000000", "--heads", "1", "--kv-heads", "1"},
       "--seq: the simulator would walk 2.5 billion tile steps in flash2 fwd even sampling two waves; it stops at 2.0 "
       "billion; use --engine model or a shorter --seq"},
      {{"tiles", "--seq", "300000000", "--heads", "1", "--kv-heads", "1"},
       "it stops at 125.0 million (the sweep shares 3 billion steps among its 24 candidates; fewer candidates allow "
       "more)"},
      {{"tiles", "--block-m", "16,32,48,64,80,96,112,128,144,160,176,192", "--block-n",
        "16,32,48,64,80,96,112,128,144,160,176", "--stages", "1,2,3,4,5,6,7,8"},
       "--block-m: the grid has 1056 candidates (block M x block N x stages); allowed: at most 1024"},
      {{"sweep", "--seq", "1:1000000:+1"}, "--seq: range '1:1000000:+1' has more than 100000 points"},
      {{"sweep", "--seq", "1:50000:+1", "--variant", "flash2,flash3,eager"},
       "--seq: 50000 points x 3 variants x 2 GPUs = 300000 predictions; allowed: at most 100000"},
  };
  const std::string file_stem = (std::filesystem::temp_directory_path() / "attnsim_cli_test" / "bad").string();
  EXPECT_EQ(table.size(), 110u);  // docs/robustness.md quotes the number
  for (const BadInput& bad : table) {
    std::vector<std::string> args = bad.args;
    for (std::string& arg : args) arg = replace_all(arg, "@FILE", file_stem);
    const std::string message = replace_all(bad.message, "@FILE", file_stem);
    for (const std::string ext : {".toml", ".csv", ".cfg"}) std::filesystem::remove(file_stem + ext);
    if (bad.file_text) {
      const auto path =
          std::find_if(args.begin(), args.end(), [&](const std::string& a) { return a.rfind(file_stem, 0) == 0; });
      ASSERT_NE(path, args.end()) << bad.message;
      std::ofstream(*path, std::ios::binary) << *bad.file_text;
    }
    if (std::find(args.begin(), args.end(), "--out") == args.end()) {
      args.push_back("--out");
      args.push_back(out);
    }
    if (args[0] == "frobnicate") args.resize(1);
    const Result r = attnsim(args);
    SCOPED_TRACE(message);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_FALSE(std::filesystem::exists(out));
  }
}

TEST(Cli, OutputsReportTheMaskTheModelUsedNotTheOptionsTyped) {
  // sliding-window is causal local attention with its window (4096 unless --window says otherwise).
  const Result r = attnsim({"predict", "--variant", "sliding-window", "--seq", "16384", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["causal"].get<bool>());
  EXPECT_EQ(j["window"].get<std::int64_t>(), 4096);
  const Result table = attnsim({"predict", "--variant", "sliding-window", "--seq", "16384", "--window", "1024"});
  ASSERT_EQ(table.status, 0) << table.err;
  EXPECT_NE(table.out.find("bf16 forward causal window 1024, runtime graph\n"), std::string::npos) << table.out;
  const Result sweep = attnsim({"sweep", "--gpu", "h100-sxm", "--variant", "sliding-window,flash2", "--seq", "8192"});
  ASSERT_EQ(sweep.status, 0) << sweep.err;
  EXPECT_NE(sweep.out.find("sliding-window  yes     4096"), std::string::npos) << sweep.out;
  EXPECT_NE(sweep.out.find("flash2          no      none"), std::string::npos) << sweep.out;
  // A variant that honours the options reports them as given.
  const auto flash2 = nlohmann::json::parse(attnsim({"predict", "--seq", "8192", "--format", "json"}).out);
  EXPECT_FALSE(flash2["causal"].get<bool>());
  EXPECT_TRUE(flash2["window"].is_null());
}

TEST(Cli, TheFirstSequenceLengthThatExceedsMemoryIsDrawnHollow) {
  // eager on an RTX 4090 runs out of memory from N = 16384 (examples/01): the plot's hollow
  // circles are exactly the lengths that do not fit, plus the key's sample of that style.
  const std::vector<std::string> args = {"sweep", "--gpu", "rtx4090", "--variant", "eager", "--seq", "4096:65536:x2"};
  std::vector<std::string> json_args = args;
  json_args.insert(json_args.end(), {"--format", "json"});
  const auto j = nlohmann::json::parse(attnsim(json_args).out);
  std::size_t fit = 0;
  std::size_t oom = 0;
  std::int64_t first_oom = 0;
  for (const auto& p : j["points"]) {
    if (p["fits_in_memory"].get<bool>()) {
      ++fit;
    } else if (oom++ == 0) {
      first_oom = p["seq_kv"].get<std::int64_t>();
    }
  }
  ASSERT_EQ(first_oom, 16384);
  const auto path = scratch("first-oom.svg");
  std::vector<std::string> plot_args = args;
  plot_args.insert(plot_args.end(), {"--plot", path.string()});
  ASSERT_EQ(attnsim(plot_args).status, 0);
  const std::string svg = read_text(path.string());
  const auto uses = [&](const std::string& marker) {
    std::size_t n = 0;
    const std::string needle = "xlink:href='#" + marker + "' transform";
    for (std::size_t at = svg.find(needle); at != std::string::npos; at = svg.find(needle, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(uses("gpPt6"), fit + 1);  // gnuplot pt 7, filled circle: the lengths that fit and the key
  EXPECT_EQ(uses("gpPt5"), oom + 1);  // pt 6, hollow circle: every length that does not, and the key
}

}  // namespace
}  // namespace attnsim::cli
