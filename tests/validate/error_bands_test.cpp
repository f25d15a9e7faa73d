#include "validate/error_bands.h"

#include <gtest/gtest.h>

#include "io/gpu_profile.h"
#include "model/variant.h"
#include "tests/test_support.h"

namespace attnsim {
namespace {

TEST(ErrorBands, CommittedTableEqualsWhatTheRecordsGive) {
  const std::vector<ErrorBand> computed = compute_error_bands(
      committed_validation_records(std::filesystem::path(ATTNSIM_SOURCE_DIR) / "validate/data", find_gpu));
  const std::vector<ErrorBand>& committed = validated_error_bands();
  bool same = computed.size() == committed.size();
  for (std::size_t i = 0; same && i < computed.size(); ++i) {
    const ErrorBand& a = computed[i];
    const ErrorBand& b = committed[i];
    same = a.variant == b.variant && a.arch_family == b.arch_family && a.pass == b.pass &&
           a.dispatch == b.dispatch && a.runs == b.runs &&
           a.gpus == b.gpus && std::abs(a.percent - b.percent) < 0.051;
  }
  EXPECT_TRUE(same) << "model/error_bands_table.cpp is stale; its rows are now:\n" << error_band_table_source(computed);
}

TEST(ErrorBands, PredictionsCarryTheirBandOrSayWhereNoneExists) {
  const Prediction validated = testing::run("flash2", testing::workload(4096), "h200");
  ASSERT_NE(validated.error_band, nullptr);
  EXPECT_GT(validated.error_band->percent, 0.0);
  const std::string text = validated_on(validated.error_band, validated.arch_family);
  EXPECT_NE(text.find("runs on sm90"), std::string::npos) << text;
  const Prediction unvalidated = testing::run("sdpa-math", testing::workload(4096), "l4");
  EXPECT_EQ(unvalidated.error_band, nullptr);
  EXPECT_EQ(validated_on(unvalidated.error_band, unvalidated.arch_family), "not validated on sm8x");
}

TEST(ErrorBands, EagerCallsCarryTheBandOfCallsIssuedEagerly) {
  HostDispatch eager;
  eager.dispatch = Dispatch::eager;
  eager.entry = Entry::sdpa;
  Workload w = testing::workload(512);
  const Prediction forward = predict(w, testing::gpu("h100-sxm"), find_variant("cudnn"), {}, eager);
  ASSERT_NE(forward.error_band, nullptr);
  EXPECT_EQ(forward.error_band->dispatch, "eager");
  // Host dispatch widens it: cuDNN's short eager calls are its listed miss.
  EXPECT_GT(forward.error_band->percent, error_band_for("cudnn", "sm90", Pass::forward)->percent);
  EXPECT_NE(validated_on(forward.error_band, forward.arch_family, forward.dispatch).find("host dispatch included"),
            std::string::npos);
  // No backward was timed eagerly: the GPU-side band, and the text says what it lacks.
  w.pass = Pass::backward;
  const Prediction backward = predict(w, testing::gpu("h100-sxm"), find_variant("cudnn"), {}, eager);
  ASSERT_NE(backward.error_band, nullptr);
  EXPECT_EQ(backward.error_band->dispatch, "graph");
  EXPECT_NE(validated_on(backward.error_band, backward.arch_family, backward.dispatch).find("eager dispatch not validated"),
            std::string::npos);
}

}  // namespace
}  // namespace attnsim
