// The tile cache: LRU order by bytes, write-back of dirty tiles, bypass when a tile cannot fit,
// and the repeated-pair shortcut leaving exactly the state two ordinary loads leave.
#include "sim/l2_cache.h"

#include <gtest/gtest.h>

#include <random>

namespace attnsim::sim {
namespace {

TEST(TileCache, EvictsTheLeastRecentlyUsedTilesUntilTheBytesFit) {
  TileCache cache(300.0, 4);
  EXPECT_FALSE(cache.load(0, 100));
  EXPECT_FALSE(cache.load(1, 100));
  EXPECT_FALSE(cache.load(2, 100));
  EXPECT_TRUE(cache.load(0, 100));   // 0 becomes most recent; 1 is now the oldest
  EXPECT_FALSE(cache.load(3, 100));  // evicts 1
  EXPECT_TRUE(cache.load(0, 100));
  EXPECT_TRUE(cache.load(2, 100));
  EXPECT_FALSE(cache.load(1, 100));
  EXPECT_DOUBLE_EQ(cache.traffic().hbm_read_bytes, 500.0);
  EXPECT_DOUBLE_EQ(cache.traffic().read_hit_bytes, 300.0);
}

TEST(TileCache, DirtyTilesReachHbmOnceWhenEvictedOrFlushed) {
  TileCache cache(200.0, 3);
  cache.store(0, 100);
  cache.store(0, 100);  // rewritten while resident: still one write-back
  EXPECT_DOUBLE_EQ(cache.traffic().hbm_write_bytes, 0.0);
  cache.load(1, 100);
  cache.load(2, 100);  // evicts 0, dirty
  EXPECT_DOUBLE_EQ(cache.traffic().hbm_write_bytes, 100.0);
  cache.store(1, 100);
  cache.flush();
  EXPECT_DOUBLE_EQ(cache.traffic().hbm_write_bytes, 200.0);
  cache.flush();  // nothing dirty is left
  EXPECT_DOUBLE_EQ(cache.traffic().hbm_write_bytes, 200.0);
}

TEST(TileCache, WithNoCapacityEveryLoadMissesAndEveryStoreGoesToHbm) {
  TileCache cache(0.0, 2);
  EXPECT_FALSE(cache.load(0, 64));
  EXPECT_FALSE(cache.load(0, 64));
  cache.store(1, 32);
  EXPECT_DOUBLE_EQ(cache.traffic().hbm_read_bytes, 128.0);
  EXPECT_DOUBLE_EQ(cache.traffic().hbm_write_bytes, 32.0);
  EXPECT_DOUBLE_EQ(cache.take_hbm_bytes(), 160.0);
  EXPECT_DOUBLE_EQ(cache.take_l2_bytes(), 160.0);
  EXPECT_DOUBLE_EQ(cache.take_hbm_bytes(), 0.0);
}

TEST(TileCache, PairLoadsLeaveTheSameStateAsTwoLoads) {
  std::mt19937 rng(7);
  TileCache pairs(1000.0, 40);
  TileCache singles(1000.0, 40);
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t k = rng() % 20;  // K tile k and V tile 20 + k, as a FlashAttention step loads them
    const double bytes = 50.0 + double(k);
    pairs.load_pair(k, bytes, 20 + k, bytes);
    singles.load(k, bytes);
    singles.load(20 + k, bytes);
    if (rng() % 3 == 0) {  // repeat the pair, as the next CTA of the same head does
      pairs.load_pair(k, bytes, 20 + k, bytes);
      singles.load(k, bytes);
      singles.load(20 + k, bytes);
    }
  }
  EXPECT_DOUBLE_EQ(pairs.traffic().hbm_read_bytes, singles.traffic().hbm_read_bytes);
  EXPECT_DOUBLE_EQ(pairs.traffic().read_hit_bytes, singles.traffic().read_hit_bytes);
  for (std::int64_t o = 0; o < 40; ++o) EXPECT_EQ(pairs.load(o, 60.0), singles.load(o, 60.0)) << o;
}

}  // namespace
}  // namespace attnsim::sim
