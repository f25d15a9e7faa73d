// cuDNN's fused flash attention (cuDNN 9; PyTorch's CUDNN_ATTENTION SDPA backend). On sm90 its
// kernels are warp-specialised like FlashAttention-3 (kernel name ..._sdpa_sm90_flash_fprop_wgmma_
// f16_knob_7_64x128x128_4x1x1: a TMA producer warpgroup and two 64-row wgmma consumers taking turns
// on the softmax; cudnn-frontend v1.19 sources); on sm80-sm89 they issue mma.sync
// (..._sm80_flash_fprop_wmma_f16_knob_6_128x64x64) and are priced with FlashAttention-2's pipes.
// Sources of the kernel names: validate/data/published/FACTS.md (d).
#include <string>

#include "model/efficiency.h"
#include "model/error.h"
#include "model/tiled_attention.h"
#include "model/variants/flash2.h"
#include "model/variants/warp_specialized.h"

namespace attnsim {
namespace {

bool has_warp_specialized_kernels(const Gpu& gpu) { return gpu.native_tensor_path() != TensorPath::mma_sync; }

// sm90 forward: two 64-row consumers (128 query rows) x 128 keys up to head dim 128 (knob_7
// 64x128x128; 64x128x64 at d = 64); at d = 256 the K/V stages of 128 keys no longer fit beside Q in
// 227 KiB, taken as 64 keys. Three warpgroups, one CTA per SM (registers rebalanced by setmaxnreg).
Tiling warp_specialized_forward_tiling(const Workload& w) {
  const std::int64_t block_n = w.head_dim > 128 ? 64 : 128;
  return {128, block_n, 12, 2, 168};
}

// sm90 backward: ..._flash_bprop_wgmma_f16_knob_26_64x64x128_1x4x1: 64 x 64 tiles, one wgmma
// warpgroup of 4 warps plus its producer.
Tiling warp_specialized_backward_tiling() { return {64, 64, 8, 2, 168}; }

// The same kernel at d = 256 (knob_26_64x64x256, 168 registers, 384 threads, as at d = 64 and 128)
// keeps the dK and dV accumulators of 128 head-dim columns at a time: on an H100 at N = 4096 its
// tensor pipe was active 1.40x the cycles the nominal FLOPs take at d = 128 (7/5: S and dP
// recomputed once more) and it issued twice d = 128's MUFU instructions (P recomputed), causal and
// not; d = 64 and 128 kept their nominal ratio (Nsight Compute,
// validate/data/h100-sxm/backward_counters/ncu_cudnn_backward.csv). 64 keys x 256 columns of dK and
// dV in fp32 would fill 128 KiB, three quarters of the consumer warpgroups' 168 KiB of registers.
constexpr std::int64_t kBackwardAccumulatorColumns = 128;
// Its knobs come in head dims of 64, 128, 192 and 256 (..._64x64x{64,128,192,256}_...): d = 160 ran
// the x192 kernel, with d = 192's tensor cycles and time, and there, two passes, the tensor pipe was
// active 1.60x the nominal FLOPs, the dK, dV and dQ matmuls each producing two whole 128-column
// chunks (validate/data/h100-sxm/unseen_head_dims/).
constexpr std::int64_t kBackwardHeadDimStep = 64;

// sm80 kernels: 128 x 64 at head dim 64 (knob_6_128x64x64), 64 x 64 above (knob_3_64x64x128).
Tiling mma_sync_forward_tiling(const Workload& w) {
  return w.head_dim <= 64 ? Tiling{128, 64, 4, 1, 255} : Tiling{64, 64, 4, 1, 255};
}

void require_supported(const Workload& w, const Gpu& gpu) {
  require_flash_head_dim(w, "cudnn");
  if (gpu.compute_capability_major < 8) {
    throw InvalidInput("gpu", "cudnn fused attention needs sm80 or newer; " + gpu.id + " is sm" +
                                  std::to_string(gpu.compute_capability_major * 10 + gpu.compute_capability_minor));
  }
  if (w.dtype == Dtype::fp8_e4m3) {
    if (!has_warp_specialized_kernels(gpu)) {
      throw InvalidInput("dtype", "cudnn fp8-e4m3 attention needs sm90 or sm100; " + gpu.id +
                                      " has mma.sync kernels only; allowed here: fp16, bf16");
    }
    if (w.pass != Pass::forward) throw InvalidInput("pass", "cudnn fp8-e4m3 is priced forward only; allowed: forward");
    return;
  }
  require_half_precision(w, "cudnn");
}

Cost cudnn_cost(const Workload& w, const Gpu& gpu, const VariantKnobs& knobs) {
  require_supported(w, gpu);
  if (!has_warp_specialized_kernels(gpu)) {
    const TiledKernelSpec forward{"cudnn fwd", with_knobs(mma_sync_forward_tiling(w), knobs),
                                  flash2_efficiency(gpu, false), true, sets_tile(knobs)};
    const TiledKernelSpec backward{"cudnn", flash2_backward_tiling(w, gpu), flash2_efficiency(gpu, true), true};
    Cost cost = tiled_attention_cost(w, gpu, forward, backward);
    cost.notes.push_back("cuDNN's sm80 kernels issue mma.sync: priced with FlashAttention-2's pipes");
    return cost;
  }
  const TiledKernelSpec forward{"cudnn fwd", with_knobs(warp_specialized_forward_tiling(w), knobs),
                                warp_specialized_efficiency(gpu, "cudnn", false), true, sets_tile(knobs)};
  TiledKernelSpec backward{"cudnn", warp_specialized_backward_tiling(),
                           warp_specialized_efficiency(gpu, "cudnn-backward", true), true};
  if (gpu.native_tensor_path() == TensorPath::wgmma) {  // sm90's knobs; sm100 accumulates in tensor memory
    backward.backward_accumulator_columns = kBackwardAccumulatorColumns;
    backward.backward_head_dim_step = kBackwardHeadDimStep;
  }
  return tiled_attention_cost(w, gpu, forward, backward);
}

}  // namespace

Variant cudnn_variant() {
  return {"cudnn",
          "cuDNN fused flash attention (PyTorch CUDNN_ATTENTION): warp-specialised wgmma on sm90, mma.sync on sm80",
          "O(N^2)",
          {"--tile BMxBN", "--warps", "--stages"},
          "cudnn-frontend v1.19 sm90 SDPA kernels; kernel names in validate/data/published/FACTS.md",
          cudnn_cost};
}

}  // namespace attnsim
