// Which (query, key) pairs an attention mask keeps, counted in closed form so that n = 10^9
// costs O(log n): visible score elements, and the query-block x key-block tiles a tiled kernel
// computes when it skips tiles that are fully masked (FlashAttention-2 causal block skipping).
#pragma once

#include <cstdint>
#include <optional>

#include "model/workload.h"

namespace attnsim {

// Query row i sees keys [i + lo_offset, i + hi_offset] clipped to [0, Nk). An absent offset means
// unbounded on that side. Causal masks are bottom-right aligned: row Nq-1 sees key Nk-1.
struct MaskGeometry {
  std::int64_t seq_q = 0;
  std::int64_t seq_kv = 0;
  std::optional<std::int64_t> lo_offset;
  std::optional<std::int64_t> hi_offset;
};

// causal: hi = Nk - Nq; window w: lo = hi - w + 1 (and hi = Nk - Nq + w - 1 when not causal).
MaskGeometry mask_of(const Workload& w);

// Visible score elements for one (batch, head).
double visible_elements(const MaskGeometry& mask);

struct BlockCounts {
  double query_blocks = 0;         // ceil(Nq / block_m)
  double active_query_blocks = 0;  // query blocks that see at least one key
  double tiles = 0;                // (query block, key block) pairs not fully masked
  double kv_rows_loaded = 0;       // K/V rows read summed over query blocks (partial last block counted exactly)
};

// Keys that at least one query sees: the K/V rows any exact algorithm must read, per head.
double visible_key_rows(const MaskGeometry& mask);

// Per (batch, head), for a kernel whose CTA owns one query block and walks the key blocks it sees.
BlockCounts count_blocks(const MaskGeometry& mask, std::int64_t block_m, std::int64_t block_n);

}  // namespace attnsim
