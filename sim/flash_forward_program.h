// FlashAttention-2's forward kernel as tile steps (flash_fwd_kernel.h, compute_attn_1rowblock and
// its split-KV twin): one CTA per query block of block_m rows; it loads its Q tile, walks the key
// blocks its mask leaves visible from the last to the first ("We iterate over the blocks in reverse
// order", flash_fwd_kernel.h), loading one K and one V tile per step, and stores O and the
// logsumexp (or, split-KV, the fp32 partial output and logsumexp of its split).
//
// Launch order (flash_fwd_launch_template.h): standard grid (num_m_block, b, h), split-KV grid
// (num_m_block, num_splits, b * h); blockIdx.x varies fastest.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>

#include "model/mask_geometry.h"
#include "model/workload.h"
#include "sim/tile_program.h"

namespace attnsim::sim {

struct FlashForwardShape {
  Workload workload;  // the problem the kernel sees (GQA-packed for split-KV decode)
  std::int64_t block_m = 128;
  std::int64_t block_n = 64;
  std::int64_t splits = 1;  // > 1: split-KV kernel writing fp32 partials per split
};

class FlashForwardProgram {
 public:
  struct Cta {
    std::int64_t q_object = 0;   // Q tile; O and logsumexp share its index in their ranges
    std::int64_t kv_object = 0;  // K tile of key block 0 of this (batch, kv head)
    std::int64_t partial_row = 0;  // split-KV: first row of this CTA in the partials' numbering
    std::int64_t last_block = 0;
    std::int64_t rows = 0;       // valid query rows
    std::int64_t steps = 1;
    bool sees_keys = true;
  };

  // `objects_base`: where this kernel's tiles start in the simulation's object space.
  FlashForwardProgram(const FlashForwardShape& shape, std::int64_t objects_base);

  std::int64_t cta_count() const { return m_blocks_ * splits_ * batch_ * heads_; }
  std::int64_t object_count() const { return partials_.end() - q_.base; }
  // Split-KV partials: one object per (split, row) in the combine kernel's row order.
  ObjectRange partials() const { return partials_; }
  std::int64_t rows_total() const { return batch_ * heads_ * seq_q_; }

  Cta start(std::int64_t cta) const;

  template <class Memory>
  void step(const Cta& c, std::int64_t s, Memory& memory) const {
    if (c.sees_keys) {
      if (s == 0) memory.load(c.q_object, double(c.rows) * q_row_bytes_);
      const std::int64_t block = c.last_block - s;
      const double rows = double(std::min(block_n_, seq_kv_ - block * block_n_));
      memory.load_pair(k_.base + c.kv_object + block, rows * k_row_bytes_, v_.base + c.kv_object + block,
                       rows * v_row_bytes_);
    }
    if (s + 1 < c.steps) return;
    if (splits_ == 1) {
      memory.store(c.q_object - q_.base + o_.base, double(c.rows) * o_row_bytes_);
      memory.store(c.q_object - q_.base + lse_.base, double(c.rows) * kFp32Bytes);
      return;
    }
    for (std::int64_t r = 0; r < c.rows; ++r) memory.store(partials_.base + c.partial_row + r, partial_row_bytes_);
  }

  static constexpr double kFp32Bytes = 4.0;

 private:
  std::int64_t batch_, heads_, kv_group_, seq_q_, seq_kv_, block_m_, block_n_, splits_;
  std::int64_t m_blocks_, n_blocks_, blocks_per_split_;
  MaskGeometry mask_;
  double q_row_bytes_, k_row_bytes_, v_row_bytes_, o_row_bytes_, partial_row_bytes_;
  ObjectRange q_, k_, v_, o_, lse_, partials_;
};

}  // namespace attnsim::sim
