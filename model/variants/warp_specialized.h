// The pipes of a warp-specialised attention kernel on Hopper (FlashAttention-3, cuDNN's sm90 fused
// attention): a producer warpgroup issues TMA loads, two consumer warpgroups issue wgmma straight
// from shared memory and take turns on the softmax (ping-pong), so one consumer's exp and FP32
// work runs while the other's matmuls hold the tensor cores. The constants are those of the design,
// shared by every kernel built that way; a kernel brings its own tiles.
#pragma once

#include <string_view>

#include "model/cost.h"
#include "model/gpu.h"

namespace attnsim {

// Efficiency of a ping-pong kernel's forward (fp8: its FP8 path) or backward on `gpu`, for the
// profile override key `variant_id`; the tensor path is the GPU's newest (wgmma on sm90, tcgen05 on
// sm100).
Efficiency warp_specialized_efficiency(const Gpu& gpu, std::string_view variant_id, bool backward);

}  // namespace attnsim
