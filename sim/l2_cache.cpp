#include "sim/l2_cache.h"

#include <string>

#include "model/error.h"

namespace attnsim::sim {

TileCache::TileCache(double capacity_bytes, std::int64_t object_count) : capacity_bytes_(capacity_bytes) {
  if (object_count > kMaxObjects) {
    throw InvalidInput("seq", "the simulator tracks every Q, K, V and O tile in its L2 model and holds at most "
                              "2^25 (33554432); this call has " + std::to_string(object_count) +
                              "; use --engine model, or fewer tokens, heads or batch");
  }
  const auto n = static_cast<std::size_t>(object_count);
  prev_.assign(n, kNone);
  next_.assign(n, kNone);
  resident_bytes_.assign(n, 0.0f);
  dirty_.assign(n, 0);
}


void TileCache::insert(std::int32_t o, double bytes, bool dirty) {
  resident_bytes_[std::size_t(o)] = static_cast<float>(bytes);
  dirty_[std::size_t(o)] = dirty ? 1 : 0;
  used_bytes_ += bytes;
  prev_[std::size_t(o)] = kNone;
  next_[std::size_t(o)] = head_;
  if (head_ != kNone) prev_[std::size_t(head_)] = o;
  head_ = o;
  if (tail_ == kNone) tail_ = o;
  evict_to_fit();
}

void TileCache::evict_to_fit() {
  while (used_bytes_ > capacity_bytes_ && tail_ != kNone) {
    const std::int32_t victim = tail_;
    const double bytes = resident_bytes_[std::size_t(victim)];
    if (dirty_[std::size_t(victim)]) {
      traffic_.hbm_write_bytes += bytes;
      pending_hbm_bytes_ += bytes;
    }
    unlink(victim);
    resident_bytes_[std::size_t(victim)] = 0.0f;
    dirty_[std::size_t(victim)] = 0;
    used_bytes_ -= bytes;
  }
}

void TileCache::store(std::int64_t object, double bytes) {
  const auto o = static_cast<std::int32_t>(object);
  traffic_.write_bytes += bytes;
  pending_l2_bytes_ += bytes;
  if (resident_bytes_[std::size_t(o)] > 0.0f) {
    dirty_[std::size_t(o)] = 1;
    touch(o);
    return;
  }
  if (bytes > capacity_bytes_) {  // no room at all: the store goes straight to HBM
    traffic_.hbm_write_bytes += bytes;
    pending_hbm_bytes_ += bytes;
    return;
  }
  insert(o, bytes, true);
}

void TileCache::flush() {
  for (std::int32_t o = head_; o != kNone; o = next_[std::size_t(o)]) {
    if (!dirty_[std::size_t(o)]) continue;
    traffic_.hbm_write_bytes += resident_bytes_[std::size_t(o)];
    dirty_[std::size_t(o)] = 0;
  }
}

double TileCache::take_l2_bytes() {
  const double bytes = pending_l2_bytes_;
  pending_l2_bytes_ = 0;
  return bytes;
}

double TileCache::take_hbm_bytes() {
  const double bytes = pending_hbm_bytes_;
  pending_hbm_bytes_ = 0;
  return bytes;
}

}  // namespace attnsim::sim
