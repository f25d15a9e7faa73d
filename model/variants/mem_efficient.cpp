// Memory-efficient attention (xformers / CUTLASS fMHA, PyTorch's EFFICIENT_ATTENTION backend):
// a fused tiled kernel like FlashAttention-2 but with smaller query blocks and lower throughput.
#include "model/efficiency.h"
#include "model/tiled_attention.h"
#include "model/variants/flash2.h"

namespace attnsim {
namespace {

// FA2 paper (arXiv 2307.08691) Sec. 4.1: FA2 is around 2x faster than xformers' cutlass kernel on
// A100, so 73% / 2 = 0.365 of peak; elsewhere FA2's utilization / 2.
const std::vector<ArchEfficiency> kForward = {
    {"sm80", {0.365, 1.0, 1.0, "FA2 paper Sec. 4.1: FA2 around 2x faster than xformers; 0.73 / 2"}},
    {"sm8x", {0.365, 1.0, 1.0, "assumed equal to A100"}},
    {"sm90", {0.175, 1.0, 1.0, "FA2's 0.35 on H100 / 2 (FA2 paper Sec. 4.1 ratio)"}},
    {"sm100", {0.175, 1.0, 1.0, "assumed equal to H100"}},
    {"sm120", {0.365, 1.0, 1.0, "assumed equal to A100"}},
};

// PyTorch mem_eff_attention/kernels/generate_kernels.py, sm80+: 64x64 up to head dim 64, 64x128
// up to 128 ("better perf with 64x128 on A100"), 32x128 above; warps = BM*BN/1024.
Tiling forward_tiling(const Workload& w) {
  std::int64_t block_m = 32;
  std::int64_t block_n = 128;
  if (w.head_dim <= 64 && w.head_dim_v <= 64) {
    block_m = 64;
    block_n = 64;
  } else if (w.head_dim <= 128 && w.head_dim_v <= 128) {
    block_m = 64;
    block_n = 128;
  }
  // kernel_forward.h: __launch_bounds__(kNumThreads, kMinBlocksPerSm) asks for 16 warps per SM on
  // sm80+ with 16-bit inputs, so ptxas caps registers at 65536 / 512 = 128 per thread.
  return {block_m, block_n, int(block_m * block_n / 1024), 1, 128};
}

Cost mem_efficient_cost(const Workload& w, const Gpu& gpu, const VariantKnobs& knobs) {
  require_half_precision(w, "mem-efficient");
  const Efficiency eff = efficiency_for(gpu, "mem-efficient", kForward);
  const TiledKernelSpec forward{"mem-efficient fwd", with_knobs(forward_tiling(w), knobs), eff, true, sets_tile(knobs)};
  const TiledKernelSpec backward{"mem-efficient", flash2_backward_tiling(w, gpu), eff, true};
  return tiled_attention_cost(w, gpu, forward, backward);
}

}  // namespace

Variant mem_efficient_variant() {
  return {"mem-efficient",
          "xformers / CUTLASS memory-efficient attention (PyTorch EFFICIENT_ATTENTION): fused, 64x128 tiles",
          "O(N^2)",
          {"--tile BMxBN", "--warps", "--stages"},
          "PyTorch mem_eff_attention generate_kernels.py; FA2 paper Sec. 4.1 comparison",
          mem_efficient_cost};
}

}  // namespace attnsim
