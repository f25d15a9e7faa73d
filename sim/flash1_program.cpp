#include "sim/flash1_program.h"

#include <algorithm>
#include <stdexcept>

#include "model/dtype.h"
#include "model/mask_geometry.h"

namespace attnsim::sim {
namespace {

// One head's tile list is kept in memory; beyond this the simulation is not the tool.
constexpr std::int64_t kMaxTilesPerHead = std::int64_t{1} << 26;

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

  // The mask walked with keys as rows (as model/variants/flash1.cpp counts it): key block j sees
  // the query rows whose window contains any of its keys.
  const MaskGeometry mask = mask_of(w);
  for (std::int64_t j = 0; j < k_blocks_; ++j) {
    const std::int64_t first_key = j * block_c;
    const std::int64_t last_key = std::min(w.seq_kv, first_key + block_c) - 1;
    // Query i sees key k when i + lo <= k <= i + hi, i.e. k - hi <= i <= k - lo.
    const std::int64_t lo_query = mask.hi_offset ? first_key - *mask.hi_offset : 0;
    const std::int64_t hi_query = mask.lo_offset ? (j + 1) * block_c - 1 - *mask.lo_offset : w.seq_q - 1;
    if (hi_query < 0 || lo_query > w.seq_q - 1) continue;
    const std::int64_t first = std::clamp<std::int64_t>(lo_query, 0, w.seq_q - 1) / block_r;
    const std::int64_t last = std::clamp<std::int64_t>(hi_query, 0, w.seq_q - 1) / block_r;
    for (std::int64_t i = first; i <= last; ++i) {
      if (std::int64_t(tiles_.size()) >= kMaxTilesPerHead) {
        throw std::length_error("flash1 simulation: more than 2^26 tiles per head");
      }
      tiles_.push_back({j, i, double(last_key - first_key + 1), double(std::min(block_r, w.seq_q - i * block_r)),
                        i == first});
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
