// FlashAttention-2's split-KV path (flash_api.cpp): the plan (GQA packing, split count) and its
// cost. flash-decode always takes it; flash2's forward takes it when mha_fwd would.
#pragma once

#include <cstdint>

#include "model/cost.h"
#include "model/gpu.h"
#include "model/variant.h"
#include "model/workload.h"

namespace attnsim {

struct SplitKvPlan {
  Workload packed;  // the problem the kernels see: GQA query heads folded into Nq when decoding
  bool pack = false;
  std::int64_t splits = 1;
  Tiling tiling;  // split kernel: 64 x (256 | 128 | 64), 4 warps
};

// flash_api.cpp num_splits_heuristic(batch * heads * m_blocks, 2 * SMs, key blocks, 128).
std::int64_t flash_decode_num_splits(double batch_heads_mblocks, double num_slots, std::int64_t num_n_blocks);
SplitKvPlan plan_split_kv(const Workload& w, const Gpu& gpu, const VariantKnobs& knobs);
// One split runs the standard forward kernel; more run the split kernel and the combine kernel.
Cost split_kv_cost(const Workload& w, const Gpu& gpu, const VariantKnobs& knobs, const SplitKvPlan& plan);

}  // namespace attnsim
