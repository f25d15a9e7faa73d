// attnsim predict --engine sim, --trace and attnsim tiles, end to end in-process; bad inputs give
// exit status 2, one line naming the option, and neither an output nor a trace file.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/cli/cli_support.h"

namespace attnsim::cli {
namespace {

using testing::attnsim;
using testing::Result;
using testing::scratch;

TEST(SimCli, PredictWithTheSimulatorShowsTheScheduleAndWritesAPerfettoTrace) {
  const auto trace = scratch("schedule.json");
  const Result r = attnsim({"predict", "--gpu", "h100-sxm", "--seq", "4096", "--heads", "8", "--causal", "--engine", "sim",
                            "--trace", trace.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const std::string key : {"simulated schedule", "l2_hit_rate", "sm_busy_fraction", "engine sim"}) {
    EXPECT_NE(r.out.find(key), std::string::npos) << key;
  }
  std::ifstream in(trace);
  const auto j = nlohmann::json::parse(in);
  int sm_tracks = 0;
  int ctas = 0;
  for (const auto& e : j["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "process_name" && e["args"]["name"].get<std::string>().rfind("SM ", 0) == 0) ++sm_tracks;
    if (e["ph"] == "X") {
      ++ctas;
      EXPECT_GT(e["dur"].get<double>(), 0.0);
    }
  }
  EXPECT_EQ(sm_tracks, 132);
  EXPECT_EQ(ctas, 8 * 4096 / 128);  // one event per CTA: H x query blocks
}

TEST(SimCli, PredictCsvAndJsonCarryTheSimulatorFigures) {
  const Result csv = attnsim({"predict", "--seq", "2048", "--engine", "sim", "--format", "csv"});
  ASSERT_EQ(csv.status, 0) << csv.err;
  EXPECT_NE(csv.out.find("l2_hit_rate"), std::string::npos);
  const Result json = attnsim({"predict", "--seq", "2048", "--engine", "sim", "--format", "json"});
  ASSERT_EQ(json.status, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["simulation"]["kernels"][0]["kernel"], "flash2 fwd");
  EXPECT_GT(j["simulation"]["kernels"][0]["l2_read_bytes"].get<double>(), j["hbm_read_bytes"].get<double>());
}

TEST(SimCli, TilesSortsByTimeMarksTheDefaultAndSaysWhichLimitFails) {
  const Result r = attnsim({"tiles", "--gpu", "h100-sxm", "--seq", "4096", "--heads", "16", "--block-m", "64,128,192",
                            "--block-n", "32,64,128,176", "--stages", "1,2,3", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out)["candidates"];
  ASSERT_EQ(rows.size(), 36u);
  int defaults = 0;
  double previous = 0;
  bool infeasible_seen = false;
  for (const auto& row : rows) {
    defaults += row["default"].get<bool>() ? 1 : 0;
    if (!row["feasible"].get<bool>()) {
      infeasible_seen = true;
      EXPECT_FALSE(row["infeasible_reason"].get<std::string>().empty());
      continue;
    }
    EXPECT_FALSE(infeasible_seen) << "feasible rows come first";
    EXPECT_GE(row["time_seconds"].get<double>(), previous);
    previous = row["time_seconds"].get<double>();
  }
  EXPECT_EQ(defaults, 1);
  // 128x128 at d = 128 needs 320 accumulator registers per thread: it runs, spilling 65 of them.
  bool spilling_row_seen = false;
  for (const auto& row : rows) {
    if (row["block_m"] == 128 && row["block_n"] == 128 && row["stages"] == 1) {
      spilling_row_seen = true;
      EXPECT_TRUE(row["feasible"].get<bool>());
      EXPECT_EQ(row["spilled_registers_per_thread"].get<double>(), 65.0);
      EXPECT_EQ(row["spill_bytes_per_key_block"].get<double>(), 128.0 * 65.0 * 8.0);
    }
  }
  EXPECT_TRUE(spilling_row_seen);
  EXPECT_EQ(r.out.find("registers:"), std::string::npos) << "a register spill is no launch limit";
  EXPECT_NE(r.out.find("shared memory: 280 KiB per CTA > 227 KiB"), std::string::npos);  // 64x176, 3 stages

  // A 24 GB GeForce card has 99 KiB per block: the H100's 3-stage tiles do not fit there.
  const Result geforce = attnsim({"tiles", "--gpu", "rtx4090", "--seq", "4096", "--heads", "16"});
  ASSERT_EQ(geforce.status, 0) << geforce.err;
  EXPECT_NE(geforce.out.find("> 99 KiB allowed"), std::string::npos);
  EXPECT_NE(geforce.out.find("\n*"), std::string::npos);
  EXPECT_NE(geforce.out.find("65 regs"), std::string::npos) << geforce.out;  // the spills column
}

TEST(SimCli, TilesAddsTheDefaultWhenTheGridLacksItAndDrawsTheHeatmap) {
  const auto plot = scratch("tiles.svg");
  const Result r = attnsim({"tiles", "--seq", "2048", "--heads", "8", "--block-m", "64", "--block-n", "32,64",
                            "--stages", "1", "--plot", plot.string(), "--format", "csv"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 4);  // header, 2 candidates, the default 128x64
  EXPECT_NE(r.out.find("true,128,64"), std::string::npos) << r.out;
  ASSERT_TRUE(std::filesystem::exists(plot));
  std::ifstream in(plot);
  std::stringstream svg;
  svg << in.rdbuf();
  EXPECT_NE(svg.str().find("<svg"), std::string::npos);
}

TEST(SimCli, TilesNoKernelCanBuildAreRefusedRowsWithTheirRule) {
  const Result r = attnsim({"tiles", "--seq", "2048", "--heads", "8", "--block-m", "1,64", "--block-n", "1,64",
                            "--stages", "1", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto rows = nlohmann::json::parse(r.out)["candidates"];
  int refused = 0;
  for (const auto& row : rows) {
    const std::int64_t m = row["block_m"].get<std::int64_t>();
    const std::int64_t n = row["block_n"].get<std::int64_t>();
    if (m == 1 || n == 1) {
      ++refused;
      EXPECT_FALSE(row["feasible"].get<bool>());
      EXPECT_EQ(row["infeasible_reason"].get<std::string>().rfind("mma shape: block ", 0), 0u) << row.dump();
      EXPECT_TRUE(row["time_seconds"].is_null());  // not priced
    } else {
      EXPECT_TRUE(row["feasible"].get<bool>()) << row.dump();
    }
  }
  EXPECT_EQ(refused, 3);
}

TEST(SimCli, BadInputsExitTwoWithOneClearLineAndNoFile) {
  const std::string out = scratch("never.txt").string();
  const std::string trace = scratch("never-trace.json").string();
  const std::vector<std::pair<std::vector<std::string>, std::string>> table = {
      {{"predict", "--engine", "spice"}, "--engine: unknown engine 'spice'; allowed: model, sim"},
      {{"predict", "--trace", trace}, "--trace: needs --engine sim"},
      {{"predict", "--engine", "sim", "--variant", "eager"}, "--variant: the simulator has tile programs for flash1, flash2"},
      {{"predict", "--engine", "sim", "--pass", "backward"}, "--pass: the simulator runs forward kernels"},
      {{"predict", "--engine", "sim", "--trace", "/nonexistent-dir/t.json"}, "--trace: folder '/nonexistent-dir' does not exist"},
      {{"tiles", "--block-m", "0,64"}, "--block-m: values must be 1..1024 (got 0)"},
      {{"tiles", "--block-n", ","}, "--block-n: needs at least one value"},
      {{"tiles", "--stages", "9"}, "--stages: values must be 1..8"},
      {{"tiles", "--variant", "eager"}, "--variant: the tile what-if covers flash2"},
      {{"tiles", "--plot", "tiles.pdf"}, "--plot: unsupported plot format '.pdf'"},
      {{"tiles", "--jobs", "0"}, "--jobs: must be 1..256"},
      {{"tiles", "--seq-q", "1", "--seq", "8192"}, "--seq-q: flash2 takes its split-KV path for this workload"},
  };
  for (const auto& [bad_args, message] : table) {
    std::vector<std::string> args = bad_args;
    args.push_back("--out");
    args.push_back(out);
    const Result r = attnsim(args);
    SCOPED_TRACE(message);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out));
    EXPECT_FALSE(std::filesystem::exists(trace));
  }
}

}  // namespace
}  // namespace attnsim::cli
