// The CUTLASS fMHA backward's kernel choice, key splits and workspace, against PyTorch's dispatch
// (attention_backward.cu) and the kernels an H100 ran (validate/data/h100-sxm/breakdown/kernels.csv).
#include "model/variants/cutlass_fmha_backward.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace attnsim {
namespace {

using testing::gpu;

Workload backward(std::int64_t seq, std::int64_t head_dim, bool causal = false) {
  Workload w = testing::workload(seq, 32, head_dim);
  w.head_dim_v = head_dim;
  w.causal = causal;
  w.pass = Pass::backward;
  return w;
}

TEST(CutlassBackward, KernelPerHeadDimIsTheOneTheH100Ran) {
  const CutlassBackwardKernel d128 = cutlass_backward_kernel(backward(4096, 128), gpu("h100-sxm"));
  EXPECT_EQ(d128.block_i, 128);  // fmha_cutlassB_bf16_aligned_128x128_k128_seqaligned_sm80
  EXPECT_EQ(d128.block_j, 128);
  EXPECT_TRUE(d128.output_in_rf);
  EXPECT_EQ(d128.warps(), 16);  // 512 threads
  const CutlassBackwardKernel d256 = cutlass_backward_kernel(backward(4096, 256), gpu("h100-sxm"));
  EXPECT_EQ(d256.block_i, 128);  // fmha_cutlassB_bf16_aligned_128x64_k65536_sm80
  EXPECT_EQ(d256.block_j, 64);
  EXPECT_FALSE(d256.output_in_rf);
  EXPECT_FALSE(d256.preload);
  EXPECT_EQ(d256.warps(), 8);  // 256 threads
  const CutlassBackwardKernel d64 = cutlass_backward_kernel(backward(4096, 64), gpu("h100-sxm"));
  EXPECT_EQ(d64.block_i, 64);
  EXPECT_EQ(d64.block_j, 64);
  EXPECT_TRUE(d64.output_in_rf);
}

TEST(CutlassBackward, TooLittleSharedMemoryFallsBackToTheNextKernel) {
  // 128x128 k128 needs 133,632 B; an RTX 4090 block gets 101,376: 64x64 k128, dK/dV staged.
  const CutlassBackwardKernel k = cutlass_backward_kernel(backward(4096, 128), gpu("rtx4090"));
  EXPECT_EQ(k.block_i, 64);
  EXPECT_EQ(k.max_k, 128);
  EXPECT_FALSE(k.output_in_rf);
  // sm89 has its own 128x64 k96 kernel for d <= 96.
  EXPECT_EQ(cutlass_backward_kernel(backward(4096, 80), gpu("rtx4090")).max_k, 96);
  EXPECT_EQ(cutlass_backward_kernel(backward(4096, 80), gpu("h100-sxm")).max_k, 128);
}

TEST(CutlassBackward, SplitsAndGridAreTheMeasuredOnes) {
  const Workload d128 = backward(4096, 128);
  const Workload d256 = backward(4096, 256);
  // Grids 32x32x1 and 6x32x1: ceil(4096 / 128) splits, and min(64, 200 / 32) when dK/dV are staged.
  EXPECT_EQ(cutlass_backward_key_splits(d128, cutlass_backward_kernel(d128, gpu("h100-sxm"))), 32);
  EXPECT_EQ(cutlass_backward_key_splits(d256, cutlass_backward_kernel(d256, gpu("h100-sxm"))), 6);
  const Prediction p = testing::run("mem-efficient", d256);
  ASSERT_EQ(p.cost.kernels.size(), 2u);  // zero-fill, then the main kernel
  EXPECT_DOUBLE_EQ(p.cost.kernels[1].ctas, 6.0 * 32.0);
  EXPECT_DOUBLE_EQ(p.cost.kernels[1].ctas_per_sm, 1.0);  // 151 registers x 256 threads
}

TEST(CutlassBackward, WorkspaceIsParamsWorkspaceSize) {
  const Workload d128 = backward(4096, 128);
  const CutlassBackwardKernel k = cutlass_backward_kernel(d128, gpu("h100-sxm"));
  // dQ only: 32 query blocks x 1 column x (16 + 128 * 128 * 4) bytes per head; the zero-fill kernel
  // of the breakdown (FillFunctor<unsigned char>, 32,776 blocks) clears these 67,125,248 bytes.
  EXPECT_DOUBLE_EQ(cutlass_backward_workspace_bytes(d128, k, 32), 32.0 * 32.0 * (16.0 + 65536.0));
  const Workload d256 = backward(4096, 256);
  const CutlassBackwardKernel k256 = cutlass_backward_kernel(d256, gpu("h100-sxm"));
  const double staged = 2.0 * 6.0 * 64.0 * 256.0;       // dK and dV per split
  const double dq = 32.0 * 4.0 * (4.0 + 128.0 * 64.0);  // query blocks x column chunks
  EXPECT_DOUBLE_EQ(cutlass_backward_workspace_bytes(d256, k256, 6), 32.0 * (staged + dq) * 4.0);
}

TEST(CutlassBackward, HeadDim256RunsAtAThirdOfHeadDim128sRate) {
  // Measured on the H100 (breakdown): 136 TFLOP/s at d = 128, 38 at d = 256.
  const Prediction d128 = testing::run("mem-efficient", backward(4096, 128));
  const Prediction d256 = testing::run("mem-efficient", backward(4096, 256));
  const double ratio = d128.achieved_flops_per_second / d256.achieved_flops_per_second;
  EXPECT_GT(ratio, 2.5);
  EXPECT_LT(ratio, 4.5);
}

TEST(CutlassBackward, HeadDimBetweenKernelsRunsWholeThreadblockTiles) {
  // d = 80 and d = 96 both run the kMaxK = 128 kernel: S and dP walk the head dim in 32-deep steps
  // (96 either way) and dV, dQ, dK produce 128 columns a pass, so their matmuls are the same.
  const Prediction d80 = testing::run("mem-efficient", backward(4096, 80));
  const Prediction d96 = testing::run("mem-efficient", backward(4096, 96));
  const Prediction d128 = testing::run("mem-efficient", backward(4096, 128));
  ASSERT_EQ(d80.cost.kernels.size(), 2u);
  EXPECT_DOUBLE_EQ(d80.cost.kernels[1].tensor_flops, d96.cost.kernels[1].tensor_flops);
  // 96 + 96 + 3 x 128 against 5 x 128 per score and tile.
  EXPECT_DOUBLE_EQ(d80.cost.kernels[1].tensor_flops / d128.cost.kernels[1].tensor_flops, 576.0 / 640.0);
}

TEST(CutlassBackward, QueriesShorterThanKeysWaitOnTheDqLockChain) {
  // B = 16, H = 8, Nq = 512, Nk = 8192, d = 128: 64 splits of one key block each share a head's
  // four dQ tiles, each tile's lock taken by all 64 key blocks one after another, two heads at a
  // time on 132 SMs (measured 16.2 ms on an H100, validate/data/h100-sxm/random_shapes/).
  Workload w = backward(8192, 128);
  w.batch = 16;
  w.heads = w.kv_heads = 8;
  w.seq_q = 512;
  const Prediction p = testing::run("mem-efficient", w);
  ASSERT_EQ(p.cost.kernels.size(), 2u);
  const KernelCost& main = p.cost.kernels[1];
  EXPECT_DOUBLE_EQ(main.serialized_sections, 64.0 * 128.0 * 64.0 / 132.0);
  EXPECT_EQ(p.kernels[1].bound, "lock");
  EXPECT_DOUBLE_EQ(p.kernels[1].seconds - p.kernels[1].launch_seconds, p.kernels[1].lock_chain_seconds);
  // Without the chain the same tiles took 4.5 ms; square calls of as many tiles do not wait on it.
  EXPECT_GT(p.kernels[1].seconds, 10e-3);
  Workload square = backward(2048, 128);
  square.batch = 16;
  square.heads = square.kv_heads = 8;
  const Prediction q = testing::run("mem-efficient", square);
  EXPECT_LT(q.kernels[1].seconds, 0.5 * p.kernels[1].seconds);
}

TEST(CutlassBackward, OneHeadWaitsOnItsWholeLockChainAndWindowsStayContinuous) {
  // B = H = 1, Nq = 64, Nk = 8192, d = 64: 128 one-block splits all add to one query block's dQ
  // tile, however few CTAs the grid has: 128 sections back to back.
  Workload one = backward(8192, 64);
  one.heads = one.kv_heads = 1;
  one.seq_q = 64;
  const Prediction p = testing::run("mem-efficient", one);
  ASSERT_EQ(p.cost.kernels.size(), 2u);
  EXPECT_DOUBLE_EQ(p.cost.kernels[1].serialized_sections, 128.0);
  // A sliding window's busiest dQ tile is visited by the key blocks of one window, at any length:
  // past the blocks walked one by one the closed form gives the same count.
  Workload windowed = backward(std::int64_t{1} << 26, 64);
  windowed.heads = windowed.kv_heads = 8;
  windowed.window = 4096;
  const double walked = testing::run("mem-efficient", windowed).cost.kernels[1].serialized_sections;
  windowed.seq_q = windowed.seq_kv = (std::int64_t{1} << 26) + (std::int64_t{1} << 20);
  const double closed_form = testing::run("mem-efficient", windowed).cost.kernels[1].serialized_sections;
  EXPECT_NEAR(closed_form / walked, 1.0, 0.02);
}

}  // namespace
}  // namespace attnsim
