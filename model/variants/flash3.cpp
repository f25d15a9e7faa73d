// FlashAttention-3 (Shah et al. 2024, arXiv 2407.08608) on Hopper: TMA loads by a producer
// warpgroup, wgmma in 64-row consumer warpgroups, ping-pong between consumers and intra-warpgroup
// softmax/GEMM overlap, FP8 path. Off Hopper it falls back to FlashAttention-2, with a note.
#include <string>

#include "model/efficiency.h"
#include "model/error.h"
#include "model/tiled_attention.h"
#include "model/variants/flash2.h"
#include "model/variants/warp_specialized.h"

namespace attnsim {
namespace {

// hopper/tile_size.h, tile_size_fwd_sm90 (block M, block N).
std::pair<std::int64_t, std::int64_t> forward_tile(const Workload& w) {
  const std::int64_t d = w.head_dim;
  const bool local = w.causal || w.window.has_value();
  if (w.dtype == Dtype::fp8_e4m3) {
    if (d <= 64) return {192, 160};
    if (d <= 96) return {192, 128};
    if (d <= 128) return {128, 224};
    if (d <= 192) return {128, 160};
    return {128, w.window ? 64 : 128};
  }
  if (d <= 64) return {192, local ? 128 : 192};
  // Causal narrows the tile only at d <= 64 and d <= 128; a window narrows it at every head dim.
  if (d <= 96) return {192, w.window ? 128 : 144};
  if (d <= 128) return {128, local ? 128 : 176};
  if (d <= 192) return {128, w.window ? 96 : (w.head_dim_v <= 128 ? 128 : 112)};
  return {128, w.window ? 64 : 80};
}

Tiling flash3_forward_tiling(const Workload& w) {
  const auto [block_m, block_n] = forward_tile(w);
  // One producer warpgroup plus block_m / 64 consumer warpgroups; two K/V stages (kStages = 2).
  // Registers are rebalanced with setmaxnreg so one CTA owns the SM's 64K: producers 24, two
  // consumers 240 (384 threads, 168 on average) or producers 32, three consumers 160 (512, 128).
  const int warps = int(4 * (block_m / 64 + 1));
  return {block_m, block_n, warps, 2, block_m > 128 ? 128 : 168};
}

// hopper/flash_bwd_launch_template.h (sm90): head dim 128 uses 80 x 128 (64 x 128 when causal or
// local), 192 uses 64 x 96; other head dims are taken as 64 x 128. Two consumer warpgroups and a
// producer: 12 warps.
Tiling flash3_backward_tiling(const Workload& w) {
  const bool local = w.causal || w.window.has_value();
  if (w.head_dim > 128 && w.head_dim <= 192) return {64, 96, 12, 2, 168};
  if (w.head_dim > 96 && w.head_dim <= 128 && !local) return {80, 128, 12, 2, 168};
  return {64, 128, 12, 2, 168};
}

Cost flash3_cost(const Workload& w, const Gpu& gpu, const VariantKnobs& knobs) {
  require_flash_head_dim(w, "flash3");
  if (!gpu.is_hopper()) {
    if (w.dtype == Dtype::fp8_e4m3) {
      throw InvalidInput("dtype", "flash3 fp8-e4m3 needs Hopper (sm90); " + gpu.id + " is sm" +
                                      std::to_string(gpu.compute_capability_major * 10 + gpu.compute_capability_minor) +
                                      "; allowed here: fp16, bf16 (predicted as flash2)");
    }
    Cost cost = flash2_cost(w, gpu, knobs);
    cost.notes.push_back("flash3 needs Hopper (sm90: TMA, wgmma); " + gpu.id + " is sm" +
                         std::to_string(gpu.compute_capability_major * 10 + gpu.compute_capability_minor) +
                         ", so this is FlashAttention-2's kernel");
    return cost;
  }
  if (w.dtype != Dtype::fp16 && w.dtype != Dtype::bf16 && w.dtype != Dtype::fp8_e4m3) {
    throw InvalidInput("dtype", "flash3 supports fp16, bf16 and fp8-e4m3 (got " + std::string(dtype_name(w.dtype)) + ")");
  }
  const TiledKernelSpec forward{"flash3 fwd", with_knobs(flash3_forward_tiling(w), knobs),
                                warp_specialized_efficiency(gpu, "flash3", false), true, sets_tile(knobs)};
  const TiledKernelSpec backward{"flash3", flash3_backward_tiling(w),
                                 warp_specialized_efficiency(gpu, "flash3-backward", true), true};
  return tiled_attention_cost(w, gpu, forward, backward);
}

}  // namespace

Variant flash3_variant() {
  return {"flash3",
          "FlashAttention-3 (Hopper): TMA + wgmma, warp-specialised ping-pong, softmax/GEMM overlap, FP8",
          "O(N^2)",
          {"--tile BMxBN", "--warps", "--stages"},
          "arXiv 2407.08608; hopper/tile_size.h (Dao-AILab/flash-attention)",
          flash3_cost};
}

}  // namespace attnsim
