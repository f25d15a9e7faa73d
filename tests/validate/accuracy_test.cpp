// The validation issue's accuracy targets on the committed measurements (test split, see
// validate/accuracy_checks.h): the H100, whose training split informed the model's constants, and
// the H200, on which nothing was fitted. Prints target and achieved for every check. A missed
// target passes only when validate/data/<gpu>/known_misses.txt lists it with the achieved number
// (to two decimals) and the reason; a listed check that now meets its target, or whose number
// moved, fails, so the list cannot go stale.
#include "validate/accuracy_checks.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "tests/test_support.h"
#include "validate/measured_clocks.h"

namespace attnsim {
namespace {

std::filesystem::path data_folder(const std::string& gpu) {
  return std::filesystem::path(ATTNSIM_SOURCE_DIR) / "validate/data" / gpu;
}

struct KnownMiss {
  double achieved = 0;
  std::string reason;
};

std::map<std::string, KnownMiss> read_known_misses(const std::filesystem::path& file) {
  std::map<std::string, KnownMiss> misses;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string id;
    KnownMiss miss;
    fields >> id >> miss.achieved;
    std::getline(fields, miss.reason);
    misses[id] = miss;
  }
  return misses;
}

const char* goal_text(AccuracyCheck::Goal goal) {
  switch (goal) {
    case AccuracyCheck::Goal::at_most:
      return "<=";
    case AccuracyCheck::Goal::at_least:
      return ">=";
    case AccuracyCheck::Goal::equal:
      return "==";
  }
  return "?";
}

void expect_targets_or_listed_misses(const std::vector<AccuracyCheck>& checks,
                                     const std::filesystem::path& misses_file) {
  std::map<std::string, KnownMiss> misses = read_known_misses(misses_file);
  ASSERT_GT(checks.size(), 5u);

  int met = 0;
  std::cout << fmt::format("{:<84} {:>10} {:>10}  {}\n", "check", "target", "achieved", "verdict");
  for (const AccuracyCheck& c : checks) {
    const auto listed = misses.find(c.id);
    std::string verdict = c.met() ? "met" : "MISSED";
    if (c.met()) ++met;
    if (listed != misses.end()) {
      verdict += " (listed miss:" + listed->second.reason + ")";
      EXPECT_FALSE(c.met()) << c.id << " now meets its target: remove it from known_misses.txt";
      EXPECT_NEAR(listed->second.achieved, std::round(c.achieved * 100.0) / 100.0, 0.0051)
          << c.id << ": known_misses.txt lists " << listed->second.achieved << ", achieved now "
          << fmt::format("{:.2f}", c.achieved);
      misses.erase(listed);
    } else {
      EXPECT_TRUE(c.met()) << c.id << " misses its target (" << goal_text(c.goal) << " " << c.target
                           << ", achieved " << c.achieved << ") and is not in known_misses.txt";
    }
    std::cout << fmt::format("{:<84} {:>4} {:<8.6g} {:>10.2f}  {}\n", c.id, goal_text(c.goal), c.target, c.achieved,
                             verdict);
  }
  std::cout << fmt::format("{} of {} targets met\n", met, checks.size());
  for (const auto& [id, miss] : misses) ADD_FAILURE() << "known_misses.txt lists " << id << ", which no check has";
}

TEST(Accuracy, TargetsOnTheH100TestSplitOrListedMisses) {
  const std::filesystem::path data = data_folder("h100-sxm");
  AccuracyInputs inputs;
  inputs.data_root = data.parent_path();
  inputs.timed = {data / "attnsim_bench_extended.csv", data / "pytorch_attention.csv"};
  inputs.ncu = {{data / "ncu/ncu_bench_runs.csv", data / "ncu/ncu_bench.csv"},
                {data / "ncu/ncu_pytorch_runs.csv", data / "ncu/ncu_pytorch.csv"}};
  expect_targets_or_listed_misses(run_accuracy_checks(inputs, testing::gpu("h100-sxm")), data / "known_misses.txt");
}

// No constant of the model came from these runs: the H200 is the held-out GPU.
TEST(Accuracy, TargetsOnTheUnseenH200OrListedMisses) {
  const std::filesystem::path data = data_folder("h200");
  AccuracyInputs inputs;
  inputs.data_root = data.parent_path();
  inputs.timed = {data / "attnsim_bench.csv", data / "pytorch_attention.csv", data / "mechanisms/training.csv"};
  inputs.ncu = {{data / "ncu/ncu_long_runs.csv", data / "ncu/ncu_long.csv"}};
  expect_targets_or_listed_misses(run_accuracy_checks(inputs, testing::gpu("h200")), data / "known_misses.txt");
}

// Published measurements of GPUs the project cannot run (and of kernels it did not run, FA3 on the
// H100): no constant was fitted on them.
TEST(Accuracy, PublishedNumbersOrListedMisses) {
  const std::filesystem::path data = std::filesystem::path(ATTNSIM_SOURCE_DIR) / "validate/data/published";
  std::vector<AccuracyCheck> checks;
  for (const char* gpu : {"a100-sxm-80gb", "h100-sxm", "b200", "rtx3090", "rtx4090", "rtx5090"}) {
    const std::string file = std::string(gpu) + ".csv";
    const Gpu measured_on = gpu_as_measured(testing::gpu(gpu), data.parent_path(), "published/" + file);
    for (const AccuracyCheck& c : published_checks(data / file, measured_on)) {
      checks.push_back(c);
    }
  }
  expect_targets_or_listed_misses(checks, data / "known_misses.txt");
}

TEST(Accuracy, SpearmanOfRanksWithTies) {
  EXPECT_NEAR(spearman({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0, 1e-12);
  EXPECT_NEAR(spearman({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0, 1e-12);
  EXPECT_NEAR(spearman({1, 2, 3}, {1, 1, 2}), std::sqrt(0.75), 1e-12);
  EXPECT_TRUE(std::isnan(spearman({1}, {2})));
}

TEST(Accuracy, TestSplitIsEvenPowersOfTwo) {
  MeasuredRun r;
  for (std::int64_t n : {1024, 4096, 16384, 65536}) {
    r.workload.seq_kv = n;
    EXPECT_TRUE(in_test_split(r)) << n;
  }
  for (std::int64_t n : {512, 2048, 8192, 32768, 131072, 1000}) {
    r.workload.seq_kv = n;
    EXPECT_FALSE(in_test_split(r)) << n;
  }
}

}  // namespace
}  // namespace attnsim
