// Names the user types: variants in any case, and "did you mean" hints that prefer a name beginning
// with or containing what was typed over a merely close spelling.
#include <gtest/gtest.h>

#include "model/error.h"
#include "model/variant.h"

namespace attnsim {
namespace {

const std::vector<std::string> kGpuIds = {"a10",  "a100-40gb", "a100-sxm-80gb", "b200",    "h100-pcie", "h100-sxm",
                                          "h200", "l4",        "l40s",          "rtx3090", "rtx4090",   "rtx5090"};

TEST(NearestName, PrefersTheShortestNameBeginningWithWhatWasTypedInAnyCase) {
  // "H100" is two edits from "a10" but begins both H100 profiles.
  EXPECT_EQ(nearest_name("H100", kGpuIds), "h100-sxm");
  EXPECT_EQ(nearest_name("h100-P", kGpuIds), "h100-pcie");
  EXPECT_EQ(nearest_name("A100", kGpuIds), "a100-40gb");
}

TEST(NearestName, ThenANameContainingWhatWasTyped) {
  EXPECT_EQ(nearest_name("4090", kGpuIds), "rtx4090");
  EXPECT_EQ(nearest_name("SXM", kGpuIds), "h100-sxm");
}

TEST(NearestName, ElseTheClosestSpellingIgnoringCase) {
  EXPECT_EQ(nearest_name("FLSH2", {"eager", "flash1", "flash2"}), "flash2");
  EXPECT_EQ(nearest_name("rtx4080", kGpuIds), "rtx4090");
}

TEST(FindVariant, MatchesIdsInAnyCase) {
  EXPECT_EQ(find_variant("FLASH2").id, "flash2");
  EXPECT_EQ(find_variant("Flash-Decode").id, "flash-decode");
  EXPECT_THROW(find_variant("FLASH4"), InvalidInput);
}

}  // namespace
}  // namespace attnsim
