// attnsim capacity, plan, serve, crossover and ring end to end, in-process: outputs, plots, and bad inputs that
// must each exit 2 with one line naming the option and leave no output file.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/app.h"
#include "tests/cli/cli_support.h"

namespace attnsim::cli {
namespace {

using testing::attnsim;
using testing::Result;

std::filesystem::path scratch(const std::string& name) { return testing::scratch("attnsim_capacity_cli_test", name); }

// The cells of one CSV line; a quoted field may hold commas (plan's `prefill_validated_on` does).
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (const char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

TEST(CapacityCommand, ReportsTheLongestContextPerImplementationWithItsBreakdown) {
  // --logits all (model(input_ids)): every position's logits, which are the wall for flash2.
  const Result r = attnsim({"capacity", "--model", "llama-3.2-1b", "--gpu", "rtx4090", "--variant", "eager,flash2",
                            "--logits", "all", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["results"].size(), 2u);
  for (const auto& one : j["results"]) {
    const double capacity = one["capacity_bytes"];
    EXPECT_LE(one["peak_bytes"].get<double>(), capacity);
    EXPECT_GT(one["next_token_peak_bytes"].get<double>(), capacity);
    EXPECT_GT(one["breakdown"]["weights_bytes"].get<double>(), 2.4e9);
  }
  const auto eager = j["results"][0]["longest_context"].get<std::int64_t>();
  const auto flash = j["results"][1]["longest_context"].get<std::int64_t>();
  EXPECT_GT(flash, 3 * eager);
  EXPECT_EQ(j["results"][0]["peak_step"], "attention");
  EXPECT_EQ(j["results"][1]["peak_step"], "logits");  // full-sequence logits are the wall for flash
}

TEST(CapacityCommand, SsmModelsAndModelsThatDoNotFitSaySo) {
  const Result ssm = attnsim({"capacity", "--model", "mamba2-780m", "--gpu", "rtx4090", "--phase", "decode"});
  ASSERT_EQ(ssm.status, 0) << ssm.err;
  EXPECT_NE(ssm.out.find("unbounded"), std::string::npos) << ssm.out;
  const Result big = attnsim({"capacity", "--model", "llama-3.1-70b", "--gpu", "rtx4090", "--variant", "flash2"});
  ASSERT_EQ(big.status, 0) << big.err;
  EXPECT_NE(big.out.find("note: flash2: nothing fits"), std::string::npos) << big.out;
}

// A short prompt in eager mode waits on the host's dispatch, not the GPU: the note says so and what
// sets the time; a long one is the GPU's and has no such note.
TEST(CapacityCommand, SaysWhenTheHostSetsThePredictedTime) {
  const std::vector<std::string> args = {"capacity",  "--model", "llama-3.2-1b", "--gpu", "h100-sxm",
                                         "--variant", "sdpa",    "--logits",     "last",  "--seq"};
  std::vector<std::string> short_prompt = args, long_prompt = args;
  short_prompt.push_back("1024");
  long_prompt.push_back("32768");
  const Result host = attnsim(short_prompt);
  ASSERT_EQ(host.status, 0) << host.err;
  EXPECT_NE(host.out.find("note: sdpa: host-bound: eager dispatch (870 operators at 20.2 us)"), std::string::npos)
      << host.out;
  const Result gpu = attnsim(long_prompt);
  ASSERT_EQ(gpu.status, 0) << gpu.err;
  EXPECT_EQ(gpu.out.find("host-bound"), std::string::npos) << gpu.out;
  std::vector<std::string> graph = short_prompt;
  graph.insert(graph.end(), {"--runtime", "graph"});
  const Result graphed = attnsim(graph);
  ASSERT_EQ(graphed.status, 0) << graphed.err;
  EXPECT_EQ(graphed.out.find("host-bound"), std::string::npos) << graphed.out;
  // The time's band from the end-to-end runs: a batch-1 sdpa prefill on an H100 has one; a decode
  // step, which no end-to-end run measured, says so.
  std::vector<std::string> json_args = long_prompt;
  json_args.insert(json_args.end(), {"--format", "json"});
  const Result json = attnsim(json_args);
  ASSERT_EQ(json.status, 0) << json.err;
  const auto one = nlohmann::json::parse(json.out)["results"][0];
  EXPECT_EQ(one["bound"], "gpu");
  EXPECT_GT(one["error_band_percent"].get<double>(), 0.0);
  EXPECT_NE(one["validated_on"].get<std::string>().find("gpu-bound prefill with cudnn on sm90"), std::string::npos);
  // A cuDNN decode step rebuilds its graph on the host: counted apart from the operators.
  const Result decode = attnsim({"capacity", "--model", "llama-3.2-1b", "--gpu", "h100-sxm", "--variant", "cudnn",
                                 "--phase", "decode", "--seq", "4096"});
  ASSERT_EQ(decode.status, 0) << decode.err;
  EXPECT_NE(decode.out.find("(870 operators at 20.2 us, plus 72.000 ms rebuilding the cuDNN graph)"), std::string::npos)
      << decode.out;
  EXPECT_NE(decode.out.find("predicted time not validated end to end (no run of decode)"), std::string::npos)
      << decode.out;
  // The band belongs to the length the time is for: 131072 tokens is past every end-to-end run.
  const Result beyond = attnsim({"capacity", "--model", "llama-3.2-1b", "--gpu", "h100-sxm", "--variant", "sdpa",
                                 "--seq", "131072", "--format", "json"});
  ASSERT_EQ(beyond.status, 0) << beyond.err;
  const auto far = nlohmann::json::parse(beyond.out)["results"][0];
  EXPECT_TRUE(far["error_band_percent"].is_null()) << far;
  EXPECT_NE(far["validated_on"].get<std::string>().find("not validated end to end"), std::string::npos) << far;
  EXPECT_NE(far["validated_on"].get<std::string>().find("N 128-32768"), std::string::npos) << far;
}

TEST(CapacityCommand, DrawsAStackedPlotWithTheCapacityLine) {
  const auto path = scratch("capacity.svg");
  const Result r = attnsim({"capacity", "--model", "llama-3.2-1b", "--gpu", "rtx4090", "--variant", "eager,flash2", "--plot", path.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream in(path);
  std::stringstream svg;
  svg << in.rdbuf();
  EXPECT_NE(svg.str().find("<svg"), std::string::npos);
  EXPECT_NE(svg.str().find("rtx4090 capacity"), std::string::npos);
  EXPECT_NE(svg.str().find("logits"), std::string::npos);
}

TEST(PlanCommand, OneRowPerGpuWithFitTimeRateAndCost) {
  const auto path = scratch("plan.csv");
  const Result r = attnsim({"plan", "--model", "llama-3.1-8b", "--seq", "131072", "--format", "csv", "--out", path.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = cells(line);
  const auto column = [&](const std::string& key) {
    return std::size_t(std::find(header.begin(), header.end(), key) - header.begin());
  };
  ASSERT_LT(column("decode_tokens_per_second"), header.size());
  int rows = 0;
  bool h100_priced = false;
  bool rtx4090_needs_more = false;
  while (std::getline(in, line)) {
    ++rows;
    const std::vector<std::string> row = cells(line);
    ASSERT_EQ(row.size(), header.size()) << line;
    if (row[0] == "h100-sxm") h100_priced = !row[column("prefill_usd_per_mtok")].empty();
    if (row[0] == "rtx4090") rtx4090_needs_more = row[column("fits")] == "false" && row[column("gpus_needed")] == "2";
  }
  EXPECT_EQ(rows, 12);
  EXPECT_TRUE(h100_priced);
  EXPECT_TRUE(rtx4090_needs_more);
}

// Eager dispatch of a short prompt takes the host longer than any of these GPUs takes the work: the
// rows say "host" and the table's note names them, since their times are then the same.
TEST(PlanCommand, SaysWhichRowsTheHostSets) {
  const Result json =
      attnsim({"plan", "--model", "llama-3.2-1b", "--seq", "1024", "--gpu", "h100-sxm,rtx4090", "--format", "json"});
  ASSERT_EQ(json.status, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["gpus"][0]["prefill_bound"], "host");
  EXPECT_EQ(j["gpus"][0]["decode_bound"], "host");
  EXPECT_EQ(j["gpus"][1]["prefill_bound"], "gpu");  // the RTX 4090 takes 20.3 ms, the host 17.6
  // plan's default attention is flash2 (transformers' flash_attention_2), which no end-to-end run used.
  EXPECT_TRUE(j["gpus"][0]["prefill_error_band_percent"].is_null());
  EXPECT_EQ(j["gpus"][0]["prefill_validated_on"], "not validated end to end (host-bound prefill with flash2 on sm90)");
  EXPECT_EQ(j["gpus"][1]["prefill_validated_on"], "not validated end to end (gpu-bound prefill with flash2 on sm8x)");
  const Result sdpa = attnsim({"plan", "--model", "llama-3.2-1b", "--seq", "1024", "--gpu", "h100-sxm", "--variant",
                               "sdpa", "--format", "json"});
  ASSERT_EQ(sdpa.status, 0) << sdpa.err;
  EXPECT_GT(nlohmann::json::parse(sdpa.out)["gpus"][0]["prefill_error_band_percent"].get<double>(), 0.0);
  const Result table = attnsim({"plan", "--model", "llama-3.2-1b", "--seq", "1024", "--gpu", "h100-sxm,rtx4090"});
  ASSERT_EQ(table.status, 0) << table.err;
  EXPECT_NE(table.out.find("prefill on h100-sxm; decode on h100-sxm, rtx4090"), std::string::npos) << table.out;
  // The decode rate says how far to trust it too, in the JSON and under the table.
  EXPECT_EQ(j["gpus"][1]["decode_validated_on"], "not validated end to end (no run of decode)");
  EXPECT_TRUE(j["gpus"][1]["decode_error_band_percent"].is_null());
  EXPECT_NE(table.out.find("note: decode rate on every GPU: not validated end to end (no run of decode)"),
            std::string::npos)
      << table.out;
  const Result graph = attnsim({"plan", "--model", "llama-3.2-1b", "--seq", "1024", "--gpu", "h100-sxm", "--runtime",
                                "graph", "--format", "json"});
  ASSERT_EQ(graph.status, 0) << graph.err;
  EXPECT_EQ(nlohmann::json::parse(graph.out)["gpus"][0]["prefill_bound"], "gpu");
}

TEST(PlanCommand, LatencyBudgetRaisesTheGpuCount) {
  const Result loose = attnsim({"plan", "--model", "llama-3.1-8b", "--seq", "131072", "--gpu", "h100-sxm", "--format", "json"});
  const Result tight = attnsim({"plan", "--model", "llama-3.1-8b", "--seq", "131072", "--gpu", "h100-sxm",
                                "--latency-budget", "2", "--format", "json"});
  ASSERT_EQ(loose.status, 0) << loose.err;
  ASSERT_EQ(tight.status, 0) << tight.err;
  const auto one = nlohmann::json::parse(loose.out)["gpus"][0]["gpus_needed"].get<int>();
  const auto row = nlohmann::json::parse(tight.out)["gpus"][0];
  EXPECT_EQ(one, 1);
  EXPECT_GT(row["gpus_needed"].get<int>(), 1);
  EXPECT_NE(row["why"].get<std::string>().find("> budget"), std::string::npos);
}

struct BadInput {
  std::vector<std::string> args;
  std::string message;
};

TEST(CapacityCommands, BadInputsExitTwoWithOneClearLineAndNoFile) {
  const std::string out = scratch("never.txt").string();
  const std::vector<BadInput> table = {
      {{"capacity", "--model", "llama-3.1-8"}, "--model: unknown model 'llama-3.1-8' (did you mean 'llama-3.1-8b'"},
      {{"capacity", "--model", "/nonexistent/m.toml"}, "--model: cannot read model file '/nonexistent/m.toml'"},
      {{"capacity", "--variant", "flash4"}, "--variant: unknown variant 'flash4'"},
      {{"capacity", "--variant", "ssm-scan"}, "--variant: ssm-scan is not an attention implementation"},
      {{"capacity", "--phase", "serve"}, "--phase: unknown phase 'serve'; allowed: prefill, decode, train, train-recompute"},
      {{"capacity", "--batch", "0"}, "--batch: must be 1..2^20"},
      {{"capacity", "--kv-block", "0"}, "--kv-block: must be 1..65536 tokens"},
      {{"capacity", "--logits", "some"}, "--logits: allowed: all, last (got 'some')"},
      {{"capacity", "--logits-dtype", "fp16"}, "--logits-dtype: allowed: fp32, model (got 'fp16')"},
      {{"capacity", "--dtype", "fp8-e4m3"}, "--dtype: allowed for the model: fp32, fp16, bf16"},
      {{"capacity", "--capacity-gib", "lots"}, "--capacity-gib: expects a non-negative number (got 'lots')"},
      {{"capacity", "--plot", "wall.pdf"}, "--plot: unsupported plot format '.pdf'; allowed: .svg, .png"},
      {{"capacity", "--model", "all", "--plot", "x.svg"}, "--plot: draws one model on one GPU"},
      {{"capacity", "--out", "/nonexistent-dir/c.txt"}, "--out: folder '/nonexistent-dir' does not exist"},
      {{"plan", "--seq", "0"}, "--seq: must be 1..2^40 tokens"},
      {{"ring", "--model", "mamba2-780m", "--gpu-count", "2"}, "--model: context parallelism is modelled for attention-only models"},
      {{"ring", "--interconnect-gb-per-s", "fast"}, "--interconnect-gb-per-s: expects a bandwidth in GB/s > 0 (got 'fast')"},
      {{"ring", "--gpu-count", "0"}, "--gpu-count: must be 1..4096"},
      {{"serve", "--batch", "1,0"}, "--batch: each batch must be 1..2^20 (got 0)"},
      {{"serve", "--phase", "prefill"}, "--phase: attnsim serve models decoding; allowed: decode"},
      {{"plan", "--gpu", "h100"}, "--gpu: unknown GPU 'h100' (did you mean 'h100-"},
      {{"plan", "--latency-budget", "-1"}, "--latency-budget: expects seconds > 0 (got '-1')"},
      {{"capacity", "--weight-dtype", "int3"}, "--weight-dtype: unknown weight format 'int3'; allowed: bf16, fp16, fp8, int8, int4"},
      {{"capacity", "--weight-group-size", "64"}, "--weight-group-size: applies to --weight-dtype int8 and int4 only"},
      {{"serve", "--weight-dtype", "int4", "--weight-group-size", "0"}, "--weight-group-size: must be 1..65536 weights per scale"},
      {{"capacity", "--phase", "train", "--weight-dtype", "int4"}, "--weight-dtype: quantized weights are modelled for inference"},
      {{"capacity", "--kv-cache", "off"}, "--kv-cache: allowed: dynamic, legacy, none (got 'off')"},
      {{"serve", "--kv-cache", "none"}, "--kv-cache: none applies to prefill and training; decode reads a cache"},
      {{"capacity", "--ssm-kernel", "triton"}, "--ssm-kernel: allowed: fused, torch (got 'triton')"},
      {{"capacity", "--model", "mamba-790m", "--ssm-kernel", "torch"}, "--ssm-kernel: torch is modelled for Mamba-2 mixers"},
      {{"capacity", "--phase", "train", "--ssm-kernel", "torch"}, "--ssm-kernel: torch is modelled for prefill and decode"},
      {{"capacity", "--phase", "train", "--kv-cache", "legacy"}, "--kv-cache: legacy describes generate()'s cache"},
  };
  for (const BadInput& bad : table) {
    std::vector<std::string> args = bad.args;
    if (std::find(args.begin(), args.end(), "--out") == args.end()) {
      args.push_back("--out");
      args.push_back(out);
    }
    const Result r = attnsim(args);
    SCOPED_TRACE(bad.message);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find(bad.message), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out));
  }
}

TEST(PlanCommand, Int4WeightsCutTheGpusAMixtureOfExpertsNeeds) {
  auto gpus_needed = [](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"plan", "--model", "deepseek-v3", "--seq", "131072", "--gpu", "h200", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const Result r = attnsim(args);
    EXPECT_EQ(r.status, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_NE(j["scenario"].get<std::string>().find(extra.empty() ? "bf16, KV" : "weights int4"), std::string::npos);
    return j["gpus"][0]["gpus_needed"].get<int>();
  };
  // 1.25 TB of bf16 weights take 16 H200s; int4 with its scales (0.34 TB) four.
  const int bf16 = gpus_needed({});
  const int int4 = gpus_needed({"--weight-dtype", "int4"});
  EXPECT_EQ(bf16, 16);
  EXPECT_EQ(int4, 4);
}

TEST(CapacityCommands, HelpTeachesWithExamples) {
  for (const std::string command : {"capacity", "plan", "serve", "crossover", "ring"}) {
    const Result r = attnsim({command, "--help"});
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("examples:"), std::string::npos) << command;
  }
}

TEST(ServeCommand, LongerContextsFitSmallerBatchesAndThroughputCollapses) {
  const Result r = attnsim({"serve", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--seq", "4096,65536", "--batch", "1,8",
                            "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["largest_batch"].size(), 2u);
  const auto short_batch = j["largest_batch"][0]["largest_batch"].get<std::int64_t>();
  const auto long_batch = j["largest_batch"][1]["largest_batch"].get<std::int64_t>();
  // 16 GB of weights + 512 MiB of cache per 4K-token sequence in 79 GiB; 8 GiB per 64K sequence.
  EXPECT_GT(short_batch, 100);
  EXPECT_LT(long_batch, 10);
  const double short_rate = j["largest_batch"][0]["tokens_per_second"].get<double>();
  const double long_rate = j["largest_batch"][1]["tokens_per_second"].get<double>();
  EXPECT_GT(short_rate, 10.0 * long_rate);
  ASSERT_EQ(j["grid"].size(), 4u);
  // Every rate says how far to trust it: no end-to-end run timed a decode step.
  for (const auto& row : j["grid"]) {
    EXPECT_TRUE(row["error_band_percent"].is_null()) << row;
    EXPECT_EQ(row["validated_on"], "not validated end to end (no run of decode)") << row;
  }
  EXPECT_EQ(j["largest_batch"][0]["validated_on"], "not validated end to end (no run of decode)");
}

TEST(CrossoverCommand, TheSsmOvertakesTheTransformerAtLongPrompts) {
  const Result r = attnsim({"crossover", "--transformer", "llama-3.2-1b", "--ssm", "mamba2-780m", "--gpu", "h100-sxm",
                            "--seq", "1024:262144:x4", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto n = j["time_crossover_seq"].get<std::int64_t>();
  EXPECT_GT(n, 1024);
  EXPECT_LT(n, 262144);
  EXPECT_EQ(j["points"].back()["faster"], "mamba2-780m");
  // Both models' times carry their trust, each saying what no end-to-end run covered: at 4096
  // tokens the kernel (the runs ran SDPA, not flash2), at 262144 the length, and any SSM.
  EXPECT_EQ(j["points"][1]["transformer_validated_on"],
            "not validated end to end (gpu-bound prefill with flash2 on sm90)");
  EXPECT_NE(j["points"].back()["transformer_validated_on"].get<std::string>().find("N 128-32768"), std::string::npos);
  EXPECT_TRUE(j["points"].back()["ssm_error_band_percent"].is_null());
  EXPECT_NE(j["points"][0]["ssm_validated_on"].get<std::string>().find("SSM mixer"), std::string::npos);
  const Result bad = attnsim({"crossover", "--ssm", "llama-3.2-1b"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("--ssm: 'llama-3.2-1b' is not a pure SSM"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace attnsim::cli
