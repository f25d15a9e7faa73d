// L2 as the simulator sees it: an LRU over whole tiles with a byte capacity, write-back.
// A K, V, Q or O tile of one (batch, head, block) is one object of its byte size. FlashAttention's
// tiles are contiguous, 128-byte-aligned row ranges (row pitch d x 2 bytes = 256 bytes at d = 128),
// so a tile occupies exactly bytes/128 lines and whole-tile LRU evicts the same bytes a line LRU
// would when lines of one tile are touched together, which a tile load does.
//
// Partitions: the L2 of A100, H100 and H200 is two partitions ("Each L2 partition localizes and
// caches data for memory accesses from SMs in the GPCs directly connected to the partition", A100
// whitepaper, "A100 L2 Cache"). K and V tiles are read by SMs on both sides, so each partition
// holds its own copy: the cache the simulator builds has l2_bytes / l2_partitions (simulate.cpp),
// one LRU over the distinct tiles. Against Nsight Compute on an H200 this brings the simulated
// DRAM reads within a factor 1.6 of the measured ones on shapes it was not chosen on, from 4.6
// (tests/sim/ncu_agreement_test.cpp). Set conflicts are ignored (fully associative): set indices
// are hashed and a tile spans hundreds of lines.
#pragma once

#include <cstdint>
#include <vector>

namespace attnsim::sim {

struct CacheTraffic {
  double read_bytes = 0;       // bytes requested by loads (L2 traffic)
  double read_hit_bytes = 0;   // of which found in L2
  double write_bytes = 0;      // bytes stored by CTAs (L2 traffic)
  double hbm_read_bytes = 0;   // load misses
  double hbm_write_bytes = 0;  // dirty tiles written back (evicted, bypassing, or flushed)
};

class TileCache {
 public:
  // `object_count`: tiles are numbered 0..object_count-1 by the caller. It keeps 13 bytes per tile
  // (two LRU links, resident bytes, a dirty flag): more than kMaxObjects (416 MiB) is refused with
  // InvalidInput before any allocation.
  static constexpr std::int64_t kMaxObjects = std::int64_t{1} << 25;
  TileCache(double capacity_bytes, std::int64_t object_count);

  // A load of tile `object` of `bytes`; returns true on a hit. A miss installs the tile.
  bool load(std::int64_t object, double bytes);
  // Loads of `first` then `second`. When the same pair was the last thing loaded (CTAs of one head
  // walking the same key block in one round), both hit and the LRU order ends where it began:
  // that case is counted without relinking.
  void load_pair(std::int64_t first, double first_bytes, std::int64_t second, double second_bytes);
  // A store of a whole tile: installed dirty (written back when evicted or flushed).
  void store(std::int64_t object, double bytes);
  // Writes every dirty tile back to HBM (a kernel's outputs reach memory eventually).
  void flush();

  const CacheTraffic& traffic() const { return traffic_; }
  // HBM bytes (read + written back) and L2 bytes (loads + stores) since the last call; the
  // schedule charges them to a round.
  double take_hbm_bytes();
  double take_l2_bytes();
  double capacity_bytes() const { return capacity_bytes_; }

 private:
  static constexpr std::int32_t kNone = -1;
  void touch(std::int32_t object);  // move to most recently used
  void insert(std::int32_t object, double bytes, bool dirty);
  void unlink(std::int32_t object);
  void evict_to_fit();

  double capacity_bytes_;
  double used_bytes_ = 0;
  std::int32_t head_ = kNone;  // most recently used
  std::int32_t tail_ = kNone;  // least recently used
  std::vector<std::int32_t> prev_;
  std::vector<std::int32_t> next_;
  std::vector<float> resident_bytes_;  // 0 when absent; tiles are < 2^24 bytes, exact in float
  std::vector<std::uint8_t> dirty_;
  CacheTraffic traffic_;
  double pending_hbm_bytes_ = 0;
  double pending_l2_bytes_ = 0;
};

// Loads run tens of millions of times per simulation: defined here so the schedule inlines them.
inline void TileCache::unlink(std::int32_t o) {
  const std::int32_t p = prev_[std::size_t(o)];
  const std::int32_t n = next_[std::size_t(o)];
  if (p != kNone) next_[std::size_t(p)] = n; else head_ = n;
  if (n != kNone) prev_[std::size_t(n)] = p; else tail_ = p;
}

inline void TileCache::touch(std::int32_t o) {
  if (head_ == o) return;
  unlink(o);
  prev_[std::size_t(o)] = kNone;
  next_[std::size_t(o)] = head_;
  if (head_ != kNone) prev_[std::size_t(head_)] = o;
  head_ = o;
  if (tail_ == kNone) tail_ = o;
}

inline bool TileCache::load(std::int64_t object, double bytes) {
  const auto o = static_cast<std::int32_t>(object);
  traffic_.read_bytes += bytes;
  pending_l2_bytes_ += bytes;
  if (resident_bytes_[std::size_t(o)] > 0.0f) {
    traffic_.read_hit_bytes += bytes;
    touch(o);
    return true;
  }
  traffic_.hbm_read_bytes += bytes;
  pending_hbm_bytes_ += bytes;
  if (bytes <= capacity_bytes_) insert(o, bytes, false);
  return false;
}

inline void TileCache::load_pair(std::int64_t first, double first_bytes, std::int64_t second, double second_bytes) {
  const auto a = static_cast<std::int32_t>(first);
  const auto b = static_cast<std::int32_t>(second);
  if (head_ == b && next_[std::size_t(b)] == a) {
    traffic_.read_bytes += first_bytes + second_bytes;
    traffic_.read_hit_bytes += first_bytes + second_bytes;
    pending_l2_bytes_ += first_bytes + second_bytes;
    return;
  }
  load(first, first_bytes);
  load(second, second_bytes);
}

}  // namespace attnsim::sim
