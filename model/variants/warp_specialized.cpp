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
// sm100 forward: tcgen05.mma is issued by one thread and runs asynchronously, its accumulators in
// tensor memory, while the softmax warpgroups work on the other query tile (FlashAttention-4,
// arXiv 2603.05451; cuDNN's sm100 kernel runs 512 threads over 128-row tiles): the matmuls hide
// under the softmax whole. Not fitted: the B200's published fp8 rows decide it, whose matmuls take
// half the bf16 time for the same exponentials. At N = 32768 (cuDNN 9.13.1, GQA 128/8, d = 128,
// causal) fp8 took 19.75 ms against 20.7 ms of exponentials and FP32 work alone, bf16 23.2 ms
// (validate/data/published/b200.csv); with sm90's 0.3 the fp8 call would take 27 ms.
constexpr double kForwardOverlapSm100 = 1.0;
// Backward, from the same file's sdpa-cudnn backward rows (training split), with the matmuls the
// kernel runs at d = 256 (S and dP recomputed per 128 accumulator columns, model/variants/cudnn.cpp):
// 60% of the wgmma rate and nothing hidden under the matmuls (train MAPE 5.2%, worst 17.5%; grid
// 0.5-0.75 x 0-0.5). Its consumers compute P and dS between their own matmuls, with no ping-pong
// of the forward's kind (knob_26_..._1x4x1), so the softmax work does not overlap the matmuls.
// Fitted before the recompute was counted: 0.55 and 0.2, train 11.9%.
constexpr double kBackwardTensor = 0.6;
constexpr double kBackwardOverlap = 0.0;

const std::vector<ArchEfficiency> kForward = {
    {"sm90",
     {kForwardTensor, 1.0, kForwardOverlap,
      "wgmma ping-pong pipes fitted on cuDNN's sm90 forward, H200 training split "
      "(validate/data/h200/mechanisms/training.csv)"}},
    {"sm100",
     {kForwardTensor, 1.0, kForwardOverlapSm100,
      "sm90's wgmma rate share; asynchronous tcgen05 matmuls hidden whole under the softmax "
      "(FlashAttention-4's design; the B200's fp8 and bf16 rows, validate/data/published/b200.csv)"}},
};
const std::vector<ArchEfficiency> kBackward = {
    {"sm90",
     {kBackwardTensor, 1.0, kBackwardOverlap,
      "wgmma pipes fitted on cuDNN's sm90 backward, H200 training split "
      "(validate/data/h200/mechanisms/training.csv)"}},
};

}  // namespace

Efficiency warp_specialized_efficiency(const Gpu& gpu, std::string_view variant_id, bool backward) {
  // The first row stands for every architecture without its own: sm100's backward keeps sm90's
  // pipes (the B200 rows of validate/data/published/b200.csv test that; there the matmuls do not
  // hide under the softmax work: with overlap 1 its MAPE grows from 20% to 29%).
  return efficiency_for(gpu, variant_id, backward ? kBackward : kForward, gpu.native_tensor_path());
}

}  // namespace attnsim
