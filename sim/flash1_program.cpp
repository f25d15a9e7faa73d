#include "sim/flash1_program.h"

#include <algorithm>
#include <string>

#include "model/dtype.h"
#include "model/error.h"
#include "model/mask_geometry.h"

namespace attnsim::sim {
namespace {

// One head's tile list is kept in memory (40 bytes a tile): 2^24 tiles are 640 MiB.
constexpr std::int64_t kMaxTilesPerHead = std::int64_t{1} << 24;

struct BlockRange {
  std::int64_t first = 0;
  std::int64_t last = -1;  // empty when last < first
};

// The query blocks key block j reaches, walking the mask with keys as rows (as
// model/variants/flash1.cpp counts it): the query rows whose window contains any of its keys.
BlockRange query_blocks_of_key_block(const Workload& w, const MaskGeometry& mask, std::int64_t j, std::int64_t block_r,
                                     std::int64_t block_c) {
  const std::int64_t first_key = j * block_c;
  // Query i sees key k when i + lo <= k <= i + hi, i.e. k - hi <= i <= k - lo.
  const std::int64_t lo_query = mask.hi_offset ? first_key - *mask.hi_offset : 0;
  const std::int64_t hi_query = mask.lo_offset ? (j + 1) * block_c - 1 - *mask.lo_offset : w.seq_q - 1;
  if (hi_query < 0 || lo_query > w.seq_q - 1) return {};
  return {std::clamp<std::int64_t>(lo_query, 0, w.seq_q - 1) / block_r,
          std::clamp<std::int64_t>(hi_query, 0, w.seq_q - 1) / block_r};
}

}  // namespace

Flash1Program::Flash1Program(const Workload& w, std::int64_t block_r, std::int64_t block_c, std::int64_t objects_base) {
  const double e = element_bytes(w.dtype);
  batch_ = w.batch;
  heads_ = w.heads;
  kv_group_ = w.heads / w.kv_heads;
  q_blocks_ = ceil_div(w.seq_q, block_r);
  k_blocks_ = ceil_div(w.seq_kv, block_c);
  q_row_bytes_ = double(w.head_dim) * e;
  k_row_bytes_ = double(w.head_dim) * e;
  v_row_bytes_ = double(w.head_dim_v) * e;
  o_row_bytes_ = double(w.head_dim_v) * e;
  k_ = {objects_base, batch_ * w.kv_heads * k_blocks_};
  v_ = {k_.end(), k_.count};
  q_ = {v_.end(), batch_ * heads_ * q_blocks_};
  o_ = {q_.end(), q_.count};
  row_stats_ = {o_.end(), q_.count};

  // Counted first, stopping at the limit, so a call far too large is refused at once. A key block
  // no query sees counts as one, which keeps the count an upper bound that a long run of such
  // blocks (a short window over a long cache) also brings to the limit.
  const MaskGeometry mask = mask_of(w);
  std::int64_t tiles_per_head = 0;
  for (std::int64_t j = 0; j < k_blocks_ && tiles_per_head <= kMaxTilesPerHead; ++j) {
    const BlockRange r = query_blocks_of_key_block(w, mask, j, block_r, block_c);
    tiles_per_head += std::max<std::int64_t>(1, r.last - r.first + 1);
  }
  if (tiles_per_head > kMaxTilesPerHead) {
    throw InvalidInput("seq", "flash1's simulation keeps one head's tiles (" + std::to_string(block_r) + "x" +
                                  std::to_string(block_c) + ") in memory and holds at most 2^24 (16777216); " +
                                  "this call has more; use --engine model or a shorter --seq");
  }
  tiles_.reserve(std::size_t(tiles_per_head));
  for (std::int64_t j = 0; j < k_blocks_; ++j) {
    const BlockRange r = query_blocks_of_key_block(w, mask, j, block_r, block_c);
    const double key_rows = double(std::min(w.seq_kv, (j + 1) * block_c) - j * block_c);
    for (std::int64_t i = r.first; i <= r.last; ++i) {
      tiles_.push_back({j, i, key_rows, double(std::min(block_r, w.seq_q - i * block_r)), i == r.first});
    }
  }
}

Flash1Program::Cta Flash1Program::start(std::int64_t cta) const {
  const std::int64_t b = cta / heads_;
  const std::int64_t h = cta % heads_;
  Cta c;
  c.head_tile = (b * heads_ + h) * q_blocks_;
  c.kv_tile = (b * (heads_ / kv_group_) + h / kv_group_) * k_blocks_;
  c.steps = std::max<std::int64_t>(1, std::int64_t(tiles_.size()));
  return c;
}

}  // namespace attnsim::sim
