#include "capacity/longest_context.h"

#include "model/workload.h"

namespace attnsim::capacity {

LongestContext longest_context(const ModelConfig& m, const Gpu& gpu, const Scenario& scenario, double capacity_bytes) {
  auto at = [&](std::int64_t n) {
    Scenario s = scenario;
    s.context = n;
    return memory_at(m, gpu, s);
  };
  LongestContext result;
  MemoryBreakdown low = at(1);
  if (low.total_bytes > capacity_bytes) {
    result.at = low;
    result.one_more = at(2);
    return result;
  }
  MemoryBreakdown high = at(kMaxSeqLen);
  if (high.total_bytes <= capacity_bytes) {
    result.tokens = kMaxSeqLen;
    result.unbounded = true;
    result.at = high;
    result.one_more = high;
    return result;
  }
  std::int64_t lo = 1;           // fits
  std::int64_t hi = kMaxSeqLen;  // does not fit
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    MemoryBreakdown b = at(mid);
    if (b.total_bytes <= capacity_bytes) {
      lo = mid;
      low = std::move(b);
    } else {
      hi = mid;
      high = std::move(b);
    }
  }
  result.tokens = lo;
  result.at = low;
  result.one_more = high;
  return result;
}

}  // namespace attnsim::capacity
