#include "capacity/memory.h"

#include <gtest/gtest.h>
#include <cmath>

#include "capacity/layer_workloads.h"
#include "capacity/longest_context.h"
#include "capacity/parameters.h"
#include "capacity/phase_time.h"
#include "io/model_config.h"
#include "model/error.h"
#include "tests/test_support.h"

namespace attnsim::capacity {
namespace {

using attnsim::testing::gpu;
using attnsim::testing::model;

Scenario scenario(std::int64_t n, const std::string& impl = "flash2", Phase phase = Phase::prefill) {
  Scenario s;
  s.context = n;
  s.attention = impl;
  s.phase = phase;
  return s;
}

TEST(Parameters, Llama32OneBMatchesTheClosedFormExactly) {
  // Per layer: q 2048^2 + k, v 2048 x 512 + o 2048^2 + MLP 3 x 2048 x 8192 + 2 norms = 60,821,504;
  // x 16 layers + tied embedding 128256 x 2048 + final norm 2048.
  const ParameterCounts c = count_parameters(model("llama-3.2-1b"));
  EXPECT_DOUBLE_EQ(c.per_layer(), 60821504.0);
  EXPECT_DOUBLE_EQ(c.total(), 1235814400.0);
  EXPECT_DOUBLE_EQ(c.lm_head, 0.0);
}

TEST(Parameters, EveryModelMatchesItsPublishedCount) {
  for (const ModelConfig& m : builtin_models()) {
    ASSERT_TRUE(m.published_parameters.has_value()) << m.id;
    // Model pages round to two or three digits; the names of the SSM checkpoints ("780m") to two.
    EXPECT_NEAR(count_parameters(m).total() / *m.published_parameters, 1.0, 0.05) << m.id;
  }
  EXPECT_NEAR(count_parameters(model("llama-3.1-8b")).total(), 8.03e9, 0.01e9);
  EXPECT_NEAR(count_parameters(model("llama-3.1-70b")).total(), 70.55e9, 0.1e9);
  EXPECT_NEAR(count_parameters(model("qwen2.5-7b")).total(), 7.61e9, 0.01e9);
  EXPECT_NEAR(count_parameters(model("mistral-7b")).total(), 7.24e9, 0.01e9);
  // Mixture of experts: every expert counts toward the total (Mixtral's model page 46.7B, Qwen3's card
  // 30.5B, DeepSeek-V3's main model 671B without its MTP module: README_WEIGHTS.md).
  EXPECT_NEAR(count_parameters(model("mixtral-8x7b")).total(), 46.70e9, 0.01e9);
  EXPECT_NEAR(count_parameters(model("qwen3-30b-a3b")).total(), 30.5e9, 0.05e9);
  EXPECT_NEAR(count_parameters(model("deepseek-v3")).total(), 671e9, 0.5e9);
  // Patterned attention: Gemma 3 27B's text decoder 27.0B (report Table 1: 1,416M + 25,600M), gpt-oss-20b
  // 20.91B (model card Table 1; biases of o_proj and the experts, and the sinks, are left out).
  EXPECT_NEAR(count_parameters(model("gemma-3-27b")).total(), 27.0e9, 0.05e9);
  EXPECT_NEAR(count_parameters(model("gpt-oss-20b")).total(), 20.91e9, 0.05e9);
}

TEST(Parameters, Zamba2SharedBlockCountsOnceItsAdaptersPerApplication) {
  const ParameterCounts c = count_parameters(model("zamba2-1.2b"));
  // Mamba-2 layer: in_proj 2048 x 8512 + conv 4352 x 5 + dt_bias, A_log, D 3 x 64 + norm 4096 + out_proj
  // 4096 x 2048, and its input norm 2048.
  EXPECT_DOUBLE_EQ(c.per_layer(), 25849280.0);
  // The shared block, once: q, k, v 3 x 4096^2 + o 4096 x 2048 + MLP 3 x 2048 x 8192 + norms 4096 + 2048.
  EXPECT_DOUBLE_EQ(c.shared_blocks * c.shared_block, 109058048.0);
  // Per application: linear 2048^2 + q, k, v adapters 3 x 2 x 4096 x 128 + gate_up adapter 128 x (2048 + 16384).
  EXPECT_DOUBLE_EQ(c.per_application, 4194304.0 + 3145728.0 + 2359296.0);
  EXPECT_DOUBLE_EQ(c.total(), 38 * 25849280.0 + 32000.0 * 2048 + 109058048.0 + 6 * 9699328.0 + 2048);
  // arXiv 2507.12442's artifact measured 2317.55 MiB of bf16 parameters for Zyphra/Zamba2-1.2B-Instruct-v2
  // (validate/data/published/rtx4090_longest_context.csv's source): 1,215,063,654 +- 2,621 parameters.
  EXPECT_NEAR(c.total(), 2317.55 * 1024 * 1024 / 2, 2700.0);
  // Each application runs the shared weights over every token again.
  EXPECT_DOUBLE_EQ(c.matmul_per_token() - 38 * (c.ssm_per_layer), 6 * (c.shared_block_matmuls + c.per_application));
}

TEST(Memory, Zamba2CachesKeysAndValuesOncePerApplication) {
  // 6 applications x 2 (K, V) x 32 KV heads x 128 x 2 B per token.
  Scenario s = scenario(1000);
  s.kv_block_tokens = 1;
  EXPECT_DOUBLE_EQ(kv_cache_bytes(model("zamba2-1.2b"), s), 6.0 * 2 * 32 * 128 * 2 * 1000);
  // Every one of the 38 layers keeps a Mamba-2 state.
  EXPECT_DOUBLE_EQ(ssm_state_bytes(model("zamba2-1.2b"), s), 38.0 * (64 * 64 * 128 + 4352 * 4) * 2);
}

TEST(Parameters, MoeCardsActivatedCountsAreTheRoutedExpertsOnly) {
  // Mixtral 12.9B used per token (announcement), Qwen3-30B-A3B 3.3B (card), DeepSeek-V3 36.7B with
  // the 0.9B embedding and 0.9B head (README_WEIGHTS.md).
  EXPECT_NEAR(count_parameters(model("mixtral-8x7b")).active() / 12.9e9, 1.0, 0.01);
  EXPECT_NEAR(count_parameters(model("qwen3-30b-a3b")).active() / 3.3e9, 1.0, 0.02);
  EXPECT_NEAR(count_parameters(model("deepseek-v3")).active() / 36.7e9, 1.0, 0.05);
  // A dense model uses every parameter.
  EXPECT_DOUBLE_EQ(count_parameters(model("llama-3.1-8b")).active(), count_parameters(model("llama-3.1-8b")).total());
}

TEST(Parameters, DeepSeekV3MatchesTheClosedFormExactly) {
  const ParameterCounts c = count_parameters(model("deepseek-v3"));
  // MLA: q_a 7168 x 1536 + q_a_layernorm 1536 + q_b 1536 x 128 x (128 + 64) + kv_a 7168 x (512 + 64)
  // + kv_a_layernorm 512 + kv_b 512 x 128 x (128 + 128) + o 128 x 128 x 7168.
  EXPECT_DOUBLE_EQ(c.attention_per_layer, 11010048.0 + 1536 + 37748736 + 4128768 + 512 + 16777216 + 117440512);
  // 3 dense layers (MLP 3 x 7168 x 18432) and 58 MoE layers: 256 routed + 1 shared expert of
  // 3 x 7168 x 2048 and a 256 x 7168 router.
  EXPECT_DOUBLE_EQ(c.dense_layers(), 3.0);
  EXPECT_DOUBLE_EQ(c.moe_layers, 58.0);
  EXPECT_DOUBLE_EQ(c.mlp_per_layer, 396361728.0);
  EXPECT_DOUBLE_EQ(c.moe_per_layer(), 257.0 * 44040192 + 256.0 * 7168);
  EXPECT_DOUBLE_EQ(c.total(), 671026404352.0);
}

TEST(Memory, WeightsAreParametersTimesElementBytes) {
  const Scenario s = scenario(1024);
  EXPECT_DOUBLE_EQ(weight_bytes(model("llama-3.2-1b"), s), 1235814400.0 * 2.0);
  const MemoryBreakdown b = memory_at(model("llama-3.2-1b"), gpu("rtx4090"), s);
  // Allocator rounding adds at most 2 MiB per matrix: 7 per layer x 16 + the embedding.
  EXPECT_GE(b.part("weights"), 1235814400.0 * 2.0);
  EXPECT_LE(b.part("weights"), 1235814400.0 * 2.0 + 113.0 * 2.0 * 1024 * 1024);
}

TEST(Memory, KvCacheIsTheClosedFormWithGqaWindowAndBlocks) {
  // Llama-3.1-8B: 2 (K, V) x 32 layers x 8 KV heads x 128 x 131072 tokens x 2 B = 16 GiB.
  EXPECT_DOUBLE_EQ(kv_cache_bytes(model("llama-3.1-8b"), scenario(131072)), 16.0 * 1024 * 1024 * 1024);
  // Mistral's rolling buffer stops at the 4096-token window.
  EXPECT_DOUBLE_EQ(kv_cache_bytes(model("mistral-7b"), scenario(32768)),
                   kv_cache_bytes(model("mistral-7b"), scenario(4096)));
  // 17 tokens take two 16-token blocks; with blocks of 1 exactly 17.
  Scenario exact = scenario(17);
  exact.kv_block_tokens = 1;
  EXPECT_DOUBLE_EQ(kv_cache_bytes(model("llama-3.1-8b"), scenario(17)), 2.0 * 32 * 8 * 128 * 32 * 2);
  EXPECT_DOUBLE_EQ(kv_cache_bytes(model("llama-3.1-8b"), exact), 2.0 * 32 * 8 * 128 * 17 * 2);
  // fp8 cache halves it; pure SSMs have none.
  exact.kv_dtype = Dtype::fp8_e4m3;
  EXPECT_DOUBLE_EQ(kv_cache_bytes(model("llama-3.1-8b"), exact), 2.0 * 32 * 8 * 128 * 17 * 1);
  EXPECT_DOUBLE_EQ(kv_cache_bytes(model("mamba2-780m"), scenario(4096)), 0.0);
}

TEST(Memory, LatentAttentionCachesTheLatentAndTheRopeKey) {
  // DeepSeek-V3 in bf16: 61 layers x (kv_lora_rank 512 + qk_rope_head_dim 64) x 2 B per token.
  Scenario one = scenario(1);
  one.kv_block_tokens = 1;
  EXPECT_DOUBLE_EQ(kv_cache_bytes(model("deepseek-v3"), one), 70272.0);
  EXPECT_DOUBLE_EQ(kv_cache_bytes(model("deepseek-v3"), scenario(131072)), 70272.0 * 131072);
  // One tensor per layer: allocator rounding adds at most 2 MiB to each of the 61.
  const MemoryBreakdown b = memory_at(model("deepseek-v3"), gpu("h200"), scenario(131072, "flash2", Phase::decode));
  EXPECT_GE(b.part("kv_cache"), 70272.0 * 131072);
  EXPECT_LE(b.part("kv_cache"), 70272.0 * 131072 + 61.0 * 2 * 1024 * 1024);
  // Its prefill runs as 128-head attention with query/key dim 192 and value dim 128.
  const Workload w = attention_workload(model("deepseek-v3"), scenario(4096), Pass::forward);
  EXPECT_EQ(w.head_dim, 192);
  EXPECT_EQ(w.head_dim_v, 128);
  EXPECT_EQ(w.kv_heads, 128);
}

TEST(Memory, SsmStateIsIndependentOfContext) {
  for (const std::string id : {"mamba-790m", "mamba2-780m", "falcon-h1-0.5b"}) {
    const double small =
        memory_at(model(id), gpu("h100-sxm"), scenario(1024, "flash2", Phase::decode)).part("ssm_state");
    const double large =
        memory_at(model(id), gpu("h100-sxm"), scenario(1 << 20, "flash2", Phase::decode)).part("ssm_state");
    EXPECT_GT(small, 0.0) << id;
    EXPECT_DOUBLE_EQ(small, large) << id;
  }
  // Mamba-2 780m: 48 layers x (48 heads x 64 x 128 state + (3072 + 256) x 4 conv) x 2 B.
  EXPECT_DOUBLE_EQ(ssm_state_bytes(model("mamba2-780m"), scenario(1)), 48.0 * (48 * 64 * 128 + 3328 * 4) * 2);
  // A pure SSM decodes at a footprint that does not grow with the context at all.
  const MemoryBreakdown a = memory_at(model("mamba2-780m"), gpu("h100-sxm"), scenario(1024, "flash2", Phase::decode));
  const MemoryBreakdown b =
      memory_at(model("mamba2-780m"), gpu("h100-sxm"), scenario(1 << 30, "flash2", Phase::decode));
  EXPECT_DOUBLE_EQ(a.total_bytes, b.total_bytes);
}

TEST(Memory, EagerAttentionGrowsAsNSquaredFlashAsN) {
  const ModelConfig& m = model("llama-3.2-1b");
  auto attention = [&](const std::string& impl, std::int64_t n) {
    return memory_at(m, gpu("h100-sxm"), scenario(n, impl)).part("attention");
  };
  EXPECT_NEAR(attention("eager", 32768) / attention("eager", 16384), 4.0, 0.05);
  EXPECT_NEAR(attention("sdpa-math", 32768) / attention("sdpa-math", 16384), 4.0, 0.05);
  EXPECT_NEAR(attention("flash2", 1 << 20) / attention("flash2", 1 << 19), 2.0, 0.02);
}

TEST(Memory, MonotoneInContextForEveryModelAndPhase) {
  for (const ModelConfig& m : builtin_models()) {
    for (const Phase phase : {Phase::prefill, Phase::decode, Phase::train, Phase::train_recompute}) {
      for (const std::string impl : {"eager", "flash2"}) {
        double previous = 0;
        for (std::int64_t n = 1; n <= (1 << 20); n = n * 3 + 1) {
          const double total = memory_at(m, gpu("h100-sxm"), scenario(n, impl, phase)).total_bytes;
          EXPECT_GE(total, previous) << m.id << " " << phase_name(phase) << " " << impl << " N=" << n;
          previous = total;
        }
      }
    }
  }
}

TEST(Memory, PeakIsTheLargestStepNotTheSumOverLayers) {
  const MemoryBreakdown b = memory_at(model("llama-3.1-8b"), gpu("h100-sxm"), scenario(65536, "eager"));
  double sum = 0;
  for (const MemoryPart& p : b.parts) {
    if (p.at_peak) sum += p.bytes;
  }
  EXPECT_DOUBLE_EQ(b.total_bytes, sum);
  EXPECT_EQ(b.peak_step, "attention");
  // One layer's eager scores are counted once, not x 32 layers.
  EXPECT_LT(b.total_bytes, 2.0 * b.part("attention"));
}

TEST(Memory, TrainingHoldsMoreThanRecomputationWhichHoldsMoreThanPrefill) {
  const ModelConfig& m = model("llama-3.2-1b");
  const double prefill = memory_at(m, gpu("h100-sxm"), scenario(8192)).total_bytes;
  const MemoryBreakdown train = memory_at(m, gpu("h100-sxm"), scenario(8192, "flash2", Phase::train));
  const MemoryBreakdown recompute = memory_at(m, gpu("h100-sxm"), scenario(8192, "flash2", Phase::train_recompute));
  EXPECT_GT(train.total_bytes, recompute.total_bytes);
  EXPECT_GT(recompute.total_bytes, prefill);
  // 2 (weights) + 2 (gradients) + 12 (AdamW fp32 master, m, v) bytes per parameter.
  const double params = count_parameters(m).total();
  EXPECT_NEAR(train.part("weights") + train.part("gradients") + train.part("optimizer_states"), 16.0 * params,
              0.02 * 16 * params);
  // Without recomputation every one of the 16 layers keeps ~42K values per token (q, k, v, norms,
  // MLP gate, up, act, product); with it, each keeps its 2048-wide input and one layer the rest.
  EXPECT_GT(train.part("saved_activations"), 4.0 * recompute.part("saved_activations"));
}

TEST(LongestContext, FitsAtNAndNotAtNPlusOne) {
  for (const std::string impl : {"eager", "sdpa-math", "flash2"}) {
    const Scenario s = scenario(1, impl);
    const double capacity = gpu("rtx4090").memory_capacity_bytes;
    const LongestContext lc = longest_context(model("llama-3.2-1b"), gpu("rtx4090"), s, capacity);
    ASSERT_GT(lc.tokens, 1) << impl;
    ASSERT_FALSE(lc.unbounded);
    Scenario at = s;
    at.context = lc.tokens;
    EXPECT_LE(memory_at(model("llama-3.2-1b"), gpu("rtx4090"), at).total_bytes, capacity) << impl;
    at.context = lc.tokens + 1;
    EXPECT_GT(memory_at(model("llama-3.2-1b"), gpu("rtx4090"), at).total_bytes, capacity) << impl;
    EXPECT_DOUBLE_EQ(lc.one_more.total_bytes, memory_at(model("llama-3.2-1b"), gpu("rtx4090"), at).total_bytes);
  }
}

TEST(LongestContext, FlashReachesFurtherThanEagerAndWeightsThatDoNotFitGiveZero) {
  const double capacity = gpu("rtx4090").memory_capacity_bytes;
  const auto eager = longest_context(model("llama-3.2-1b"), gpu("rtx4090"), scenario(1, "eager"), capacity);
  const auto flash = longest_context(model("llama-3.2-1b"), gpu("rtx4090"), scenario(1, "flash2"), capacity);
  EXPECT_GT(flash.tokens, 3 * eager.tokens);
  const auto seventy = longest_context(model("llama-3.1-70b"), gpu("rtx4090"), scenario(1, "flash2"), capacity);
  EXPECT_EQ(seventy.tokens, 0);
  EXPECT_GT(seventy.at.part("weights"), capacity);
  // A pure SSM decoding: the state does not grow, so no context length is too long.
  const auto ssm =
      longest_context(model("mamba2-780m"), gpu("rtx4090"), scenario(1, "flash2", Phase::decode), capacity);
  EXPECT_TRUE(ssm.unbounded);
}

TEST(PhaseTime, DecodeIsAboutWeightsPlusCacheOverBandwidth) {
  const ModelConfig& m = model("llama-3.1-8b");
  const Gpu& h100 = gpu("h100-sxm");
  Scenario s = scenario(131072, "flash2", Phase::decode);
  s.runtime.dispatch = Dispatch::graph;
  const PhaseTime t = phase_time(m, h100, s);
  const double bytes = weight_bytes(m, s) + kv_cache_bytes(m, s);
  EXPECT_DOUBLE_EQ(t.bytes_per_step, bytes);
  // 32 layers x 39 kernels + 32 outside, each with the graph's launch gap.
  EXPECT_DOUBLE_EQ(t.launch_seconds, (32.0 * 39.0 + 32.0) * s.runtime.launch_gap_seconds);
  // No faster than the bytes at full HBM bandwidth; within 10% of them at a streaming kernel's share,
  // the GEMMs' kernel floors and their lower share of bandwidth (model/library_gemm.h) added.
  const double streaming_seconds = bytes / (h100.hbm_bytes_per_second * h100.hbm_efficiency) + t.launch_seconds;
  EXPECT_GT(t.total_seconds, bytes / h100.hbm_bytes_per_second);
  EXPECT_GT(t.total_seconds, streaming_seconds);
  EXPECT_LT(t.total_seconds, 1.10 * streaming_seconds);
  // Batching amortizes the weights but not the cache: 8 sequences are far from 8x faster at 128K.
  Scenario batch = s;
  batch.batch = 8;
  const double speedup = phase_time(m, h100, batch).tokens_per_second / t.tokens_per_second;
  EXPECT_GT(speedup, 1.0);
  EXPECT_LT(speedup, 2.5);
}

TEST(PhaseTime, PrefillAttentionIsTheCoreVariantTimesLayers) {
  const ModelConfig& m = model("llama-3.2-1b");
  const Scenario s = scenario(16384, "flash2");
  const PhaseTime t = phase_time(m, gpu("h100-sxm"), s);
  Workload w;
  w.heads = 32;
  w.kv_heads = 8;
  w.head_dim = 64;
  w.head_dim_v = 64;
  w.seq_q = w.seq_kv = 16384;
  w.causal = true;
  // Without each call's launch term: the model's launch gaps are counted once, over all its kernels.
  const Prediction call = attnsim::testing::run("flash2", w);
  EXPECT_DOUBLE_EQ(t.attention_seconds, 16.0 * (call.predicted_seconds - call.launch_seconds));
  // GEMMs: 2 FLOPs per matmul weight per token, plus the LM head over all 16384 positions.
  const ParameterCounts c = count_parameters(m);
  EXPECT_DOUBLE_EQ(t.gemm_flops, 2.0 * 16384 * c.matmul_per_token() + 2.0 * 16384 * 128256 * 2048);
  EXPECT_DOUBLE_EQ(t.gpu_seconds, t.attention_seconds + t.gemm_seconds + t.elementwise_seconds + t.launch_seconds);
  EXPECT_DOUBLE_EQ(t.total_seconds, std::max(t.gpu_seconds, t.host_seconds));
}

TEST(PhaseTime, ShortPromptsAndSmallModelDecodeAreHostBoundInEagerModeOnly) {
  const ModelConfig& m = model("llama-3.2-1b");
  Scenario s = scenario(512, "flash2");
  const PhaseTime eager = phase_time(m, gpu("h200"), s);
  // 16 layers x 52.375 operators + 32, at the host's 20.2 us each: 17.6 ms, above the GPU's time.
  EXPECT_NEAR(eager.host_seconds, (16.0 * 52.375 + 32.0) * 20.2e-6, 1e-12);
  EXPECT_GT(eager.host_seconds, eager.gpu_seconds);
  EXPECT_DOUBLE_EQ(eager.total_seconds, eager.host_seconds);
  s.runtime.dispatch = Dispatch::graph;
  const PhaseTime graph = phase_time(m, gpu("h200"), s);
  EXPECT_EQ(graph.host_seconds, 0.0);
  EXPECT_DOUBLE_EQ(graph.total_seconds, graph.gpu_seconds);
  EXPECT_LT(graph.total_seconds, 0.5 * eager.total_seconds);
  // Decode of one token: the same host floor, whatever the cache.
  Scenario decode = scenario(4096, "flash2", Phase::decode);
  EXPECT_NEAR(phase_time(m, gpu("h200"), decode).total_seconds, eager.host_seconds, 1e-12);
}

// PyTorch's caching allocator (c10/cuda/CUDACachingAllocator.cpp): 512 B rounding; a tensor of
// 10 MiB or more holds its whole 2 MiB-rounded segment when at most 1 MiB would be left, else the
// rest of the segment is slack.
TEST(Allocator, RoundsTo512BytesAndKeepsSegmentRestsAsSlack) {
  const RuntimeOverhead rt;
  constexpr double kMiB = 1024.0 * 1024.0;
  EXPECT_DOUBLE_EQ(tensor_allocation(1.0, rt).bytes, 512.0);
  EXPECT_DOUBLE_EQ(tensor_allocation(3.0 * kMiB + 1.0, rt).bytes, 3.0 * kMiB + 512.0);  // pooled: no slack
  EXPECT_DOUBLE_EQ(tensor_allocation(3.0 * kMiB + 1.0, rt).slack, 0.0);
  const Allocation whole = tensor_allocation(11.5 * kMiB, rt);  // 0.5 MiB left of 12: not split
  EXPECT_DOUBLE_EQ(whole.bytes, 12.0 * kMiB);
  EXPECT_DOUBLE_EQ(whole.slack, 0.0);
  const Allocation split = tensor_allocation(10.5 * kMiB, rt);  // 1.5 MiB left of 12: split
  EXPECT_DOUBLE_EQ(split.bytes, 10.5 * kMiB);
  EXPECT_DOUBLE_EQ(split.slack, 1.5 * kMiB);
}

TEST(KvCacheOption, NoneDropsTheCacheAndTheAttentionCallHoldsItsOwnKeysAndValues) {
  Scenario with = scenario(16384);
  with.kv_block_tokens = 1;
  Scenario without = with;
  without.kv_cache = false;
  const MemoryBreakdown a = memory_at(model("llama-3.2-1b"), gpu("h100-sxm"), with);
  const MemoryBreakdown b = memory_at(model("llama-3.2-1b"), gpu("h100-sxm"), without);
  EXPECT_GT(a.part("kv_cache"), 0.0);
  EXPECT_EQ(b.part("kv_cache"), 0.0);
  // One layer's K and V (2 x 8 heads x 64 x 16384 x 2 B = 32 MiB) join the attention step.
  EXPECT_NEAR(b.part("attention") - a.part("attention"), 32.0 * 1024 * 1024, 2.0 * 1024 * 1024);
  Scenario decode = without;
  decode.phase = Phase::decode;
  EXPECT_THROW(memory_at(model("llama-3.2-1b"), gpu("h100-sxm"), decode), InvalidInput);
}

TEST(FusedViews, Phi3CachedValueKeepsTheWholeQkvBufferOnlyInTransformers4sCache) {
  Scenario s = scenario(8192);
  s.kv_block_tokens = 1;
  s.kv_cache_keeps_prefill_views = true;
  const ModelConfig phi = model("phi-3-mini");
  ModelConfig separate = phi;
  separate.fused_qkv = false;
  separate.fused_gate_up = false;
  const MemoryBreakdown fused = memory_at(phi, gpu("h100-sxm"), s);
  const MemoryBreakdown plain = memory_at(separate, gpu("h100-sxm"), s);
  EXPECT_NEAR(fused.part("kv_cache") / plain.part("kv_cache"), 2.0, 1e-9);  // K + (32 + 2 x 32) heads vs K + V
  EXPECT_NEAR(fused.part("mlp") / plain.part("mlp"), 4.0 / 3.0, 1e-9);      // gate_up (2I), act, product vs 3 x I
  const auto same_cache = [&](const Scenario& scenario) {
    return memory_at(phi, gpu("h100-sxm"), scenario).part("kv_cache") ==
           memory_at(separate, gpu("h100-sxm"), scenario).part("kv_cache");
  };
  EXPECT_FALSE(same_cache(s));
  s.kv_block_tokens = 16;  // a paged cache copies V into its blocks
  EXPECT_TRUE(same_cache(s));
  s.kv_block_tokens = 1;
  s.kv_cache_keeps_prefill_views = false;  // transformers 5 copies on the first update
  EXPECT_TRUE(same_cache(s));
}

// transformers' DynamicSlidingWindowLayer keeps a view of the whole prompt's K and V after a prefill,
// so Gemma 3's local layers hold all N tokens until the first decode step; a paged cache holds the
// window's blocks.
TEST(SlidingWindowCache, LocalLayersHoldTheWholePromptRightAfterAContiguousPrefill) {
  const ModelConfig gemma = model("gemma-3-27b");
  Scenario s = scenario(32768);
  s.kv_block_tokens = 1;
  const double per_token_layer = 2.0 * 16 * 128 * 2;  // K and V, 16 kv heads x 128, bf16
  EXPECT_NEAR(memory_at(gemma, gpu("h100-sxm"), s).part("kv_cache"), 62.0 * 32768 * per_token_layer, 62.0 * 4096);
  s.phase = Phase::decode;
  EXPECT_NEAR(memory_at(gemma, gpu("h100-sxm"), s).part("kv_cache"), (10.0 * 32768 + 52.0 * 1024) * per_token_layer,
              62.0 * 4096);
}

TEST(LogitsMultiplier, FalconH1HoldsTwoLogitsTensors) {
  const ModelConfig falcon = model("falcon-h1-0.5b");
  ASSERT_TRUE(falcon.lm_head_multiplier.has_value());
  ModelConfig unscaled = falcon;
  unscaled.lm_head_multiplier.reset();
  const Scenario s = scenario(32768);
  EXPECT_DOUBLE_EQ(memory_at(falcon, gpu("h100-sxm"), s).part("logits"),
                   2.0 * memory_at(unscaled, gpu("h100-sxm"), s).part("logits"));
}

TEST(UsableMemory, ProfilesGiveTheRuntimesTotalBesideTheNominalCapacity) {
  const Gpu& rtx = gpu("rtx4090");
  ASSERT_TRUE(rtx.usable_memory_bytes.has_value());
  EXPECT_NEAR(*rtx.usable_memory_bytes / (1024.0 * 1024 * 1024), 23.65, 1e-9);
  EXPECT_LT(rtx.usable_or_capacity_bytes(), rtx.memory_capacity_bytes);
  EXPECT_FALSE(gpu("a10").usable_memory_bytes.has_value());
  EXPECT_DOUBLE_EQ(gpu("a10").usable_or_capacity_bytes(), gpu("a10").memory_capacity_bytes);
}

}  // namespace
}  // namespace attnsim::capacity
