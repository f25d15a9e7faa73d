// FlashAttention-1's forward (arXiv 2205.14135, Algorithm 1) as tile steps: one CTA per
// (batch, head); the outer loop loads a K and V block (line 6), the inner loop loads Q_i, O_i,
// l_i, m_i (line 8) and writes O_i, l_i, m_i back (lines 12-13). Per head the running outputs
// are re-read once per key block, so HBM traffic grows as N^2 d^2 / M when L2 cannot hold them.
#pragma once

#include <cstdint>
#include <vector>

#include "model/workload.h"
#include "sim/tile_program.h"

namespace attnsim::sim {

class Flash1Program {
 public:
  struct Cta {
    std::int64_t head_tile = 0;  // (b, h) * query blocks: first Q/O/l,m tile of this head
    std::int64_t kv_tile = 0;    // (b, kv head) * key blocks
    std::int64_t steps = 1;
  };

  // block_r query rows by block_c key rows per tile (the paper's Br x Bc).
  Flash1Program(const Workload& w, std::int64_t block_r, std::int64_t block_c, std::int64_t objects_base);

  std::int64_t cta_count() const { return batch_ * heads_; }
  std::int64_t object_count() const { return row_stats_.end() - k_.base; }
  Cta start(std::int64_t cta) const;

  template <class Memory>
  void step(const Cta& c, std::int64_t s, Memory& memory) const {
    const Tile& t = tiles_[std::size_t(s)];
    if (t.first_of_key_block) {
      memory.load_pair(k_.base + c.kv_tile + t.key_block, t.key_rows * k_row_bytes_, v_.base + c.kv_tile + t.key_block,
                       t.key_rows * v_row_bytes_);
    }
    const std::int64_t q_tile = c.head_tile + t.query_block;
    memory.load(q_.base + q_tile, t.query_rows * q_row_bytes_);
    memory.load(o_.base + q_tile, t.query_rows * o_row_bytes_);
    memory.load(row_stats_.base + q_tile, t.query_rows * kRowStatsBytes);
    memory.store(o_.base + q_tile, t.query_rows * o_row_bytes_);
    memory.store(row_stats_.base + q_tile, t.query_rows * kRowStatsBytes);
  }

  static constexpr double kRowStatsBytes = 8.0;  // l_i and m_i, fp32 each

 private:
  struct Tile {
    std::int64_t key_block;
    std::int64_t query_block;
    double key_rows;
    double query_rows;
    bool first_of_key_block;
  };
  std::int64_t batch_, heads_, kv_group_, q_blocks_, k_blocks_;
  double q_row_bytes_, k_row_bytes_, v_row_bytes_, o_row_bytes_;
  std::vector<Tile> tiles_;  // one head's visible tiles in loop order (the same for every head)
  ObjectRange k_, v_, q_, o_, row_stats_;
};

}  // namespace attnsim::sim
