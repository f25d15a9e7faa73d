#include "io/gpu_profile.h"

#include <fstream>
#include <gtest/gtest.h>
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
  EXPECT_DOUBLE_EQ(*h100.tensor_peak(Dtype::bf16), 989.4e12);
  EXPECT_DOUBLE_EQ(h100.hbm_bytes_per_second, 3352e9);
  // FA3 paper Sec. 3.2: "only 3.9 TFLOPS of special functions".
  EXPECT_NEAR(h100.exp_per_second(), 3.9e12, 0.05e12);
  EXPECT_FALSE(find_gpu("a100-sxm-80gb").tensor_peak(Dtype::fp8_e4m3).has_value());
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
