// FlashAttention-2 defaults shared by the variants built on its kernels (sliding-window,
// flash-decode, and flash3's fallback off Hopper).
#pragma once

#include "model/cost.h"
#include "model/gpu.h"
#include "model/variant.h"
#include "model/workload.h"

namespace attnsim {

// flash_fwd_launch_template.h (non-dropout branches), per head dim and architecture.
Tiling flash2_forward_tiling(const Workload& w, const Gpu& gpu);
// flash_bwd_launch_template.h, chosen by head dim and the per-block shared memory (>= 144 KiB on
// A100/H100, 99 KiB on sm86/sm89).
Tiling flash2_backward_tiling(const Workload& w, const Gpu& gpu);
Efficiency flash2_efficiency(const Gpu& gpu, bool backward);
void require_half_precision(const Workload& w, const char* variant);
// FlashAttention-2 and -3 refuse head dims above 256 (query/key and value alike).
void require_flash_head_dim(const Workload& w, const char* variant);
Cost flash2_cost(const Workload& w, const Gpu& gpu, const VariantKnobs& knobs);

}  // namespace attnsim
