// The capacity model against whole-model peaks measured on an H100 (validate/data/h100-sxm/capacity/:
// Hugging Face transformers 5.17, random bf16 weights from the published configs, one prefill with
// a KV cache). Nothing was fitted to these runs: every constant was set before they were taken.
#include <cmath>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

#include "capacity/memory.h"
#include "capacity/phase_time.h"
#include "io/model_config.h"
#include "tests/test_support.h"

namespace attnsim::capacity {
namespace {

struct MeasuredRun {
  std::string model;
  std::string impl;
  std::int64_t seq = 0;
  bool all_logits = true;
  bool ok = false;
  double peak_allocated_bytes = 0;
};

std::vector<MeasuredRun> runs() {
  std::ifstream in(std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/capacity/peak_memory.csv");
  std::string line;
  std::getline(in, line);  // model,impl,seq,logits,status,weights_allocated_bytes,peak_allocated_bytes,...
  std::vector<MeasuredRun> found;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream fields(line);
    std::string cell;
    while (std::getline(fields, cell, ',')) cells.push_back(cell);
    MeasuredRun r{cells[0], cells[1], std::stoll(cells[2]), cells[3] == "all", cells[4] == "ok", 0};
    if (r.ok) r.peak_allocated_bytes = std::stod(cells[6]);
    found.push_back(r);
  }
  return found;
}

// The run's setting: transformers 5 keeps logits in bf16 and grows a contiguous DynamicCache;
// max_memory_allocated() excludes the CUDA context. PyTorch SDPA on an H100 in bf16 runs its
// FlashAttention-2 backend.
Scenario scenario_of(const MeasuredRun& r) {
  Scenario s;
  s.context = r.seq;
  s.attention = r.impl == "eager" ? "eager" : "flash2";
  s.all_logits = r.all_logits;
  s.logits_fp32 = false;
  s.kv_block_tokens = 1;
  s.runtime.cuda_context_bytes = 0;
  return s;
}

TEST(MeasuredPeak, WithinTenPercentOfEveryMeasuredH100Run) {
  const std::vector<MeasuredRun> all = runs();
  ASSERT_EQ(all.size(), 48u);
  const Gpu& h100 = attnsim::testing::gpu("h100-sxm");
  int compared = 0;
  double worst = 0;
  for (const MeasuredRun& r : all) {
    const double predicted = memory_at(find_model(r.model), h100, scenario_of(r)).total_bytes;
    if (r.ok) {
      const double error = predicted / r.peak_allocated_bytes - 1.0;
      EXPECT_LT(std::fabs(error), 0.10) << r.model << " " << r.impl << " N=" << r.seq;
      worst = std::max(worst, std::fabs(error));
      ++compared;
    } else {
      // Out of memory on the card: the prediction must not fit either.
      EXPECT_GT(predicted, h100.memory_capacity_bytes) << r.model << " " << r.impl << " N=" << r.seq;
    }
  }
  EXPECT_EQ(compared, 42);  // 6 of the 48 runs ran out of memory
  RecordProperty("worst_relative_error", std::to_string(worst));
}

}  // namespace
}  // namespace attnsim::capacity

namespace attnsim::capacity {
namespace {

// Prefill time of the same models on the same GPU (validate/data/h100-sxm/capacity/prefill_time.csv,
// CUDA events around one model() call, median of 5; host dispatch included). The model predicts GPU
// time only, so it is held to account where GPU time dominates: long prompts.
TEST(MeasuredPrefillTime, LongPromptsWithinTwentyPercentForSdpaEagerKnownLow) {
  std::ifstream in(std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/capacity/prefill_time.csv");
  std::string line;
  std::getline(in, line);  // model,impl,seq,median_seconds,min_seconds,max_seconds
  int checked = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream fields(line);
    std::string cell;
    while (std::getline(fields, cell, ',')) cells.push_back(cell);
    const std::int64_t seq = std::stoll(cells[2]);
    const double measured = std::stod(cells[3]);
    Scenario s;
    s.context = seq;
    s.attention = cells[1] == "eager" ? "eager" : "flash2";
    s.all_logits = false;
    const double predicted = phase_time(find_model(cells[0]), attnsim::testing::gpu("h100-sxm"), s).total_seconds;
    const double error = predicted / measured - 1.0;
    SCOPED_TRACE(cells[0] + " " + cells[1] + " N=" + cells[2]);
    if (cells[1] == "sdpa" && seq >= 16384) {
      EXPECT_LT(std::fabs(error), 0.20);
      ++checked;
    }
    // Hugging Face eager at 4K-8K: the model is 28-31% low (recorded, not yet explained).
    if (cells[1] == "eager" && seq >= 4096) {
      EXPECT_LT(error, 0.0);
      EXPECT_GT(error, -0.35);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 8);
}

}  // namespace
}  // namespace attnsim::capacity
