#include "validate/whole_model_error_bands.h"

#include <gtest/gtest.h>

#include <cmath>

#include "io/gpu_profile.h"
#include "io/model_config.h"

namespace attnsim {
namespace {

TEST(WholeModelErrorBands, CommittedTableEqualsWhatTheRecordsGive) {
  const std::vector<capacity::WholeModelErrorBand> computed = compute_whole_model_error_bands(
      committed_whole_model_runs(std::filesystem::path(ATTNSIM_SOURCE_DIR) / "validate/data"), find_gpu);
  const std::vector<capacity::WholeModelErrorBand>& committed = capacity::validated_whole_model_error_bands();
  bool same = computed.size() == committed.size();
  for (std::size_t i = 0; same && i < computed.size(); ++i) {
    const capacity::WholeModelErrorBand& a = computed[i];
    const capacity::WholeModelErrorBand& b = committed[i];
    same = a.phase == b.phase && a.bound == b.bound && a.arch_family == b.arch_family && a.attention == b.attention &&
           a.runs == b.runs && a.gpus == b.gpus && std::abs(a.percent - b.percent) < 0.051;
  }
  EXPECT_TRUE(same) << "capacity/whole_model_error_bands_table.cpp is stale; its rows are now:\n"
                    << whole_model_error_band_table_source(computed);
}

// A dense transformer's batch-1 sdpa prefill on an H100 has a band (its SDPA runs cuDNN there); what
// no end-to-end run covers says so: a GeForce card, another attention, a model with local layers, an
// SSM or experts, a decode step, a batch of 8, all positions' logits.
TEST(WholeModelErrorBands, OnlyWhatTheRunsCoverHasABand) {
  capacity::Scenario s;
  s.attention = "sdpa";
  s.context = 4096;
  s.all_logits = false;
  const capacity::ModelConfig llama = find_model("llama-3.1-8b");
  const Gpu h100 = find_gpu("h100-sxm");
  const capacity::WholeModelErrorBand* band = capacity::whole_model_error_band_for(llama, s, h100, "gpu");
  ASSERT_NE(band, nullptr);
  EXPECT_EQ(band->attention, "cudnn");
  EXPECT_NE(capacity::whole_model_validated_on(band, llama, s, h100, "gpu")
                .find("end-to-end runs of gpu-bound prefill with cudnn on sm90: h100-sxm, h200"),
            std::string::npos);
  EXPECT_EQ(capacity::whole_model_error_band_for(llama, s, find_gpu("rtx4090"), "gpu"), nullptr);
  for (const char* other : {"gemma-3-27b", "mamba2-780m", "deepseek-v3"}) {
    EXPECT_EQ(capacity::whole_model_error_band_for(find_model(other), s, h100, "gpu"), nullptr) << other;
  }
  capacity::Scenario flash = s;
  flash.attention = "flash2";
  EXPECT_EQ(capacity::whole_model_error_band_for(llama, flash, h100, "gpu"), nullptr);
  EXPECT_EQ(capacity::whole_model_validated_on(nullptr, llama, flash, h100, "gpu"),
            "not validated end to end (gpu-bound prefill with flash2 on sm90)");
  capacity::Scenario decode = s, batch = s, logits = s;
  decode.phase = capacity::Phase::decode;
  batch.batch = 8;
  logits.all_logits = true;
  for (const capacity::Scenario& outside : {decode, batch, logits}) {
    EXPECT_EQ(capacity::whole_model_error_band_for(llama, outside, h100, "gpu"), nullptr);
  }
  EXPECT_EQ(capacity::whole_model_validated_on(nullptr, llama, decode, h100, "host"),
            "not validated end to end (no run of decode)");
  EXPECT_NE(capacity::whole_model_validated_on(nullptr, find_model("mamba2-780m"), s, h100, "gpu").find("SSM mixer"),
            std::string::npos);
}

}  // namespace
}  // namespace attnsim
