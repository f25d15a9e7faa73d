#include "capacity/weights.h"

#include <gtest/gtest.h>
#include <cmath>

#include "capacity/memory.h"
#include "capacity/parameters.h"
#include "capacity/phase_time.h"
#include "io/model_config.h"
#include "model/error.h"
#include "tests/test_support.h"

namespace attnsim::capacity {
namespace {

using attnsim::testing::gpu;
using attnsim::testing::model;

Scenario decode(std::int64_t batch, WeightDtype weights = WeightDtype::model) {
  Scenario s;
  s.phase = Phase::decode;
  s.context = 4096;
  s.batch = batch;
  s.weights.dtype = weights;
  s.runtime.dispatch = Dispatch::graph;
  return s;
}

TEST(DistinctExperts, UniformRoutingTouchesEOneMinusOneMinusKOverEToTheB) {
  // Mixtral, 2 of 8: one token touches its 2; two tokens 8 x (1 - 0.75^2) = 3.5; many touch all 8.
  EXPECT_DOUBLE_EQ(expected_distinct_experts(8, 2, 1), 2.0);
  EXPECT_DOUBLE_EQ(expected_distinct_experts(8, 2, 2), 3.5);
  EXPECT_NEAR(expected_distinct_experts(8, 2, 8), 8.0 * (1.0 - std::pow(0.75, 8)), 1e-12);
  EXPECT_DOUBLE_EQ(expected_distinct_experts(8, 2, 1e9), 8.0);
  // DeepSeek-V3, 8 of 256, at batch 64: 256 x (1 - (31/32)^64) = 223.4.
  EXPECT_NEAR(expected_distinct_experts(256, 8, 64), 256.0 * (1.0 - std::pow(31.0 / 32.0, 64)), 1e-9);
  // Every expert when each token picks all of them.
  EXPECT_DOUBLE_EQ(expected_distinct_experts(8, 8, 1), 8.0);
}

TEST(WeightsRead, DecodeReadsOnlyTheExpertsItsBatchTouches) {
  const ModelConfig& m = model("mixtral-8x7b");
  const ParameterCounts c = count_parameters(m);
  const double expert_bytes = c.expert * 2.0;
  // Batch 1: 6 of the 8 experts in each of the 32 layers are not read.
  EXPECT_DOUBLE_EQ(weight_bytes_read(m, decode(1), 1), weight_bytes(m, decode(1)) - 32.0 * 6.0 * expert_bytes);
  const PhaseTime one = phase_time(m, gpu("h200"), decode(1));
  EXPECT_DOUBLE_EQ(one.bytes_per_step, weight_bytes_read(m, decode(1), 1) + kv_cache_bytes(m, decode(1)));
  // A big batch touches every expert: the whole 93 GB are read each step.
  EXPECT_NEAR(weight_bytes_read(m, decode(256), 256), weight_bytes(m, decode(256)), 1.0);
  // A dense model reads all its weights whatever the batch.
  EXPECT_DOUBLE_EQ(weight_bytes_read(model("llama-3.1-8b"), decode(1), 1),
                   weight_bytes(model("llama-3.1-8b"), decode(1)));
}

TEST(WeightsRead, PrefillFlopsCountTheActiveExpertsOnly) {
  const ModelConfig& m = model("mixtral-8x7b");
  Scenario s;
  s.context = 8192;
  s.all_logits = false;
  const PhaseTime t = phase_time(m, gpu("h200"), s);
  const ParameterCounts c = count_parameters(m);
  EXPECT_DOUBLE_EQ(t.gemm_flops, 2.0 * 8192 * c.matmul_per_token() + 2.0 * 32000 * 4096);
  // 2 of 8 experts: about 12.6B of the 46.4B decoder weights multiply each token.
  EXPECT_NEAR(c.matmul_per_token() / 12.62e9, 1.0, 0.01);
}

TEST(QuantizedWeights, MixtralInBf16IsTwoBytesAParameterAndInt4AboutAQuarter) {
  const ModelConfig& m = model("mixtral-8x7b");
  const double params = count_parameters(m).total();
  Scenario bf16;
  EXPECT_DOUBLE_EQ(weight_bytes(m, bf16), params * 2.0);
  const double bf16_allocated = memory_at(m, gpu("h200"), bf16).part("weights");
  // Allocator rounding adds at most 2 MiB per tensor: 4 attention matrices, 2 stacked expert tensors
  // and a router per layer, the embedding and the LM head.
  EXPECT_GE(bf16_allocated, params * 2.0);
  EXPECT_LE(bf16_allocated, params * 2.0 + (7.0 * 32 + 2) * 2.0 * 1024 * 1024);
  // int4 with a 16-bit scale per 128 weights (0.515625 B each); embeddings, LM head, norms, routers in bf16.
  Scenario int4 = bf16;
  int4.weights.dtype = WeightDtype::int4;
  const double ratio = weight_bytes(m, int4) / weight_bytes(m, bf16);
  EXPECT_GT(ratio, 0.25);
  EXPECT_LT(ratio, 0.30);
  const double allocated_ratio = memory_at(m, gpu("h200"), int4).part("weights") / bf16_allocated;
  EXPECT_GT(allocated_ratio, 0.25);
  EXPECT_LT(allocated_ratio, 0.30);
  // fp8 is one byte per quantized weight, int8 one plus the scales.
  Scenario fp8 = bf16;
  fp8.weights.dtype = WeightDtype::fp8;
  Scenario int8 = bf16;
  int8.weights.dtype = WeightDtype::int8;
  EXPECT_LT(weight_bytes(m, fp8), weight_bytes(m, int8));
  EXPECT_NEAR(weight_bytes(m, fp8) / weight_bytes(m, bf16), 0.5, 0.01);
}

TEST(QuantizedWeights, DecodeReadsTheQuantizedBytesAndDenseModelsShrinkToo) {
  const ModelConfig& m = model("llama-3.1-8b");
  const PhaseTime bf16 = phase_time(m, gpu("h200"), decode(1));
  const PhaseTime int4 = phase_time(m, gpu("h200"), decode(1, WeightDtype::int4));
  EXPECT_DOUBLE_EQ(int4.bytes_per_step,
                   weight_bytes(m, decode(1, WeightDtype::int4)) + kv_cache_bytes(m, decode(1, WeightDtype::int4)));
  // 7.0B matrices at 0.52 B, 1.05B embedding and head at 2 B: 5.7 GB against 16.1 GB.
  EXPECT_LT(int4.bytes_per_step, 0.4 * bf16.bytes_per_step);
  // 1.44x faster, not 2.8x: the 1280 kernels' launch gaps (1.3 ms) and the GEMMs' floors
  // (model/library_gemm.h) stay whatever the weights weigh.
  EXPECT_GT(int4.tokens_per_second, 1.4 * bf16.tokens_per_second);
  EXPECT_LT(int4.tokens_per_second, 2.0 * bf16.tokens_per_second);
}

TEST(QuantizedWeights, TrainingWithQuantizedWeightsIsRejected) {
  Scenario s;
  s.phase = Phase::train;
  s.weights.dtype = WeightDtype::int4;
  try {
    memory_at(model("llama-3.2-1b"), gpu("h200"), s);
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_EQ(e.field(), "weight-dtype");
  }
}

}  // namespace
}  // namespace attnsim::capacity
