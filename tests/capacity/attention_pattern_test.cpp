// Per-layer attention patterns (Gemma 3, gpt-oss): local sliding-window layers cache and attend to at
// most their window, global layers the whole context; memory, time and longest context follow.
#include <gtest/gtest.h>

#include "capacity/layer_workloads.h"
#include "capacity/longest_context.h"
#include "capacity/memory.h"
#include "capacity/phase_time.h"
#include "tests/test_support.h"

namespace attnsim::capacity {
namespace {

using attnsim::testing::gpu;
using attnsim::testing::model;

Scenario scenario(std::int64_t n, Phase phase = Phase::prefill) {
  Scenario s;
  s.context = n;
  s.attention = "flash2";
  s.phase = phase;
  return s;
}

// The same model with every layer global (a unit of one global layer).
ModelConfig all_global(const ModelConfig& patterned) {
  ModelConfig m = patterned;
  m.attention_pattern->layer_types = {LayerAttention::global};
  return m;
}

TEST(AttentionPattern, GemmaHasTenGlobalLayersAndFiftyTwoLocal) {
  // transformers Gemma3TextConfig: layer i is full when (i + 1) % 6 == 0: layers 5, 11, ..., 59.
  const ModelConfig& gemma = model("gemma-3-27b");
  EXPECT_DOUBLE_EQ(gemma.attention_layers(LayerAttention::global), 10.0);
  EXPECT_DOUBLE_EQ(gemma.attention_layers(LayerAttention::local), 52.0);
  const ModelConfig& oss = model("gpt-oss-20b");
  EXPECT_DOUBLE_EQ(oss.attention_layers(LayerAttention::global), 12.0);
  EXPECT_DOUBLE_EQ(oss.attention_layers(LayerAttention::local), 12.0);
  EXPECT_TRUE(oss.attention_pattern->attention_sinks);
  EXPECT_EQ(oss.attention_pattern->sliding_window, 128);
}

TEST(AttentionPattern, GemmaKvCacheIsGlobalLayersTimesContextPlusLocalLayersTimesWindow) {
  Scenario s = scenario(32768);
  s.kv_block_tokens = 1;
  // (10 x 32768 + 52 x 1024) tokens x 2 (K, V) x 16 KV heads x 128 x 2 B.
  const double expected = (10.0 * 32768 + 52.0 * 1024) * 2 * 16 * 128 * 2;
  EXPECT_DOUBLE_EQ(kv_cache_bytes(model("gemma-3-27b"), s), expected);
  // Below the window every layer holds the whole context.
  s.context = 1000;
  EXPECT_DOUBLE_EQ(kv_cache_bytes(model("gemma-3-27b"), s), 62.0 * 1000 * 2 * 16 * 128 * 2);
}

TEST(AttentionPattern, LongestContextReachesFurtherThanAllGlobal) {
  const Gpu& h100 = gpu("h100-sxm");
  for (const Phase phase : {Phase::prefill, Phase::decode}) {
    const Scenario s = scenario(1, phase);
    const auto patterned = longest_context(model("gemma-3-27b"), h100, s, h100.memory_capacity_bytes);
    const auto global = longest_context(all_global(model("gemma-3-27b")), h100, s, h100.memory_capacity_bytes);
    ASSERT_GT(global.tokens, 0);
    EXPECT_GT(patterned.tokens, global.tokens);
  }
}

TEST(AttentionPattern, LocalLayersArePricedWithTheSlidingWindowVariant) {
  const ModelConfig& m = model("gemma-3-27b");
  const Gpu& h100 = gpu("h100-sxm");
  const Scenario s = scenario(65536);
  const Prediction local = predict_attention(m, h100, s, Pass::forward, LayerAttention::local);
  EXPECT_EQ(local.variant, "sliding-window");
  EXPECT_EQ(local.workload.window, 1024);
  const Prediction global = predict_attention(m, h100, s, Pass::forward, LayerAttention::global);
  EXPECT_EQ(global.variant, "flash2");
  EXPECT_FALSE(global.workload.window.has_value());
  const PhaseTime t = phase_time(m, h100, s);
  EXPECT_NEAR(t.attention_seconds,
              10.0 * attention_kernel_seconds(global) + 52.0 * attention_kernel_seconds(local),
              1e-12 * t.attention_seconds);
  // At 64K the local layers cost a small share of the global ones.
  EXPECT_LT(attention_kernel_seconds(local), 0.1 * attention_kernel_seconds(global));
}

TEST(AttentionPattern, MemoryPeakUsesTheGlobalLayersStep) {
  const ModelConfig& m = model("gemma-3-27b");
  const Scenario s = scenario(65536);
  const MemoryBreakdown patterned = memory_at(m, gpu("h100-sxm"), s);
  const MemoryBreakdown global = memory_at(all_global(m), gpu("h100-sxm"), s);
  // The attention step is a global layer's in both; only the cache differs.
  EXPECT_DOUBLE_EQ(patterned.part("attention"), global.part("attention"));
  EXPECT_LT(patterned.part("kv_cache"), 0.25 * global.part("kv_cache"));
}

}  // namespace
}  // namespace attnsim::capacity
