// The numbers of the lesson: the O(N^2) score matrix, the FLOP convention, the slopes of the wall.
#include <gtest/gtest.h>

#include "model/loglog_fit.h"
#include "model/tiled_attention.h"
#include "tests/test_support.h"

namespace attnsim {
namespace {

using testing::run;
using testing::workload;

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kTiB = kGiB * 1024.0;

TEST(Lesson, ScoreMatrixOf32HeadsInFp16) {
  auto gib = [](std::int64_t n) {
    Workload w = workload(n, 32);
    w.dtype = Dtype::fp16;
    return score_matrix_bytes(w) / kGiB;
  };
  EXPECT_DOUBLE_EQ(gib(1024), 0.0625);
  EXPECT_DOUBLE_EQ(gib(4096), 1.0);
  EXPECT_DOUBLE_EQ(gib(32768), 64.0);
  EXPECT_DOUBLE_EQ(gib(131072), 1024.0);
  Workload million = workload(1'000'000, 32);
  million.dtype = Dtype::fp16;
  EXPECT_NEAR(score_matrix_bytes(million) / kTiB, 58.2, 0.01);
  EXPECT_NEAR(score_matrix_bytes(million) / kGiB, 59604.6, 0.1);
}

TEST(Lesson, DoublingContextQuadruplesFlops) {
  for (const std::string variant : {"eager", "flash2", "flash3"}) {
    const double f8k = run(variant, workload(8192)).cost.model_flops;
    EXPECT_DOUBLE_EQ(run(variant, workload(16384)).cost.model_flops / f8k, 4.0) << variant;
    EXPECT_DOUBLE_EQ(run(variant, workload(131072)).cost.model_flops / f8k, 256.0) << variant;
  }
}

TEST(Lesson, ForwardFlopsFollowTheFlashAttentionConvention) {
  Workload w = workload(4096, 16, 64);
  w.batch = 3;
  const double expected = 4.0 * 4096.0 * 4096.0 * 64 * 16 * 3;
  EXPECT_DOUBLE_EQ(run("flash2", w).cost.model_flops, expected);
  EXPECT_DOUBLE_EQ(run("flash2", w).tensor_flops, expected);  // 4096 is a whole number of tiles
  w.causal = true;
  // Exactly N(N+1)/2 visible scores: half of N^2 within 1/N.
  EXPECT_NEAR(run("flash2", w).cost.model_flops / (expected / 2.0), 1.0, 1.0 / 4096.0);
  w.causal = false;
  w.pass = Pass::backward;
  EXPECT_DOUBLE_EQ(run("flash2", w).cost.model_flops, 2.5 * expected);
  // FlashAttention-2's backward runs five matmuls to the forward's two: 2.5x executed tensor FLOPs.
  EXPECT_DOUBLE_EQ(run("flash2", w).tensor_flops, 2.5 * expected);
  w.pass = Pass::forward_backward;
  EXPECT_DOUBLE_EQ(run("flash2", w).cost.model_flops, 3.5 * expected);
}

TEST(Lesson, CausalSkipsAboutHalfOfTheTiles) {
  Workload w = workload(32768);
  const double full = run("flash2", w).tensor_flops;
  w.causal = true;
  const double causal = run("flash2", w).tensor_flops;
  EXPECT_NEAR(causal / full, 0.5, 0.01);
  EXPECT_GT(causal / full, 0.5);  // diagonal tiles are computed whole
}

double fitted_slope(const std::string& variant, const std::string& gpu) {
  std::vector<double> n;
  std::vector<double> t;
  for (std::int64_t seq = 16384; seq <= 131072; seq *= 2) {
    n.push_back(double(seq));
    t.push_back(run(variant, workload(seq), gpu).predicted_seconds);
  }
  return fit_power_law(n, t).exponent;
}

TEST(Lesson, LogLogSlopeIsTwoForAttentionAndOneForLinearTime) {
  for (const std::string& gpu : builtin_gpu_ids()) {
    for (const Variant& v : all_variants()) {
      // A decoding kernel: at one request its time is latency; FlashMla.TimeGrowsLinearlyWithTheCache checks it.
      if (v.id == "flash-mla") continue;
      const double expected = v.complexity == "O(N)" ? 1.0 : 2.0;
      EXPECT_NEAR(fitted_slope(v.id, gpu), expected, 0.1) << v.id << " on " << gpu;
    }
  }
}

TEST(Lesson, EagerNeedsTenBytesPerScoreInBf16PlusTheMask) {
  Workload w = workload(8192, 16);
  const double scores = 16.0 * 8192 * 8192;
  EXPECT_DOUBLE_EQ(run("eager", w).cost.workspace_bytes, 10.0 * scores);
  w.causal = true;
  const double mask = 8192.0 * 8192 * 2;  // (B, 1, Nq, Nk) in bf16
  EXPECT_DOUBLE_EQ(run("eager", w).cost.workspace_bytes, 10.0 * scores + mask);
  w.causal = false;
  w.dtype = Dtype::fp16;  // fused half_to_float softmax: the cast back (2 + 4 + 2) is the peak
  EXPECT_DOUBLE_EQ(run("eager", w).cost.workspace_bytes, 8.0 * scores);
}

TEST(Lesson, TrainingMaterializedAttentionHoldsFourFp32ScoresInSoftmaxBackward) {
  // CUDA's softmax backward makes tmp = grad * output before its kernel: with the saved
  // probabilities, their gradient and dS, four fp32 score-sized tensors (16 bytes per score) for
  // eager in bf16 and for sdpa-math, which the measured peaks match exactly
  // (validate/data/h200/mechanisms/training.csv).
  Workload w = workload(8192, 16);
  w.pass = Pass::forward_backward;
  const double scores = 16.0 * 8192 * 8192;
  const double outputs = o_bytes(w) + q_bytes(w) + k_bytes(w) + v_bytes(w);
  // Beside the scores: eager keeps O and dV; sdpa-math O, its fp32 copies of the scaled q and k^T and dV.
  EXPECT_DOUBLE_EQ(run("eager", w).cost.workspace_bytes + outputs, 16.0 * scores + o_bytes(w) + v_bytes(w));
  EXPECT_DOUBLE_EQ(run("sdpa-math", w).cost.workspace_bytes + outputs,
                   16.0 * scores + o_bytes(w) + 2.0 * (q_bytes(w) + k_bytes(w) + v_bytes(w)));
}

TEST(Lesson, FlashAttention1RereadsDoubleWhenSramHalves) {
  Workload w = workload(65536, 32, 64);
  Gpu gpu = testing::gpu("a100-sxm-80gb");
  auto reread = [&](const Gpu& g) {
    const Prediction p = predict(w, g, find_variant("flash1"), {});
    return p.hbm_reread_bytes;
  };
  const double full = reread(gpu);
  gpu.shared_memory_per_block_bytes /= 2;
  const double half = reread(gpu);
  EXPECT_NEAR(half / full, 2.0, 0.03);
  // Theta(N^2 d^2 / M): doubling d at fixed M quadruples the re-reads (d^2), as Theorem 2 says.
  gpu = testing::gpu("a100-sxm-80gb");
  Workload wide = w;
  wide.head_dim = wide.head_dim_v = 128;
  const double per_d64 = reread(gpu);
  w = wide;
  EXPECT_NEAR(reread(gpu) / per_d64, 4.0, 0.15);
}

}  // namespace
}  // namespace attnsim
