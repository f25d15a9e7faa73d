// Behaviour of each variant that its source documents.
#include <gtest/gtest.h>

#include <stdexcept>

#include "model/error.h"
#include "model/loglog_fit.h"
#include "model/mask_geometry.h"
#include "model/variants/flash2.h"
#include "tests/test_support.h"

namespace attnsim {

std::int64_t flash_decode_num_splits(double batch_heads_mblocks, double num_slots, std::int64_t num_n_blocks);

namespace {

using testing::run;
using testing::workload;

TEST(Registry, EveryVariantHasASourceAndUnknownNamesSuggestTheNearest) {
  EXPECT_EQ(all_variants().size(), 12u);
  for (const Variant& v : all_variants()) EXPECT_FALSE(v.sources.empty()) << v.id;
  try {
    find_variant("flash4");
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'flash"), std::string::npos);
  }
}

TEST(Flash2, DefaultTilesFollowTheLaunchTemplate) {
  EXPECT_EQ(run("flash2", workload(4096)).cost.tiling->block_n, 64);  // sm90, hdim 128: 128 x 64
  const auto ada = run("flash2", workload(4096), "rtx4090").cost.tiling;
  EXPECT_EQ(ada->block_m, 128);  // sm89 non-causal: 128 x 32
  EXPECT_EQ(ada->block_n, 32);
  Workload causal = workload(4096);
  causal.causal = true;
  EXPECT_EQ(run("flash2", causal, "rtx4090").cost.tiling->block_m, 64);        // sm89 causal: 64 x 64
  EXPECT_EQ(run("flash2", workload(4096, 32, 64)).cost.tiling->block_n, 128);  // hdim 64: 128 x 128
  // hdim160 on the A100 and H100: 128 x 32 with 4 warps, d = 144 included; hdim192: 128 x 64, 8 warps.
  for (const std::int64_t d : {144, 160}) {
    const Tiling t = flash2_forward_tiling(workload(4096, 32, d), testing::gpu("h100-sxm"));
    EXPECT_EQ(t.block_m, 128) << d;
    EXPECT_EQ(t.block_n, 32) << d;
    EXPECT_EQ(t.warps, 4) << d;
  }
  EXPECT_EQ(flash2_forward_tiling(workload(4096, 32, 192), testing::gpu("h100-sxm")).warps, 8);
  // hdim224 takes 128 x 64 with 8 warps where a block may use 2 * 224 * 256 bytes (the H100's 227
  // KB), else 64 x 64 (the RTX 4090's 99 KB).
  EXPECT_EQ(flash2_forward_tiling(workload(4096, 32, 200), testing::gpu("h100-sxm")).block_m, 128);
  EXPECT_EQ(flash2_forward_tiling(workload(4096, 32, 200), testing::gpu("rtx4090")).block_m, 64);
  // hdim160 on sm86/89: 64 x 64 causal, 128 x 64 with 8 warps otherwise.
  Workload causal160 = workload(4096, 32, 160);
  causal160.causal = true;
  EXPECT_EQ(flash2_forward_tiling(causal160, testing::gpu("rtx4090")).block_m, 64);
  EXPECT_EQ(flash2_forward_tiling(workload(4096, 32, 160), testing::gpu("rtx4090")).warps, 8);
  // hdim256: 128 x 64 on the A100 (164 KB an SM: 64 x 64 would not fit two CTAs), 64 x 64 on the H100.
  EXPECT_EQ(flash2_forward_tiling(workload(4096, 32, 256), testing::gpu("a100-sxm-80gb")).block_m, 128);
  EXPECT_EQ(flash2_forward_tiling(workload(4096, 32, 256), testing::gpu("h100-sxm")).block_m, 64);
}

// mha_bwd (flash_api.cpp) allocates the fp32 dQ accumulator as (B, round_up(Nq, 128), H,
// head_size_rounded) and the row sums as (B, H, round_up(Nq, 128)); the logsumexp is the forward's.
TEST(Flash2, BackwardWorkspaceIsWhatMhaBwdAllocates) {
  for (const auto& [d, rounded_d] : {std::pair{80, 96.0}, std::pair{128, 128.0}, std::pair{160, 192.0}}) {
    Workload w = workload(1000, 8, d);
    w.pass = Pass::backward;
    const double rows = 1024.0, bh = 8.0;
    const double expected = bh * 1000.0 * 4.0 + bh * rows * 4.0 + bh * rows * rounded_d * 4.0;
    EXPECT_DOUBLE_EQ(run("flash2", w).cost.workspace_bytes, expected) << d;
  }
}

// HEADDIM_SWITCH builds 32, 64, 96, 128, 160, 192, 256: d = 80 runs the d = 96 kernel on zero-padded
// columns, so its matmuls and operand loads are d = 96's, while HBM moves only the 80 real columns.
TEST(Flash2, HeadDimsBetweenTheCompiledOnesRunTheLargerKernel) {
  for (const Pass pass : {Pass::forward, Pass::backward}) {
    Workload w80 = workload(4096, 32, 80), w96 = workload(4096, 32, 96), w128 = workload(4096, 32, 128);
    w80.pass = w96.pass = w128.pass = pass;
    const Prediction p80 = run("flash2", w80), p96 = run("flash2", w96), p128 = run("flash2", w128);
    EXPECT_DOUBLE_EQ(p80.tensor_flops, p96.tensor_flops) << pass_name(pass);
    EXPECT_LT(p96.tensor_flops, p128.tensor_flops) << pass_name(pass);
    EXPECT_LT(p80.hbm_read_bytes, p96.hbm_read_bytes) << pass_name(pass);
  }
}

TEST(Flash2, TileOverrideChangesTrafficAndIsCheckedAgainstSharedMemory) {
  VariantKnobs knobs;
  knobs.block_m = 64;
  knobs.block_n = 64;
  const Prediction small = run("flash2", workload(131072), "h100-sxm", knobs);
  EXPECT_EQ(small.cost.tiling->block_m, 64);
  knobs.block_m = 1024;
  knobs.block_n = 1024;
  EXPECT_THROW(run("flash2", workload(4096), "h100-sxm", knobs), InvalidInput);
}

TEST(Flash2, RereadsStayInL2WhileAHeadsKvFitsAndSpillPastIt) {
  // 16K x 256 x 2 B = 8 MiB of K/V per head fits in H100's 50 MiB L2: compulsory traffic only.
  const Prediction fits = run("flash2", workload(16384));
  EXPECT_DOUBLE_EQ(fits.hbm_reread_bytes, 0.0);
  // 128K: 64 MiB per head, 1024 query blocks on 264 slots: each wave streams K/V again (4 passes).
  const Prediction spills = run("flash2", workload(131072));
  const double kv = 32.0 * 131072 * 256 * 2;
  EXPECT_NEAR(spills.hbm_reread_bytes / kv, 3.0, 0.01);
  // A 64K head (32 MiB of K/V) fits H100's L2 but not RTX 3090's 6 MiB: 512 query blocks on 164
  // slots stream it four times there.
  EXPECT_DOUBLE_EQ(run("flash2", workload(65536)).hbm_reread_bytes, 0.0);
  EXPECT_GT(run("flash2", workload(65536), "rtx3090").hbm_reread_bytes, 0.0);
}

TEST(Flash2, DecodingTakesTheSplitKvPathAsMhaFwdDoes) {
  Workload w = workload(131072, 32);
  w.seq_q = 1;
  w.kv_heads = 8;
  w.batch = 16;
  EXPECT_DOUBLE_EQ(run("flash2", w).predicted_seconds, run("flash-decode", w).predicted_seconds);
  EXPECT_EQ(run("flash2", w).kernels.size(), 2u);                // split kernel + combine
  EXPECT_EQ(run("flash2", workload(16384)).kernels.size(), 1u);  // prefill: one split, standard kernel
}

TEST(Flash2, RejectsDtypesWithoutAKernel) {
  Workload w = workload(1024);
  w.dtype = Dtype::fp32;
  EXPECT_THROW(run("flash2", w), InvalidInput);
}

TEST(Flash3, UsesHopperTilesAndFallsBackWithANoteElsewhere) {
  const Prediction hopper = run("flash3", workload(16384));
  EXPECT_EQ(hopper.cost.tiling->block_n, 176);  // tile_size.h: hdim 128, non-causal
  EXPECT_TRUE(hopper.cost.notes.empty());
  EXPECT_LT(hopper.predicted_seconds, run("flash2", workload(16384)).predicted_seconds);
  const Prediction ada = run("flash3", workload(16384), "rtx4090");
  ASSERT_EQ(ada.cost.notes.size(), 1u);
  EXPECT_NE(ada.cost.notes[0].find("needs Hopper"), std::string::npos);
  EXPECT_DOUBLE_EQ(ada.predicted_seconds, run("flash2", workload(16384), "rtx4090").predicted_seconds);
  Workload fp8 = workload(16384);
  fp8.dtype = Dtype::fp8_e4m3;
  EXPECT_THROW(run("flash3", fp8, "a100-sxm-80gb"), InvalidInput);
  EXPECT_LT(run("flash3", fp8).predicted_seconds, hopper.predicted_seconds);
}

TEST(Flash3, ExponentialsBindAtSmallHeadDim) {
  // FA3 paper Sec. 3.2: exp has 256x less throughput than matmul; at d = 64 in FP8 it dominates.
  Workload w = workload(16384, 32, 64);
  w.dtype = Dtype::fp8_e4m3;
  EXPECT_EQ(run("flash3", w).bound, "exp");
  EXPECT_EQ(run("flash3", workload(16384)).bound, "compute");
}

TEST(FlashDecode, SplitHeuristicMatchesFlashAttention) {
  // 32 heads x 1 m-block on 264 slots, 1024 key blocks: the best eligible split count reaches
  // 0.997 wave efficiency; 7 splits (224 / 264 = 0.848) is the first within 85% of it.
  EXPECT_EQ(flash_decode_num_splits(32, 264, 1024), 7);
  EXPECT_EQ(flash_decode_num_splits(300, 264, 1024), 1);  // already >= 0.8 x slots
  EXPECT_EQ(flash_decode_num_splits(1, 264, 3), 3);       // capped by key blocks
}

TEST(FlashDecode, PacksGqaHeadsAndIsMemoryBound) {
  Workload w = workload(131072, 32);
  w.seq_q = 1;
  w.kv_heads = 8;
  w.batch = 4;
  const Prediction p = run("flash-decode", w);
  EXPECT_EQ(p.bound, "memory");
  // K/V read once per KV head: compulsory bytes dominate.
  EXPECT_NEAR(p.hbm_read_bytes / (k_bytes(w) + v_bytes(w)), 1.0, 0.01);
  EXPECT_EQ(p.kernels.size(), 2u);  // split kernel + combine
}

TEST(FlashDecode, TheCombineWalksItsSplitsOneL2RoundTripAtATime) {
  Gpu gpu = testing::gpu("h100-sxm");
  gpu.l2_latency_seconds = 200e-9;
  Workload w = workload(4096, 32);  // B = 1, 32 query heads on 8 KV heads: 32 rows, 32 splits
  w.seq_q = 1;
  w.kv_heads = 8;
  const Prediction p = predict(w, gpu, find_variant("flash-decode"), {});
  ASSERT_EQ(p.kernels.size(), 2u);
  ASSERT_NE(p.cost.notes.front().find("32 KV splits"), std::string::npos) << p.cost.notes.front();
  EXPECT_EQ(p.cost.kernels[1].ctas, 8);  // 4 rows per CTA at d = 128
  EXPECT_DOUBLE_EQ(p.kernels[1].seconds - p.kernels[1].launch_seconds, (1 + 32) * 200e-9);
  EXPECT_EQ(p.kernels[1].bound, "latency");
}

TEST(SdpaEntry, FlashAttention2sBackwardGetsTheWrappersTwoLayoutCopies) {
  Workload w = workload(4096, 32, 128);
  w.pass = Pass::backward;
  const Gpu& gpu = testing::gpu("h100-sxm");
  HostDispatch sdpa;
  sdpa.entry = Entry::sdpa;
  const Prediction kernel = predict(w, gpu, find_variant("flash2"), {});
  const Prediction wrapped = predict(w, gpu, find_variant("flash2"), {}, sdpa);
  ASSERT_EQ(wrapped.kernels.size(), kernel.kernels.size() + 2);
  EXPECT_DOUBLE_EQ(wrapped.cost.workspace_bytes - kernel.cost.workspace_bytes, 2 * o_bytes(w));
  EXPECT_GT(wrapped.predicted_seconds, kernel.predicted_seconds);
  // The forward, and cuDNN's backward, launch no copies.
  w.pass = Pass::forward;
  EXPECT_EQ(predict(w, gpu, find_variant("flash2"), {}, sdpa).kernels.size(),
            predict(w, gpu, find_variant("flash2"), {}).kernels.size());
  w.pass = Pass::backward;
  EXPECT_EQ(predict(w, gpu, find_variant("cudnn"), {}, sdpa).kernels.size(),
            predict(w, gpu, find_variant("cudnn"), {}).kernels.size());
  EXPECT_THROW(parse_entry("torch"), InvalidInput);
}

TEST(SlidingWindow, WorkGrowsAsNTimesWindow) {
  Workload w = workload(65536);
  w.window = 4096;
  w.causal = true;
  const double flops = run("sliding-window", w).cost.model_flops;
  const double visible = visible_elements(mask_of(w));
  EXPECT_DOUBLE_EQ(flops, 2.0 * 256 * visible * 32);
  EXPECT_NEAR(visible, 65536.0 * 4096 - 4096.0 * 4095 / 2, 1.0);
}

TEST(SsmScan, StateIsIndependentOfSequenceLength) {
  const Prediction a = run("ssm-scan", workload(65536));
  const Prediction b = run("ssm-scan", workload(131072));
  EXPECT_NEAR(b.cost.model_flops / a.cost.model_flops, 2.0, 1e-9);
  EXPECT_NEAR(b.cost.workspace_bytes / a.cost.workspace_bytes, 2.0, 1e-9);  // per-chunk states: linear in T
}

TEST(SdpaMath, MovesMoreBytesThanEagerBecauseOfFp32) {
  const Workload w = workload(8192);
  EXPECT_GT(run("sdpa-math", w).hbm_read_bytes, run("eager", w).hbm_read_bytes);
  // Yet less memory at the peak, as measured on an H100 (pytorch_attention.csv, N = 8192: 19.86 GB
  // vs 21.47 GB): math frees the fp32 scores before allocating its result; eager holds bf16 and fp32 copies.
  EXPECT_LT(run("sdpa-math", w).cost.workspace_bytes, run("eager", w).cost.workspace_bytes);
  EXPECT_EQ(run("sdpa-math", w).tensor_flops, 0.0);  // fp32 matmuls on CUDA cores (TF32 off)
}

const KernelTime& kernel_named(const Prediction& p, const std::string& name) {
  for (const KernelTime& k : p.kernels) {
    if (k.name == name) return k;
  }
  throw std::runtime_error("no kernel " + name);
}

const KernelCost& kernel_cost_named(const Prediction& p, const std::string& name) {
  for (const KernelCost& k : p.cost.kernels) {
    if (k.name == name) return k;
  }
  throw std::runtime_error("no kernel " + name);
}

// PyTorch gives an fp32 row of at most 1024 elements to one warp, which streams; longer rows take
// the block kernel at 0.6x a copy. Per byte, the 1024-key softmax is faster than the 2048-key one.
TEST(SdpaMath, SoftmaxRowsOfAtMost1024ElementsStreamAsOneWarpEach) {
  const auto seconds_per_byte = [](std::int64_t n) {
    const Prediction p = run("sdpa-math", workload(n));
    const KernelCost& k = kernel_cost_named(p, "_safe_softmax: softmax");
    return kernel_named(p, "_safe_softmax: softmax").hbm_seconds / (k.hbm_read_bytes + k.hbm_write_bytes);
  };
  EXPECT_NEAR(seconds_per_byte(2048) / seconds_per_byte(1024), 0.93 / (2.58 / 4.27), 1e-9);
}

// _scaled_dot_product_attention_math returns attn cast back to bf16 beside the output, and the
// softmax backward runs tmp = grad * output before its kernel; _safe_softmax adds no backward kernel.
TEST(SdpaMath, RunsTheKernelsPyTorchLaunches) {
  Workload w = workload(4096);
  const Prediction forward = run("sdpa-math", w);
  const double scores = 32.0 * 4096 * 4096;
  EXPECT_DOUBLE_EQ(kernel_cost_named(forward, "attn.to(model dtype)").hbm_write_bytes, scores * 2.0);
  w.pass = Pass::backward;
  const Prediction backward = run("sdpa-math", w);
  EXPECT_DOUBLE_EQ(kernel_cost_named(backward, "softmax backward: grad * output").hbm_read_bytes, scores * 8.0);
  EXPECT_DOUBLE_EQ(kernel_cost_named(backward, "softmax backward").hbm_read_bytes, scores * 8.0);
  EXPECT_THROW(kernel_named(backward, "where backward"), std::runtime_error);
}

// cuDNN's sm90 backward keeps 128 head-dim columns of dK and dV per pass: at d = 256 it runs 7
// matmuls per tile instead of 5 and computes P twice (Nsight Compute: 1.40x the tensor cycles the
// nominal FLOPs take, twice the MUFU instructions; validate/data/h100-sxm/backward_counters/).
TEST(Cudnn, BackwardRecomputesSAndDpPer128AccumulatorColumns) {
  Workload w = workload(4096, 32, 128);
  w.pass = Pass::backward;
  const KernelCost d128 = kernel_cost_named(run("cudnn", w), "cudnn bwd");
  w.head_dim = w.head_dim_v = 256;
  const KernelCost d256 = kernel_cost_named(run("cudnn", w), "cudnn bwd");
  EXPECT_NEAR(d256.tensor_flops / d128.tensor_flops, 2.0 * 7.0 / 5.0, 1e-12);
  EXPECT_NEAR(d256.exp_ops / d128.exp_ops, 2.0, 1e-12);
  // d = 160 runs the x192 kernel; at d = 192 the two passes' dK, dV and dQ are whole 128-column chunks:
  // 2 (S, dP) x 2 x 192 + 3 x 256 = 1536 units against the nominal 5 x 192 (validate/data/h100-sxm/
  // unseen_head_dims/: the tensor pipe active 1.60x the nominal cycles).
  w.head_dim = w.head_dim_v = 192;
  const KernelCost d192 = kernel_cost_named(run("cudnn", w), "cudnn bwd");
  EXPECT_NEAR(d192.tensor_flops / d128.tensor_flops, 1536.0 / 640.0, 1e-12);
  w.head_dim = w.head_dim_v = 160;
  EXPECT_DOUBLE_EQ(kernel_cost_named(run("cudnn", w), "cudnn bwd").tensor_flops, d192.tensor_flops);
}

TEST(Eager, Fp32MatmulsRunOnCudaCoresAndTf32OnTensorCores) {
  Workload w = workload(2048);
  w.dtype = Dtype::fp32;
  EXPECT_EQ(run("eager", w).tensor_flops, 0.0);
  EXPECT_GT(run("eager", w).vector_flops, 4.0 * 2048 * 2048 * 128 * 32);
  w.dtype = Dtype::tf32;
  EXPECT_DOUBLE_EQ(run("eager", w).tensor_flops, 4.0 * 2048 * 2048 * 128 * 32);
}

// A GQA decode's repeat_kv copies dominate the chain: vectorised, they move the same bytes at a
// streaming kernel's rate instead of PyTorch's element-bound one; the GEMMs are the same kernels.
TEST(Eager, VectorizedCopiesMoveTheSameBytesFaster) {
  Workload w = workload(65536);
  w.seq_q = 1;
  w.kv_heads = 8;
  VariantKnobs vectorized;
  vectorized.elementwise = ElementwiseKernels::vectorized;
  const Prediction pytorch = run("eager", w);
  const Prediction hand_written = run("eager", w, "h100-sxm", vectorized);
  EXPECT_DOUBLE_EQ(hand_written.hbm_read_bytes + hand_written.hbm_write_bytes,
                   pytorch.hbm_read_bytes + pytorch.hbm_write_bytes);
  EXPECT_LT(hand_written.predicted_seconds, 0.7 * pytorch.predicted_seconds);
  EXPECT_DOUBLE_EQ(kernel_named(hand_written, "matmul Q K^T").seconds, kernel_named(pytorch, "matmul Q K^T").seconds);
}

// CUTLASS fMHA's MM1 computes whole 128-column output chunks: at d = 96 the 64x128 kernel multiplies
// 128 columns of P V, so its tensor FLOPs are (96 + 128) / (96 + 96) of the nominal count.
TEST(MemEfficient, Mm1RunsOnWholeOutputChunks) {
  const Prediction d96 = testing::run("mem-efficient", testing::workload(4096, 32, 96));
  const Prediction d128 = testing::run("mem-efficient", testing::workload(4096, 32, 128));
  EXPECT_NEAR(d96.tensor_flops / d96.cost.model_flops, 224.0 / 192.0, 1e-9);
  EXPECT_NEAR(d128.tensor_flops / d128.cost.model_flops, 1.0, 1e-9);
}

// The 32x128 "gmem" kernel re-reads each CTA's Q tile and fp32 accumulator tile every key block: on
// an H100 (132 SMs x 4 CTAs, 25 MiB per L2 partition) a share of the accumulator round trips comes
// from DRAM that rises from 0.91 to 1.44 partitions' worth of those tiles
// (validate/data/h100-sxm/cutlass_counters/, unseen_head_dims/).
TEST(MemEfficient, GmemAccumulatorsComeFromDramAsTheResidentTilesOutgrowAnL2Partition) {
  const auto dram_share = [](std::int64_t d) {
    const KernelCost k = kernel_cost_named(run("mem-efficient", workload(4096, 32, d)), "mem-efficient fwd");
    // 4096 CTAs x 31 key blocks after their first x 32 rows x d columns x 4 bytes.
    return k.dram_wait_bytes / (4096.0 * 31.0 * 32.0 * double(d) * 4.0);
  };
  const auto partitions = [](double d) { return 132.0 * 4.0 * 32.0 * (4.0 * d + 2.0 * d) / (25.0 * 1048576.0); };
  EXPECT_NEAR(dram_share(256), (partitions(256) - 0.91) / (1.44 - 0.91), 1e-9);  // 0.99 partitions: 0.15
  EXPECT_NEAR(dram_share(320), (partitions(320) - 0.91) / (1.44 - 0.91), 1e-9);  // 1.24: 0.62
  EXPECT_EQ(dram_share(384), 1.0);                                               // 1.48
  EXPECT_EQ(dram_share(128), 0.0);  // O in registers: no accumulator round trips
  // A grid of one head holds 128 CTAs, not every slot: 12.6 MB of tiles at d = 512 fit.
  const KernelCost one_head = kernel_cost_named(run("mem-efficient", workload(4096, 1, 512)), "mem-efficient fwd");
  EXPECT_EQ(one_head.dram_wait_bytes, 0.0);
}

// The backward built for any head dim (kMaxK = 65536, 128x64 at d = 256 on sm90) computes D over
// align_up(dv, 16) iterations per 128 query rows before its key blocks, masked or not; the kMaxK = 128
// kernel's loop is unrolled to dv / 16 and is not priced apart (kernel_backward.h, computeDelta).
TEST(MemEfficient, GenericBackwardKernelWalksItsDeltaLoopOverTheAlignedHeadDim) {
  Workload w = workload(4096, 32, 256);
  w.pass = Pass::backward;
  const Prediction d256 = run("mem-efficient", w);
  EXPECT_DOUBLE_EQ(kernel_cost_named(d256, "mem-efficient bwd").serial_loop_clocks_per_cta, 32.0 * 256.0 * 374.0);
  EXPECT_GT(kernel_named(d256, "mem-efficient bwd").serial_loop_seconds, 0.0);
  w.causal = true;
  EXPECT_DOUBLE_EQ(kernel_cost_named(run("mem-efficient", w), "mem-efficient bwd").serial_loop_clocks_per_cta,
                   32.0 * 256.0 * 374.0);
  w.head_dim = w.head_dim_v = 128;
  EXPECT_EQ(kernel_cost_named(run("mem-efficient", w), "mem-efficient bwd").serial_loop_clocks_per_cta, 0.0);
}

TEST(Eager, RepeatsKvForGqaAndOutOfMemoryIsReported) {
  Workload w = workload(4096, 32);
  w.kv_heads = 8;
  const Prediction p = run("eager", w);
  EXPECT_EQ(p.kernels.front().name, "repeat_kv (K)");
  EXPECT_EQ(p.kernels[1].name, "repeat_kv (V)");
  // 32 heads x 32K^2 x 10 B = 320 GiB: far past an RTX 4090's 24 GiB.
  EXPECT_FALSE(run("eager", workload(32768), "rtx4090").fits_in_memory);
  EXPECT_TRUE(run("flash2", workload(32768), "rtx4090").fits_in_memory);
}

TEST(Standard, KeepsScoresInTheInputDtypeAndFusesTheScale) {
  Workload w = workload(4096);
  w.causal = true;
  const Prediction standard = run("standard", w);
  const Prediction eager = run("eager", w);
  // No fp32 copies of the scores and no separate scaling pass: fewer bytes and less memory.
  EXPECT_LT(standard.hbm_read_bytes + standard.hbm_write_bytes, 0.5 * (eager.hbm_read_bytes + eager.hbm_write_bytes));
  EXPECT_LT(standard.cost.workspace_bytes, eager.cost.workspace_bytes);
  for (const KernelTime& k : standard.kernels) EXPECT_EQ(k.name.find("scaling"), std::string::npos) << k.name;
  // Forward peak: two bf16 score tensors at once, the fp32 full and triu masks and their bf16 cast,
  // and the rearranged copies of Q, K, V.
  const double scores = 32.0 * 4096 * 4096;
  const double expected = 2.0 * scores * 2.0 + 4096.0 * 4096 * (4 + 4 + 2) + 3.0 * 32 * 4096 * 128 * 2;
  EXPECT_DOUBLE_EQ(standard.cost.workspace_bytes, expected);
}

TEST(Standard, ExpandsGroupedKvHeadsInItsLayoutCopiesAndRefusesFp8) {
  Workload w = workload(1024, 32);
  w.pass = Pass::forward_backward;
  const Prediction mha = run("standard", w);
  EXPECT_EQ(mha.kernels.back().name, "unbind backward: stack dq, dk, dv");
  w.kv_heads = 8;
  const Prediction gqa = run("standard", w);
  // The rearranged K copy writes all 32 heads' keys from 8 heads' worth of input.
  EXPECT_EQ(gqa.kernels[1].name, "rearrange k -> (b h) d s");
  EXPECT_DOUBLE_EQ(gqa.cost.kernels[1].hbm_write_bytes, 4.0 * gqa.cost.kernels[1].hbm_read_bytes);
  EXPECT_DOUBLE_EQ(gqa.cost.kernels[2].hbm_read_bytes, mha.cost.kernels[2].hbm_read_bytes);
  w.dtype = Dtype::fp8_e4m3;
  w.pass = Pass::forward;
  try {
    run("standard", w);
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("no fp8-e4m3 path"), std::string::npos);
  }
}

Workload mla_decode(std::int64_t query_heads, std::int64_t mtp_tokens) {
  Workload w = workload(4096, query_heads);
  w.batch = 128;
  w.kv_heads = 1;
  w.seq_q = mtp_tokens;
  w.head_dim = 576;
  w.head_dim_v = 512;
  return w;
}

TEST(FlashMla, ReadsTheLatentCacheOnceForKAndV) {
  const Prediction p = run("flash-mla", mla_decode(16, 1));
  // 128 requests x 4096 tokens x 576 elements x 2 B: V is the latent's first 512 columns, not read again.
  const double cache_bytes = 128.0 * 4096 * 576 * 2;
  EXPECT_NEAR(p.cost.kernels[0].hbm_read_bytes, cache_bytes, 0.01 * cache_bytes);
  EXPECT_EQ(p.bound, "memory");
}

TEST(FlashMla, BecomesComputeBoundNearTwoRowsPerByte) {
  // FlashMLA's deep dive: FLOPs per cache byte are about 2 h_q s_q, so on an H100 (~295 FLOP/B at
  // the roofline's ridge) 16 heads are memory bound and 128 heads with two MTP tokens compute bound.
  EXPECT_EQ(run("flash-mla", mla_decode(16, 1)).bound, "memory");
  EXPECT_EQ(run("flash-mla", mla_decode(128, 2)).bound, "compute");
  // Below 64 rows a tile is padded: 16 and 32 query rows cost the same tensor time.
  EXPECT_DOUBLE_EQ(run("flash-mla", mla_decode(16, 1)).tensor_flops, run("flash-mla", mla_decode(32, 1)).tensor_flops);
}

TEST(FlashMla, TimeGrowsLinearlyWithTheCache) {
  std::vector<double> n, t;
  for (std::int64_t seq = 16384; seq <= 131072; seq *= 2) {
    Workload w = mla_decode(128, 1);
    w.seq_kv = seq;
    n.push_back(double(seq));
    t.push_back(run("flash-mla", w).predicted_seconds);
  }
  EXPECT_NEAR(fit_power_law(n, t).exponent, 1.0, 0.05);
}

TEST(FlashMla, RefusesWhatTheKernelIsNotCompiledFor) {
  EXPECT_THROW(run("flash-mla", mla_decode(16, 1), "a100-sxm-80gb"), InvalidInput);
  Workload w = mla_decode(16, 1);
  w.head_dim = 128;
  w.head_dim_v = 128;
  EXPECT_THROW(run("flash-mla", w), InvalidInput);
}

}  // namespace
}  // namespace attnsim
