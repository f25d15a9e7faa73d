// Whether a tensor-core kernel can be built at all with a given tile: block sizes must be whole
// multiples of the MMA instruction's shape, and each thread must hold at least one accumulator
// fragment. A tile that fails is refused with the rule it breaks, not priced.
#pragma once

#include <string>

#include "model/dtype.h"
#include "model/gpu.h"
#include "model/tiling.h"

namespace attnsim {

// How the CTA's warps share the forward tile (model/tiled_attention.h, TiledKernelSpec).
enum class WarpLayout {
  split_query_rows,  // each warp owns block_m / warps query rows (FlashAttention-2 kernel_traits.h)
  output_grid,       // warps form a grid over each matmul's output (CUTLASS fMHA, mem-efficient)
};

// The rule `tiling` breaks on `path` for `dtype`, as "mma shape: ..." or "registers: ..." (the word
// before the colon names the limit, as the tile what-if's other reasons do); empty if none.
std::string tile_unusable_reason(const Tiling& tiling, TensorPath path, WarpLayout layout, Dtype dtype);

}  // namespace attnsim
