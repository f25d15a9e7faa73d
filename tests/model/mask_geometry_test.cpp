// The closed-form mask counts against brute force over every row and tile.
#include "model/mask_geometry.h"

#include <gtest/gtest.h>
#include <random>

namespace attnsim {
namespace {

bool visible(const MaskGeometry& m, std::int64_t i, std::int64_t j) {
  if (m.hi_offset && j > i + *m.hi_offset) return false;
  if (m.lo_offset && j < i + *m.lo_offset) return false;
  return j >= 0 && j < m.seq_kv;
}

BlockCounts brute_force(const MaskGeometry& m, std::int64_t bm, std::int64_t bn, double* elements) {
  BlockCounts c;
  *elements = 0;
  const std::int64_t qb = (m.seq_q + bm - 1) / bm;
  const std::int64_t kb = (m.seq_kv + bn - 1) / bn;
  c.query_blocks = double(qb);
  for (std::int64_t a = 0; a < qb; ++a) {
    bool any = false;
    for (std::int64_t b = 0; b < kb; ++b) {
      bool touched = false;
      for (std::int64_t i = a * bm; i < std::min(m.seq_q, (a + 1) * bm); ++i) {
        for (std::int64_t j = b * bn; j < std::min(m.seq_kv, (b + 1) * bn); ++j) {
          if (visible(m, i, j)) touched = true;
        }
      }
      if (touched) {
        any = true;
        c.tiles += 1;
        c.kv_rows_loaded += double(std::min(m.seq_kv, (b + 1) * bn) - b * bn);
      }
    }
    if (any) c.active_query_blocks += 1;
  }
  for (std::int64_t i = 0; i < m.seq_q; ++i) {
    for (std::int64_t j = 0; j < m.seq_kv; ++j) *elements += visible(m, i, j) ? 1 : 0;
  }
  return c;
}

TEST(MaskGeometry, ClosedFormsMatchBruteForceOnRandomShapes) {
  std::mt19937 rng(7);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int trial = 0; trial < 400; ++trial) {
    Workload w;
    w.seq_q = pick(1, 70);
    w.seq_kv = pick(1, 70);
    w.causal = pick(0, 1) == 1;
    if (pick(0, 2) == 0) w.window = pick(1, 40);
    const MaskGeometry m = mask_of(w);
    const std::int64_t bm = pick(1, 24);
    const std::int64_t bn = pick(1, 24);
    double elements = 0;
    const BlockCounts expected = brute_force(m, bm, bn, &elements);
    const BlockCounts got = count_blocks(m, bm, bn);
    SCOPED_TRACE(testing::Message() << "Nq=" << w.seq_q << " Nk=" << w.seq_kv << " causal=" << w.causal
                                    << " window=" << (w.window ? *w.window : 0) << " tile=" << bm << "x" << bn);
    EXPECT_EQ(visible_elements(m), elements);
    EXPECT_EQ(got.query_blocks, expected.query_blocks);
    EXPECT_EQ(got.active_query_blocks, expected.active_query_blocks);
    EXPECT_EQ(got.tiles, expected.tiles);
    EXPECT_EQ(got.kv_rows_loaded, expected.kv_rows_loaded);
  }
}

TEST(MaskGeometry, CausalSquareKeepsHalfPlusDiagonal) {
  Workload w;
  w.seq_q = w.seq_kv = 1000;
  w.causal = true;
  EXPECT_EQ(visible_elements(mask_of(w)), 1000.0 * 1001.0 / 2.0);
}

TEST(MaskGeometry, BillionTokensStayExactAndFinite) {
  Workload w;
  w.seq_q = w.seq_kv = 1'000'000'000;
  w.causal = true;
  const BlockCounts c = count_blocks(mask_of(w), 128, 64);
  // 7812500 query blocks; block m sees key blocks 0..2m+1: sum (2m+2) = Q(Q+1).
  EXPECT_EQ(c.tiles, 7812500.0 * 7812501.0);
  EXPECT_DOUBLE_EQ(visible_elements(mask_of(w)), 1e9 * (1e9 + 1) / 2.0);
}

}  // namespace
}  // namespace attnsim
