#include "model/variants/warp_specialized.h"

#include <vector>

#include "model/efficiency.h"

namespace attnsim {
namespace {

// Forward, from cuDNN 9.19's sm90 kernel on the H200 (validate/data/h200/mechanisms/training.csv,
// sdpa-cudnn, training split N = 512, 2048, 8192, 32768): wgmma at 85% of its rate at the sustained
// clock (cuBLAS's 8192^3 GEMM reaches 70% of it in the same run, microbench.csv), and 30% of the
// shorter pipe (at d = 64, the matmuls; at d >= 128, exp + FP32) hidden under the longer. Grid over
// tensor 0.7-1.0 x overlap 0.2-0.7: the pairs (0.8, 0.35-0.4), (0.85, 0.3), (0.9, 0.2) lie on one
// ridge (train MAPE 4.9-5.5%); (0.85, 0.3) is its minimum. The head-dim dependence is not fitted:
// the exp-to-matmul ratio, 1/(4 d) exponentials per FLOP against 4096/16 = 256 FLOP per exp per
// clock on sm90, sets it (d = 64: exp time equals matmul time; FA3 paper Sec. 3.1).
constexpr double kForwardTensor = 0.85;
constexpr double kForwardOverlap = 0.3;
// Backward, from the same file's sdpa-cudnn backward rows (training split), with the matmuls the
// kernel runs at d = 256 (S and dP recomputed per 128 accumulator columns, model/variants/cudnn.cpp):
// 60% of the wgmma rate and nothing hidden under the matmuls (train MAPE 5.2%, worst 17.5%; grid
// 0.5-0.75 x 0-0.5). One consumer warpgroup issues the matmuls and computes P and dS between them
// (knob_26_..._1x4x1), so the softmax work does not overlap its own matmuls. Fitted before the
// recompute was counted: 0.55 and 0.2, train 11.9%.
constexpr double kBackwardTensor = 0.6;
constexpr double kBackwardOverlap = 0.0;

const std::vector<ArchEfficiency> kForward = {
    {"sm90",
     {kForwardTensor, 1.0, kForwardOverlap,
      "wgmma ping-pong pipes fitted on cuDNN's sm90 forward, H200 training split "
      "(validate/data/h200/mechanisms/training.csv)"}},
};
const std::vector<ArchEfficiency> kBackward = {
    {"sm90",
     {kBackwardTensor, 1.0, kBackwardOverlap,
      "wgmma pipes fitted on cuDNN's sm90 backward, H200 training split "
      "(validate/data/h200/mechanisms/training.csv)"}},
};

}  // namespace

Efficiency warp_specialized_efficiency(const Gpu& gpu, std::string_view variant_id, bool backward) {
  // The first row stands for every architecture: sm100's tcgen05 kernels are assumed to keep the
  // design's pipes (the B200 rows of validate/data/published/b200.csv test that).
  return efficiency_for(gpu, variant_id, backward ? kBackward : kForward, gpu.native_tensor_path());
}

}  // namespace attnsim
