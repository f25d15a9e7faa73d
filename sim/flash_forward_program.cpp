#include "sim/flash_forward_program.h"

#include "model/dtype.h"

namespace attnsim::sim {

FlashForwardProgram::FlashForwardProgram(const FlashForwardShape& shape, std::int64_t objects_base) {
  const Workload& w = shape.workload;
  const double e = element_bytes(w.dtype);
  batch_ = w.batch;
  heads_ = w.heads;
  kv_group_ = w.heads / w.kv_heads;
  seq_q_ = w.seq_q;
  seq_kv_ = w.seq_kv;
  block_m_ = shape.block_m;
  block_n_ = shape.block_n;
  splits_ = shape.splits;
  m_blocks_ = ceil_div(seq_q_, block_m_);
  n_blocks_ = ceil_div(seq_kv_, block_n_);
  // flash_fwd_kernel.h (split-KV): n_blocks_per_split = ceil(ceil(seqlen_k / kBlockN) / num_n_splits).
  blocks_per_split_ = ceil_div(n_blocks_, splits_);
  mask_ = mask_of(w);
  q_row_bytes_ = double(w.head_dim) * e;
  k_row_bytes_ = double(w.head_dim) * e;
  v_row_bytes_ = double(w.head_dim_v) * e;
  o_row_bytes_ = double(w.head_dim_v) * e;
  partial_row_bytes_ = double(w.head_dim_v + 1) * kFp32Bytes;  // O_accum row and LSE_accum
  const std::int64_t q_tiles = batch_ * heads_ * m_blocks_;
  const std::int64_t kv_tiles = batch_ * w.kv_heads * n_blocks_;
  q_ = {objects_base, q_tiles};
  k_ = {q_.end(), kv_tiles};
  v_ = {k_.end(), kv_tiles};
  o_ = {v_.end(), splits_ == 1 ? q_tiles : 0};
  lse_ = {o_.end(), splits_ == 1 ? q_tiles : 0};
  partials_ = {lse_.end(), splits_ == 1 ? 0 : splits_ * rows_total()};
}

FlashForwardProgram::Cta FlashForwardProgram::start(std::int64_t cta) const {
  const std::int64_t m = cta % m_blocks_;
  const std::int64_t rest = cta / m_blocks_;
  std::int64_t split = 0;
  std::int64_t b = 0;
  std::int64_t h = 0;
  if (splits_ == 1) {  // grid (m, b, h)
    b = rest % batch_;
    h = rest / batch_;
  } else {  // grid (m, split, b * h)
    split = rest % splits_;
    b = (rest / splits_) / heads_;
    h = (rest / splits_) % heads_;
  }
  Cta c;
  c.rows = std::min(block_m_, seq_q_ - m * block_m_);
  c.q_object = q_.base + (b * heads_ + h) * m_blocks_ + m;
  c.kv_object = (b * (heads_ / kv_group_) + h / kv_group_) * n_blocks_;
  c.partial_row = split * rows_total() + (b * heads_ + h) * seq_q_ + m * block_m_;
  // Key blocks the mask leaves visible, as model/mask_geometry.cpp counts them: the block's first
  // row reaches down to row + lo, its last row (block_m - 1 below, clamped) up to row + hi.
  const std::int64_t hi_key = mask_.hi_offset ? (m + 1) * block_m_ - 1 + *mask_.hi_offset : seq_kv_ - 1;
  const std::int64_t lo_key = mask_.lo_offset ? m * block_m_ + *mask_.lo_offset : 0;
  std::int64_t first = std::clamp<std::int64_t>(lo_key, 0, seq_kv_ - 1) / block_n_;
  std::int64_t last = std::clamp<std::int64_t>(hi_key, 0, seq_kv_ - 1) / block_n_;
  if (splits_ > 1) {
    first = std::max(first, split * blocks_per_split_);
    last = std::min(last, (split + 1) * blocks_per_split_ - 1);
  }
  c.sees_keys = hi_key >= 0 && lo_key <= seq_kv_ - 1 && first <= last;
  c.last_block = last;
  c.steps = c.sees_keys ? last - first + 1 : 1;
  return c;
}

}  // namespace attnsim::sim
