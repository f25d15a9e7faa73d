#include "model/mask_geometry.h"

#include <algorithm>
#include <utility>

namespace attnsim {
namespace {

__extension__ typedef __int128 Int128;

std::int64_t floor_div(std::int64_t num, std::int64_t den) {
  std::int64_t q = num / den;
  if ((num % den != 0) && ((num < 0) != (den < 0))) --q;
  return q;
}
std::int64_t ceil_div(std::int64_t num, std::int64_t den) { return -floor_div(-num, den); }

// sum_{i=0}^{n-1} floor((a*i + b) / m) for a, b >= 0, m > 0 (Euclid-like reduction, O(log)).
Int128 floor_sum(Int128 n, Int128 m, Int128 a, Int128 b) {
  Int128 total = 0;
  while (true) {
    if (a >= m) {
      total += n * (n - 1) / 2 * (a / m);
      a %= m;
    }
    if (b >= m) {
      total += n * (b / m);
      b %= m;
    }
    const Int128 y_max = a * n + b;
    if (y_max < m) break;
    n = y_max / m;
    b = y_max % m;
    std::swap(m, a);
  }
  return total;
}

// sum_{m=from}^{to} floor(clamp(a*m + b, lo, hi) / divisor), a > 0, 0 <= lo <= hi.
double sum_floor_clamped(std::int64_t from, std::int64_t to, std::int64_t a, std::int64_t b, std::int64_t lo,
                         std::int64_t hi, std::int64_t divisor) {
  if (from > to) return 0.0;
  const std::int64_t first_linear = std::max(from, ceil_div(lo - b, a));
  const std::int64_t first_capped = std::max(from, floor_div(hi - b, a) + 1);
  double total = 0.0;
  const std::int64_t low_count = std::max<std::int64_t>(0, std::min(to, first_linear - 1) - from + 1);
  total += double(low_count) * double(lo / divisor);
  const std::int64_t cap_count = std::max<std::int64_t>(0, to - first_capped + 1);
  total += double(cap_count) * double(hi / divisor);
  const std::int64_t lin_from = first_linear;
  const std::int64_t lin_to = std::min(to, first_capped - 1);
  if (lin_from <= lin_to) {
    total += double(floor_sum(lin_to - lin_from + 1, divisor, a, Int128(a) * lin_from + b));
  }
  return total;
}

// sum_{i=0}^{n-1} clamp(i + offset, 0, cap)
double sum_clamped_linear(std::int64_t n, std::int64_t offset, std::int64_t cap) {
  const std::int64_t i0 = std::clamp<std::int64_t>(-offset, 0, n);
  const std::int64_t i1 = std::clamp<std::int64_t>(cap - offset, i0, n);
  const double linear = double(i1 - i0) * (double(i0 + offset) + double(i1 - 1 + offset)) / 2.0;
  return linear + double(n - i1) * double(cap);
}

}  // namespace

MaskGeometry mask_of(const Workload& w) {
  MaskGeometry mask{w.seq_q, w.seq_kv, std::nullopt, std::nullopt};
  const std::int64_t diagonal = w.seq_kv - w.seq_q;
  if (w.causal) mask.hi_offset = diagonal;
  if (w.window) {
    mask.lo_offset = diagonal - *w.window + 1;
    if (!w.causal) mask.hi_offset = diagonal + *w.window - 1;
  }
  return mask;
}

double visible_elements(const MaskGeometry& mask) {
  const std::int64_t nq = mask.seq_q;
  const std::int64_t nk = mask.seq_kv;
  // Row i sees [B_i, A_i) with A_i = clamp(i + hi + 1, 0, Nk), B_i = clamp(i + lo, 0, Nk); A_i >= B_i.
  const double upper = mask.hi_offset ? sum_clamped_linear(nq, *mask.hi_offset + 1, nk) : double(nq) * double(nk);
  const double lower = mask.lo_offset ? sum_clamped_linear(nq, *mask.lo_offset, nk) : 0.0;
  return upper - lower;
}

double visible_key_rows(const MaskGeometry& mask) {
  // One query block holding every query row, one-row key blocks: the union of visible keys.
  return count_blocks(mask, mask.seq_q, 1).kv_rows_loaded;
}

BlockCounts count_blocks(const MaskGeometry& mask, std::int64_t block_m, std::int64_t block_n) {
  const std::int64_t nq = mask.seq_q;
  const std::int64_t nk = mask.seq_kv;
  const std::int64_t bm = block_m;
  const std::int64_t bn = block_n;
  const std::int64_t query_blocks = ceil_div(nq, bm);
  const std::int64_t key_blocks = ceil_div(nk, bn);
  BlockCounts counts;
  counts.query_blocks = double(query_blocks);

  // Query block m spans rows [m*bm, (m+1)*bm - 1]; its last row's highest key is
  // (m+1)*bm - 1 + hi and its first row's lowest key is m*bm + lo. Rows past Nq-1 in the last
  // block only reach keys past Nk-1, which the clamp removes, so the linear form stays exact.
  const std::int64_t hi_intercept = mask.hi_offset ? bm - 1 + *mask.hi_offset : 0;
  std::int64_t m_first = 0;
  std::int64_t m_last = query_blocks - 1;
  if (mask.hi_offset) m_first = std::max<std::int64_t>(0, ceil_div(-hi_intercept, bm));
  if (mask.lo_offset) m_last = std::min(m_last, floor_div(nk - 1 - *mask.lo_offset, bm));
  if (m_first > m_last) return counts;
  const std::int64_t active = m_last - m_first + 1;

  const double last_block_sum = mask.hi_offset
                                    ? sum_floor_clamped(m_first, m_last, bm, hi_intercept, 0, nk - 1, bn)
                                    : double(active) * double((nk - 1) / bn);
  const double first_block_sum =
      mask.lo_offset ? sum_floor_clamped(m_first, m_last, bm, *mask.lo_offset, 0, nk - 1, bn) : 0.0;

  // Query blocks whose last key block is the (possibly partial) final one.
  std::int64_t reach_end = active;
  if (mask.hi_offset) {
    const std::int64_t m_reach = std::max(m_first, ceil_div((key_blocks - 1) * bn - hi_intercept, bm));
    reach_end = std::max<std::int64_t>(0, m_last - m_reach + 1);
  }
  const double missing_rows_in_last_block = double(key_blocks * bn - nk);

  counts.active_query_blocks = double(active);
  counts.tiles = last_block_sum - first_block_sum + double(active);
  counts.kv_rows_loaded = double(bn) * (last_block_sum + double(active) - first_block_sum) -
                          missing_rows_in_last_block * double(reach_end);
  return counts;
}

}  // namespace attnsim
