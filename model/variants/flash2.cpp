// FlashAttention-2 (Dao 2023, arXiv 2307.08691): query-block outer loop with one CTA per query
// block, warps split Q, online softmax, logsumexp stored for backward, fully masked key blocks
// skipped. Counts come from the shared tiled-attention model; this file holds FA2's choices.
#include "model/variants/flash2.h"

#include <string>
#include <vector>

#include "model/efficiency.h"
#include "model/error.h"
#include "model/tiled_attention.h"
#include "model/variants/flash_decode.h"

namespace attnsim {
namespace {

// Forward, every architecture: FlashAttention-2 issues mma.sync, so its ceiling is the mma.sync
// rate at the SM clock (the profile's mma_sync_dense_tflops where mma.sync is not the newest
// path: 66% of wgmma on Hopper, measured). Each warp loads the whole K and V tile of every key block
// from shared memory (ldmatrix, at 128 B/clk/SM: operand_fetch_serial 1), and runs its softmax
// (exp on the SFU, FP32 bookkeeping) between its two matmuls. With no warp specialisation those
// three pipes overlap only through the other CTA on the SM: kOverlap of the shorter ones hides
// under the longest (0.30-0.40 give 4-6% MAPE on the H200 training split; 0.35 chosen). No
// whole-kernel efficiency: tensor 1.0 (the mma.sync pipe itself, measured at 8+ warps per SM).
// Fitted on validate/data/h200/mechanisms/training.csv (sdpa-flash forward, training split
// N = 512, 2048, 8192, 32768); tested on its test split, on the H100 and on published A100 runs.
constexpr double kOverlap = 0.35;
constexpr const char* kForwardSource =
    "mma.sync at the SM clock, ldmatrix operand loads and softmax on their pipes, overlap 0.35 across "
    "the SM's CTAs: fitted on validate/data/h200/mechanisms/training.csv (training split)";
const Efficiency kForwardPipes{1.0, 1.0, kOverlap, kForwardSource, std::nullopt, std::nullopt, 1.0};
const std::vector<ArchEfficiency> kForward = {{"sm80", kForwardPipes}};
// Backward: the same pipes and the same overlap, over five matmuls per tile (S, dP, dV, dK, dQ)
// whose operands all come from shared memory (tiled_attention.cpp counts their bytes); nothing
// fitted on the backward runs.
const Efficiency kBackwardPipes{1.0,
                                1.0,
                                kOverlap,
                                "the forward's pipes and overlap (no backward fit); operand "
                                "bytes of the five matmuls from the kernel's warp grid",
                                std::nullopt,
                                std::nullopt,
                                1.0};
const std::vector<ArchEfficiency> kBackward = {{"sm80", kBackwardPipes}};

// static_switch.h's HEADDIM_SWITCH in PyTorch's vendored FlashAttention-2
// (aten/src/ATen/native/transformers/cuda/flash_attn, with its flash_*_hdim224 kernels; upstream
// Dao-AILab/flash-attention later dropped 224): the head dims a kernel is built for.
const std::vector<std::int64_t> kCompiledHeadDims = {32, 64, 96, 128, 160, 192, 224, 256};
// mha_bwd in the same flash_api.cpp: seqlen_q_rounded = round_multiple(seqlen_q, 128) and
// head_size_rounded = round_multiple(head_size, head_size <= 128 ? 32 : 64) shape dq_accum and
// softmax_d. At d = 80 or 160 and a length off a multiple of 128 that is 1.2-1.4x the exact
// accumulator (validate/data/h100-sxm/random_shapes/, peak memory of forward+backward).
constexpr BackwardWorkspaceRounding kWorkspaceRounding{128, 32, 64};

bool is_sm8x(const Gpu& gpu) { return gpu.compute_capability_major == 8 && gpu.compute_capability_minor > 0; }

}  // namespace

Tiling flash2_forward_tiling(const Workload& w, const Gpu& gpu) {
  // flash_fwd_launch_template.h picks the tile per compiled head dim (run_mha_fwd_hdim*): a head dim
  // between two runs the larger one's kernel and tile.
  const std::int64_t d = w.head_dim;
  // flash_api.cpp: a window turns the call into the local kernel (is_causal = false), which the
  // launch template tiles as non-causal.
  const bool causal_kernel = w.causal && !w.window;
  // Registers: FA2 forward kernels run 4 warps at up to 255 registers per thread, which limits
  // them to 2 CTAs per SM (kernel comment: "48 KB smem ... 2 CTAs per SM" for hdim128 on sm86).
  if (d <= 32) return {128, 128, 4, 1, 255};
  if (d <= 64) return {128, 128, 4, 1, 255};
  if (d <= 96) return (is_sm8x(gpu) && causal_kernel) ? Tiling{64, 64, 4, 1, 255} : Tiling{128, 64, 4, 1, 255};
  if (d <= 128) {
    if (is_sm8x(gpu)) return causal_kernel ? Tiling{64, 64, 4, 1, 255} : Tiling{128, 32, 4, 1, 255};
    return {128, 64, 4, 1, 255};
  }
  // hdim160: "For A100, H100, 128 x 32 is the fastest"; sm86/89 run 64x64 causal, 128x64 with 8
  // warps otherwise.
  if (d <= 160) {
    if (is_sm8x(gpu)) return causal_kernel ? Tiling{64, 64, 4, 1, 255} : Tiling{128, 64, 8, 1, 255};
    return {128, 32, 4, 1, 255};
  }
  if (d <= 192) return {128, 64, 8, 1, 255};
  // hdim224 and hdim256 choose by shared memory: 128x64 with 8 warps where a block may use
  // 2*Headdim*(128+2*64) bytes (and, for hdim256, where an SM has less than 4*Headdim*(64+2*64),
  // so 64x64 would not fit two CTAs: the A100); else 64x64, 4 warps.
  const double headdim = d <= 224 ? 224.0 : 256.0;
  const bool block_fits_big_tile = gpu.shared_memory_per_block_bytes >= 2.0 * headdim * (128 + 2 * 64);
  const bool big_tile =
      block_fits_big_tile && (d <= 224 || gpu.shared_memory_per_sm_bytes < 4.0 * headdim * (64 + 2 * 64));
  return big_tile ? Tiling{128, 64, 8, 1, 255} : Tiling{64, 64, 4, 1, 255};
}

Tiling flash2_backward_tiling(const Workload& w, const Gpu& gpu) {
  constexpr double kLargeSharedMemoryBytes = 144.0 * 1024.0;  // the launch template's threshold
  const bool large = gpu.shared_memory_per_block_bytes >= kLargeSharedMemoryBytes;
  if (w.head_dim <= 32) return {128, 128, 8, 1, 255};
  if (w.head_dim <= 64) return large ? Tiling{128, 128, 8, 1, 255} : Tiling{64, 128, 8, 1, 255};
  if (w.head_dim <= 96) return {64, 128, 8, 1, 255};
  if (w.head_dim <= 128) return large ? Tiling{64, 128, 8, 1, 255} : Tiling{64, 64, 8, 1, 255};
  if (w.head_dim <= 192) return {64, 64, 8, 1, 255};
  return large ? Tiling{64, 64, 8, 1, 255} : Tiling{64, 32, 8, 1, 255};
}

Efficiency flash2_efficiency(const Gpu& gpu, bool backward) {
  Efficiency e = efficiency_for(gpu, backward ? "flash2-backward" : "flash2", backward ? kBackward : kForward,
                                TensorPath::mma_sync);
  e.overlap_across_ctas = true;
  return e;
}

void require_half_precision(const Workload& w, const char* variant) {
  if (w.dtype != Dtype::fp16 && w.dtype != Dtype::bf16) {
    throw InvalidInput("dtype", std::string(variant) + " supports fp16 and bf16 only (got " +
                                    std::string(dtype_name(w.dtype)) + ")" +
                                    (w.dtype == Dtype::fp8_e4m3 ? "; fp8-e4m3 needs flash3 on Hopper" : ""));
  }
}

void require_flash_head_dim(const Workload& w, const char* variant) {
  // flash_api.cpp (mha_fwd, mha_bwd) and hopper/flash_api.cpp: "FlashAttention forward only
  // supports head dimension at most 256"; no kernel is compiled for larger heads.
  constexpr std::int64_t kMaxFlashHeadDim = 256;
  if (w.head_dim <= kMaxFlashHeadDim && w.head_dim_v <= kMaxFlashHeadDim) return;
  const bool value_dim = w.head_dim <= kMaxFlashHeadDim;
  throw InvalidInput(value_dim ? "head-dim-v" : "head-dim",
                     std::string(variant) + " has kernels for head dims up to 256 (FlashAttention's flash_api.cpp); got " +
                         std::to_string(value_dim ? w.head_dim_v : w.head_dim) +
                         "; allowed: 1 to 256, or a variant without this limit (eager, sdpa-math, mem-efficient, flash1)");
}

Cost flash2_cost(const Workload& w, const Gpu& gpu, const VariantKnobs& knobs) {
  require_half_precision(w, "flash2");
  require_flash_head_dim(w, "flash2");
  // mha_fwd (flash_api.cpp) asks num_splits_heuristic on every forward call without dropout and
  // packs GQA heads when one token decodes; either sends the call down the split-KV path.
  if (w.pass == Pass::forward) {
    VariantKnobs split_knobs = knobs;
    split_knobs.block_m.reset();  // --tile names the standard kernel's tile
    split_knobs.block_n.reset();
    const SplitKvPlan plan = plan_split_kv(w, gpu, split_knobs);
    if (plan.splits > 1 || plan.pack) {
      Cost cost = split_kv_cost(w, gpu, knobs, plan);
      cost.notes.push_back("FlashAttention-2's mha_fwd takes its split-KV path here (as flash-decode)");
      return cost;
    }
  }
  TiledKernelSpec forward{"flash2 fwd", with_knobs(flash2_forward_tiling(w, gpu), knobs),
                          flash2_efficiency(gpu, false), true, sets_tile(knobs)};
  TiledKernelSpec backward{"flash2", flash2_backward_tiling(w, gpu), flash2_efficiency(gpu, true), true};
  forward.compiled_head_dims = backward.compiled_head_dims = kCompiledHeadDims;
  backward.backward_workspace_rounding = kWorkspaceRounding;
  return tiled_attention_cost(w, gpu, forward, backward);
}

Variant flash2_variant() {
  return {"flash2",
          "FlashAttention-2: fused tiled kernel, query-block outer loop, causal block skipping, logsumexp only",
          "O(N^2)",
          {"--tile BMxBN", "--warps", "--stages", "--num-splits"},
          "arXiv 2307.08691; flash_fwd_launch_template.h and kernel_traits.h (Dao-AILab/flash-attention)",
          flash2_cost};
}

}  // namespace attnsim
