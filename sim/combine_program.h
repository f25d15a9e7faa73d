// FlashAttention-2's split-KV combine kernel (flash_fwd_splitkv_combine_kernel): one CTA per
// kBlockM rows of the flattened (b, h, seqlen_q) output, grid ceil(b*h*seqlen_q / kBlockM); it
// reads every split's fp32 partial output and logsumexp of its rows and writes O and the final
// logsumexp. kBlockM = 4 when d % 128 == 0, 8 when d % 64 == 0, else 16 (flash_fwd_launch_template.h).
#pragma once

#include <algorithm>
#include <cstdint>

#include "sim/tile_program.h"

namespace attnsim::sim {

inline std::int64_t combine_block_rows(std::int64_t head_dim) {
  return head_dim % 128 == 0 ? 4 : (head_dim % 64 == 0 ? 8 : 16);
}

class CombineProgram {
 public:
  struct Cta {
    std::int64_t first_row = 0;
    std::int64_t rows = 0;
    std::int64_t steps = 1;
  };

  // `partials`: the split kernel's (split, row) objects; outputs are numbered from objects_base.
  CombineProgram(ObjectRange partials, std::int64_t rows_total, std::int64_t splits, std::int64_t head_dim,
                 double partial_row_bytes, double output_row_bytes, std::int64_t objects_base)
      : partials_(partials), rows_total_(rows_total), splits_(splits), block_rows_(combine_block_rows(head_dim)),
        partial_row_bytes_(partial_row_bytes), output_row_bytes_(output_row_bytes), outputs_{objects_base, rows_total} {}

  std::int64_t cta_count() const { return ceil_div(rows_total_, block_rows_); }
  std::int64_t object_count() const { return outputs_.count; }
  Cta start(std::int64_t cta) const {
    return {cta * block_rows_, std::min(block_rows_, rows_total_ - cta * block_rows_), 1};
  }

  template <class Memory>
  void step(const Cta& c, std::int64_t /*step*/, Memory& memory) const {
    for (std::int64_t split = 0; split < splits_; ++split) {
      for (std::int64_t r = 0; r < c.rows; ++r) {
        memory.load(partials_.base + split * rows_total_ + c.first_row + r, partial_row_bytes_);
      }
    }
    for (std::int64_t r = 0; r < c.rows; ++r) memory.store(outputs_.base + c.first_row + r, output_row_bytes_);
  }

 private:
  ObjectRange partials_;
  std::int64_t rows_total_, splits_, block_rows_;
  double partial_row_bytes_, output_row_bytes_;
  ObjectRange outputs_;
};

}  // namespace attnsim::sim
