#include "capacity/context_parallel.h"

#include <gtest/gtest.h>

#include "io/model_config.h"
#include "model/error.h"
#include "tests/test_support.h"

namespace attnsim::capacity {
namespace {

using attnsim::testing::gpu;

Scenario prefill(std::int64_t n) {
  Scenario s;
  s.context = n;
  s.all_logits = false;
  return s;
}

TEST(RingAttention, OneGpuEqualsTheSingleGpuPrediction) {
  const ModelConfig m = find_model("llama-3.1-8b");
  for (const std::int64_t n : {4096, 131072, 1048576}) {
    const RingPrefill r = ring_prefill(m, gpu("h100-sxm"), prefill(n), 1);
    EXPECT_DOUBLE_EQ(r.total_seconds, phase_time(m, gpu("h100-sxm"), prefill(n)).total_seconds) << n;
    EXPECT_DOUBLE_EQ(r.peak_bytes, memory_at(m, gpu("h100-sxm"), prefill(n)).total_bytes) << n;
    EXPECT_DOUBLE_EQ(r.exposed_transfer_seconds, 0.0);
  }
}

TEST(RingAttention, TransfersHideOnLongBlocksAndShowOnShortOnes) {
  const ModelConfig m = find_model("llama-3.1-8b");
  // 128K tokens per GPU: a step's compute grows as (N/P)^2, its K/V block only as N/P.
  const RingPrefill long_blocks = ring_prefill(m, gpu("rtx4090"), prefill(1 << 20), 8);
  EXPECT_GT(long_blocks.step_compute_seconds, 10.0 * long_blocks.step_transfer_seconds);
  EXPECT_DOUBLE_EQ(long_blocks.exposed_transfer_seconds, 0.0);
  // 1K tokens per GPU over PCIe: the transfer is longer than the compute it should hide under.
  const RingPrefill short_blocks = ring_prefill(m, gpu("rtx4090"), prefill(65536), 64);
  EXPECT_GT(short_blocks.step_transfer_seconds, short_blocks.step_compute_seconds);
  EXPECT_GT(short_blocks.exposed_transfer_seconds, 0.0);
  // The transfer is one layer's K and V of N/P tokens: 2 x 8 x 128 x 1024 x 2 B over 31.5 GB/s.
  EXPECT_NEAR(short_blocks.step_transfer_seconds, 2.0 * 8 * 128 * 1024 * 2 / 31.5e9, 1e-12);
}

TEST(RingAttention, MemoryPerGpuFallsWithTheGpuCountButKeepsTheWeights) {
  const ModelConfig m = find_model("llama-3.1-8b");
  const RingPrefill one = ring_prefill(m, gpu("h100-sxm"), prefill(1 << 20), 1);
  const RingPrefill eight = ring_prefill(m, gpu("h100-sxm"), prefill(1 << 20), 8);
  EXPECT_GT(one.peak_bytes, gpu("h100-sxm").memory_capacity_bytes);
  EXPECT_LT(eight.peak_bytes, gpu("h100-sxm").memory_capacity_bytes);
  EXPECT_DOUBLE_EQ(eight.memory.part("weights"), one.memory.part("weights"));
  EXPECT_NEAR(eight.memory.part("kv_cache"), one.memory.part("kv_cache") / 8.0, 64.0 * 1024 * 1024);
  EXPECT_LT(eight.total_seconds, one.total_seconds / 7.0);
}

TEST(RingAttention, RejectsWhatItDoesNotModel) {
  EXPECT_THROW(ring_prefill(find_model("mamba2-780m"), gpu("h100-sxm"), prefill(4096), 2), InvalidInput);
  EXPECT_THROW(ring_prefill(find_model("gemma-3-27b"), gpu("h100-sxm"), prefill(4096), 2), InvalidInput);
  Gpu no_link = gpu("h100-sxm");
  no_link.interconnect_bytes_per_second.reset();
  EXPECT_THROW(ring_prefill(find_model("llama-3.1-8b"), no_link, prefill(4096), 2), InvalidInput);
  EXPECT_NO_THROW(ring_prefill(find_model("llama-3.1-8b"), no_link, prefill(4096), 2, 50e9));
}

}  // namespace
}  // namespace attnsim::capacity
