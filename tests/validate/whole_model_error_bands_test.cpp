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

// A dense transformer's sdpa prefill on sm90 has a band; the same on a GeForce card, with another
// attention, or for a model kind no run covered (an SSM, a mixture of experts) says it has none.
TEST(WholeModelErrorBands, OnlyWhatTheRunsCoverHasABand) {
  capacity::Scenario s;
  s.attention = "sdpa";
  const capacity::ModelConfig llama = find_model("llama-3.1-8b");
  const capacity::WholeModelErrorBand* band = capacity::whole_model_error_band_for(llama, s, "gpu", "sm90");
  ASSERT_NE(band, nullptr);
  EXPECT_NE(capacity::whole_model_validated_on(band, llama, s, "gpu", "sm90")
                .find("end-to-end runs of gpu-bound prefill with sdpa on sm90: h100-sxm, h200"),
            std::string::npos);
  EXPECT_EQ(capacity::whole_model_error_band_for(llama, s, "gpu", "sm8x"), nullptr);
  EXPECT_EQ(capacity::whole_model_error_band_for(find_model("mamba2-780m"), s, "gpu", "sm90"), nullptr);
  EXPECT_EQ(capacity::whole_model_error_band_for(find_model("deepseek-v3"), s, "gpu", "sm90"), nullptr);
  capacity::Scenario flash = s;
  flash.attention = "flash2";
  EXPECT_EQ(capacity::whole_model_error_band_for(llama, flash, "gpu", "sm90"), nullptr);
  EXPECT_EQ(capacity::whole_model_validated_on(nullptr, llama, flash, "gpu", "sm90"),
            "not validated end to end (gpu-bound prefill with flash2 on sm90)");
  EXPECT_NE(capacity::whole_model_validated_on(nullptr, find_model("mamba2-780m"), s, "gpu", "sm90").find("SSM mixer"),
            std::string::npos);
}

}  // namespace
}  // namespace attnsim
