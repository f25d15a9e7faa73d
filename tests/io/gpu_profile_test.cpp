#include "io/gpu_profile.h"

#include <gtest/gtest.h>
#include <fstream>
#include <regex>
#include <sstream>

#include "model/error.h"

namespace attnsim {
namespace {

std::string h100_text() {
  std::ifstream in(profiles_dir() / "h100-sxm.toml");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string error_of(const std::string& text) {
  try {
    parse_gpu_profile(text, "test.toml");
  } catch (const InvalidInput& e) {
    return e.field() + ": " + e.what();
  }
  return "no error";
}

TEST(GpuProfiles, AllTwelveBuiltInProfilesLoad) {
  const std::vector<std::string> expected = {"a10", "a100-40gb", "a100-sxm-80gb", "b200", "h100-pcie", "h100-sxm",
                                             "h200", "l4", "l40s", "rtx3090", "rtx4090", "rtx5090"};
  EXPECT_EQ(builtin_gpu_ids(), expected);
  for (const Gpu& g : builtin_gpus()) {
    EXPECT_GT(g.sm_count, 0) << g.id;
    EXPECT_TRUE(g.tensor_peak(Dtype::bf16).has_value()) << g.id;
    EXPECT_GT(g.exp_per_second(), 1e12) << g.id;
  }
}

TEST(GpuProfiles, FiguresMatchTheWhitepaper) {
  const Gpu h100 = find_gpu("h100-sxm");
  EXPECT_EQ(h100.sm_count, 132);
  EXPECT_DOUBLE_EQ(h100.tensor_flops_per_second.at(Dtype::bf16), 989.4e12);
  EXPECT_DOUBLE_EQ(h100.hbm_bytes_per_second, 3352e9);
  // FA3 paper Sec. 3.2: "only 3.9 TFLOPS of special functions", at the 1830 MHz of its peaks.
  EXPECT_NEAR(h100.sfu_exp_per_clock_per_sm * h100.sm_count * h100.boost_clock_hz, 3.9e12, 0.05e12);
  EXPECT_FALSE(find_gpu("a100-sxm-80gb").tensor_peak(Dtype::fp8_e4m3).has_value());
}

TEST(GpuProfiles, RatesArePerInstructionPathAtTheSustainedClock) {
  const Gpu h200 = find_gpu("h200");
  const double clock_scale = 1800.0 / 1830.0;  // measured under mma.sync load / datasheet clock
  EXPECT_EQ(h200.native_tensor_path(), TensorPath::wgmma);
  EXPECT_DOUBLE_EQ(*h200.tensor_peak(Dtype::bf16, TensorPath::wgmma), 989.4e12 * clock_scale);
  // 2718 FLOP/clk/SM measured (validate/data/h200/mechanisms/tensor_paths.csv): 66% of wgmma.
  EXPECT_NEAR(*h200.tensor_peak(Dtype::bf16, TensorPath::mma_sync) / *h200.tensor_peak(Dtype::bf16), 2718.0 / 4096.0,
              1e-3);
  EXPECT_FALSE(h200.tensor_peak(Dtype::bf16, TensorPath::tcgen05).has_value());
  const Gpu rtx4090 = find_gpu("rtx4090");  // mma.sync is its newest path; wgmma it does not have
  EXPECT_EQ(rtx4090.tensor_peak(Dtype::bf16, TensorPath::mma_sync), rtx4090.tensor_peak(Dtype::bf16));
  EXPECT_FALSE(rtx4090.tensor_peak(Dtype::bf16, TensorPath::wgmma).has_value());
  EXPECT_DOUBLE_EQ(h200.exp_per_second(), 16.0 * 132 * 1800e6);
}

TEST(GpuProfiles, ANewerTensorPathNeedsTheMmaSyncRateToo) {
  std::ifstream in(profiles_dir() / "h200.toml");
  std::stringstream whole;
  whole << in.rdbuf();
  std::string text = whole.str();
  const auto table = text.find("[mma_sync_dense_tflops]");
  ASSERT_NE(table, std::string::npos);
  text.erase(table);
  try {
    parse_gpu_profile(text, "h200-without-mma-sync.toml");
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("mma_sync_dense_tflops"), std::string::npos) << e.what();
  }
}

TEST(GpuProfiles, ProfileFromAPathWorksAndUnknownIdsSuggestTheNearest) {
  EXPECT_EQ(find_gpu((profiles_dir() / "l4.toml").string()).id, "l4");
  try {
    find_gpu("h100");
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'h100-"), std::string::npos);
  }
}

TEST(GpuProfiles, IdsMatchInAnyCaseAndAPrefixSuggestsItsProfiles) {
  EXPECT_EQ(find_gpu("H100-SXM").id, "h100-sxm");
  EXPECT_EQ(find_gpu("RTX4090").id, "rtx4090");
  EXPECT_EQ(gpu_profile_path("H200"), profiles_dir() / "h200.toml");
  try {
    find_gpu("H100");
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("unknown GPU 'H100' (did you mean 'h100-sxm'?)"), std::string::npos)
        << e.what();
  }
}

TEST(GpuProfiles, StrictParsingNamesFileLineAndField) {
  const std::string good = h100_text();
  EXPECT_EQ(parse_gpu_profile(good, "h100.toml").id, "h100-sxm");
  // A missing field.
  EXPECT_NE(error_of(std::regex_replace(good, std::regex("sm_count = [^\n]*\n"), "")).find("sm_count: missing field"),
            std::string::npos);
  // An unknown (misspelt) key.
  EXPECT_NE(error_of("sm_cuont = { value = 1, source = \"x\" }\n" + good).find("did you mean 'sm_count'"),
            std::string::npos);
  // A negative bandwidth.
  EXPECT_NE(error_of(std::regex_replace(good, std::regex("value = 3352"), "value = -3352")).find("outside the physical range"),
            std::string::npos);
  // A number without a source.
  EXPECT_NE(error_of(std::regex_replace(good, std::regex("value = 3352, source = \"[^\"]*\""), "value = 3352"))
                .find("source"),
            std::string::npos);
  // A bare number instead of { value, source }.
  EXPECT_NE(error_of(std::regex_replace(good, std::regex("sm_count = [^\n]*"), "sm_count = 132")).find("must be { value"),
            std::string::npos);
  // Malformed TOML.
  EXPECT_NE(error_of("id = \"x\"\nname = [\n").find("test.toml:"), std::string::npos);
  EXPECT_NE(error_of("id = \"x\"\nname = [\n").find("malformed TOML"), std::string::npos);
}

TEST(GpuProfiles, EfficiencyOverridesAreRead) {
  const std::string text = h100_text() + "\n[efficiency.flash2]\ntensor = { value = 0.5, source = \"fit of runs.csv\" }\n";
  const Gpu g = parse_gpu_profile(text, "x.toml");
  ASSERT_TRUE(g.efficiency_overrides.count("flash2"));
  EXPECT_DOUBLE_EQ(*g.efficiency_overrides.at("flash2").tensor, 0.5);
  EXPECT_EQ(g.efficiency_overrides.at("flash2").source, "fit of runs.csv");
}

}  // namespace
}  // namespace attnsim
