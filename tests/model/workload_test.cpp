#include "model/workload.h"

#include <gtest/gtest.h>

#include "model/error.h"

namespace attnsim {
namespace {

TEST(Workload, RejectsHeadsNotDivisibleByKvHeads) {
  Workload w;
  w.heads = 32;
  w.kv_heads = 5;
  try {
    validate(w);
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    EXPECT_EQ(e.field(), "kv-heads");
  }
}

TEST(Workload, AcceptsGqaAndMqa) {
  Workload w;
  w.heads = 32;
  w.kv_heads = 8;
  EXPECT_NO_THROW(validate(w));
  w.kv_heads = 1;
  EXPECT_NO_THROW(validate(w));
}

TEST(Workload, RejectsNonPositiveSizesAndHugeSequences) {
  Workload w;
  w.batch = 0;
  EXPECT_THROW(validate(w), InvalidInput);
  w = Workload{};
  w.seq_kv = kMaxSeqLen + 1;
  EXPECT_THROW(validate(w), InvalidInput);
}

TEST(Workload, TensorBytesUseKvHeadsForKAndV) {
  Workload w;
  w.batch = 2;
  w.heads = 32;
  w.kv_heads = 8;
  w.seq_q = w.seq_kv = 1024;
  w.head_dim = w.head_dim_v = 128;
  w.dtype = Dtype::bf16;
  EXPECT_EQ(q_bytes(w), 2.0 * 32 * 1024 * 128 * 2);
  EXPECT_EQ(k_bytes(w), 2.0 * 8 * 1024 * 128 * 2);
}

TEST(Dtype, ParsesNamesAndListsAllowedOnError) {
  EXPECT_EQ(parse_dtype("fp8-e4m3"), Dtype::fp8_e4m3);
  EXPECT_EQ(element_bytes(Dtype::tf32), 4.0);
  try {
    parse_dtype("fp64");
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("allowed: fp32, tf32, fp16, bf16, fp8-e4m3"), std::string::npos);
  }
}

}  // namespace
}  // namespace attnsim
