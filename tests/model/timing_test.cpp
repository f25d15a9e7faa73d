#include "model/timing.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace attnsim {
namespace {

KernelCost compute_kernel(double ctas, double per_sm) {
  KernelCost k;
  k.tensor_flops = 1e12;
  k.tensor_dtype = Dtype::bf16;
  k.ctas = ctas;
  k.ctas_per_sm = per_sm;
  k.efficiency.tensor = 0.5;
  return k;
}

TEST(Timing, TensorTimeIsFlopsOverPeakTimesEfficiency) {
  const Gpu& gpu = testing::gpu("h100-sxm");
  const KernelTime t = time_kernel(compute_kernel(0, 0), gpu);
  // The datasheet's 989.4 TFLOP/s is quoted at 1830 MHz; the profile's sustained clock is 1710.
  EXPECT_DOUBLE_EQ(t.tensor_seconds, 1e12 / (989.4e12 * (1710.0 / 1830.0) * 0.5));
  EXPECT_EQ(t.bound, "compute");
}

TEST(Timing, PartialLastWaveStretchesCompute) {
  const Gpu& gpu = testing::gpu("h100-sxm");  // 132 SMs
  const KernelTime full = time_kernel(compute_kernel(132, 1), gpu);
  const KernelTime one_more = time_kernel(compute_kernel(133, 1), gpu);
  EXPECT_EQ(full.waves, 1);
  EXPECT_EQ(one_more.waves, 2);
  EXPECT_NEAR(one_more.wave_quantization_seconds / one_more.tensor_seconds, 2.0 * 132 / 133 - 1.0, 1e-12);
}

// A CTA waiting on L2 holds no pipe: the wait is a part of the overlap of its own, so with 2 CTAs per
// SM it hides under the longest part as the softmax does, rather than adding to the shared-memory
// loads; alone on its SM (overlap 0) it adds in full either way.
TEST(Timing, AnL2WaitIsAPartOfItsOwnInTheOverlap) {
  const Gpu& gpu = testing::gpu("h100-sxm");
  KernelCost k = compute_kernel(0, 2);
  k.efficiency.tensor = 1.0;
  k.efficiency.softmax_overlap = 0.5;
  k.shared_memory_read_bytes = 1e10;
  k.l2_wait_bytes = 1e10;
  k.efficiency.l2_wait_rate = 0.6;
  const KernelTime t = time_kernel(k, gpu);
  ASSERT_GT(t.l2_wait_seconds, t.operand_load_seconds);
  ASSERT_GT(t.l2_wait_seconds, t.tensor_seconds);
  const double others = t.tensor_seconds + t.operand_load_seconds + t.exp_seconds + t.vector_seconds;
  EXPECT_NEAR(t.seconds - t.launch_seconds, t.l2_wait_seconds + 0.5 * others, 1e-12);
  k.efficiency.softmax_overlap = 0.0;
  const KernelTime serial = time_kernel(k, gpu);
  EXPECT_NEAR(serial.seconds - serial.launch_seconds, serial.l2_wait_seconds + others, 1e-12);
}

TEST(Timing, MemoryAndLatencyBounds) {
  const Gpu& gpu = testing::gpu("h100-sxm");
  KernelCost copy;
  copy.hbm_read_bytes = 1e9;
  copy.hbm_write_bytes = 1e9;
  EXPECT_EQ(time_kernel(copy, gpu).bound, "memory");
  EXPECT_DOUBLE_EQ(time_kernel(copy, gpu).hbm_seconds, 2e9 / (3352e9 * 0.9));
  KernelCost tiny;
  tiny.hbm_read_bytes = 1024;
  EXPECT_EQ(time_kernel(tiny, gpu).bound, "latency");
}

TEST(Timing, ADependentLoadChainLastsItsRoundTripsWhateverItsBytes) {
  Gpu gpu = testing::gpu("h100-sxm");
  gpu.l2_latency_seconds = 200e-9;
  KernelCost chain;  // 8 CTAs, each walking 33 loads it waits on in turn: 0.5 MB
  chain.hbm_read_bytes = 0.5e6;
  chain.ctas = 8;
  chain.ctas_per_sm = 16;
  chain.dependent_l2_loads_per_cta = 33;
  const KernelTime t = time_kernel(chain, gpu);
  EXPECT_DOUBLE_EQ(t.seconds - t.launch_seconds, 33 * 200e-9);
  EXPECT_EQ(t.bound, "latency");
  // A second wave waits after the first; with no measured latency the chain is not priced.
  chain.ctas = 132 * 16 + 1;
  EXPECT_DOUBLE_EQ(time_kernel(chain, gpu).seconds - t.launch_seconds, 2 * 33 * 200e-9);
  gpu.l2_latency_seconds.reset();
  EXPECT_LT(time_kernel(chain, gpu).seconds - t.launch_seconds, 1e-6);
}

TEST(Timing, SoftmaxOverlapHidesExpUnderMatmul) {
  const Gpu& gpu = testing::gpu("h100-sxm");
  KernelCost k = compute_kernel(0, 0);
  k.exp_ops = 1e9;
  k.efficiency.softmax_overlap = 1.0;
  const KernelTime hidden = time_kernel(k, gpu);
  k.efficiency.softmax_overlap = 0.0;
  const KernelTime serial = time_kernel(k, gpu);
  EXPECT_NEAR(serial.seconds - hidden.seconds, hidden.exp_seconds, 1e-15);
}

}  // namespace
}  // namespace attnsim

namespace attnsim {
namespace {

// H100 measurements these mechanisms come from: validate/data/h100-sxm/attnsim_bench_extended.csv.
TEST(TileMechanisms, SixtyFourRowTilesLoadTwiceTheOperandBytesPerFlop) {
  const Workload w = testing::workload(16384);
  VariantKnobs wide, narrow;
  wide.block_m = 128;
  wide.block_n = 64;
  narrow.block_m = 64;
  narrow.block_n = 64;
  const Prediction p128 = testing::run("flash2", w, "h100-sxm", wide);
  const Prediction p64 = testing::run("flash2", w, "h100-sxm", narrow);
  EXPECT_NEAR(p64.operand_load_seconds / p128.operand_load_seconds, 2.0, 1e-9);
  EXPECT_GT(p64.predicted_seconds / p128.predicted_seconds, 1.2);  // measured 1.34
}

VariantKnobs tile(std::int64_t block_m, std::int64_t block_n) {
  VariantKnobs knobs;
  knobs.block_m = block_m;
  knobs.block_n = block_n;
  return knobs;
}

TEST(TileMechanisms, SpillsOfTheWidestTileAtHeadDim128) {
  const VariantKnobs wide = tile(128, 64);
  const VariantKnobs widest = tile(128, 128);
  const Workload w = testing::workload(16384);
  const double ratio = testing::run("flash2", w, "h100-sxm", widest).predicted_seconds /
                       testing::run("flash2", w, "h100-sxm", wide).predicted_seconds;
  EXPECT_GT(ratio, 1.3);  // measured 1.43: 320 accumulator registers, 65 spilled
  const Workload d64 = testing::workload(16384, 32, 64);
  EXPECT_LT(testing::run("flash2", d64, "h100-sxm", widest).predicted_seconds /
                testing::run("flash2", d64, "h100-sxm", wide).predicted_seconds,
            1.1);  // 256 registers at d = 64: one spilled, measured 1.07
}

TEST(TileMechanisms, SpillsCostTimeOnTopOfOperandLoads) {
  // Same CTAs per SM, the spilling tile loads fewer operand bytes per score (128 keys per step) but
  // stores and reloads its spilled accumulators at L2's rate.
  const Workload w = testing::workload(16384);
  const Prediction fits = testing::run("flash2", w, "rtx4090", tile(128, 64));
  const Prediction spills = testing::run("flash2", w, "rtx4090", tile(128, 128));
  EXPECT_EQ(fits.cost.kernels[0].ctas_per_sm, spills.cost.kernels[0].ctas_per_sm);  // one CTA of 64 / 96 KiB
  EXPECT_GT(spills.cost.kernels[0].register_spill_bytes, 0.0);
  EXPECT_GT(spills.operand_load_seconds, fits.operand_load_seconds);
  EXPECT_GT(spills.predicted_seconds / fits.predicted_seconds, 1.05);
}

TEST(TileMechanisms, CausalCtasOfAFewWavesFinishAfterTheirMean) {
  Workload w = testing::workload(4096);
  const Prediction dense = testing::run("flash2", w);
  w.causal = true;
  const Prediction causal = testing::run("flash2", w);
  // 1024 CTAs on 264 slots: the heavy last query blocks of the last heads run on after the rest.
  EXPECT_GT(causal.wave_quantization_seconds, 0.1 * (causal.predicted_seconds - causal.wave_quantization_seconds));
  EXPECT_LT(causal.predicted_seconds, dense.predicted_seconds);
}

}  // namespace
}  // namespace attnsim

namespace attnsim {
namespace {

TEST(HostDispatch, EagerCallsTakeTheLongerOfHostAndGpu) {
  const Variant& eager = find_variant("eager");
  Workload w = testing::workload(512);
  w.head_dim = w.head_dim_v = 64;
  const HostDispatch eager_mode{Dispatch::eager, 20.2e-6};
  // Eight framework operators (matmul, scale, cast, softmax, cast, matmul, transpose...) each cost
  // the host more than their kernels cost the GPU at N = 512.
  const Prediction small = predict(w, testing::gpu("h200"), eager, {}, eager_mode);
  EXPECT_DOUBLE_EQ(small.host_seconds, double(small.cost.kernels.size()) * 20.2e-6);
  EXPECT_GT(small.host_seconds, small.gpu_seconds);
  EXPECT_DOUBLE_EQ(small.predicted_seconds, small.host_seconds);
  EXPECT_EQ(small.bound, "host");
  // A fused call is one operator: at N = 16384 the GPU is far slower than its dispatch.
  const Prediction fused = predict(testing::workload(16384), testing::gpu("h200"), find_variant("flash2"), {}, eager_mode);
  EXPECT_DOUBLE_EQ(fused.host_seconds, 20.2e-6);
  EXPECT_DOUBLE_EQ(fused.predicted_seconds, fused.gpu_seconds);
  // Under a graph the host costs nothing.
  EXPECT_EQ(predict(w, testing::gpu("h200"), eager, {}).host_seconds, 0.0);
}

}  // namespace
}  // namespace attnsim
