// The longest context that fits: memory grows monotonically with N (every part is a non-decreasing
// function of N), so bisection over N finds the largest N whose peak is within the capacity.
#pragma once

#include <cstdint>

#include "capacity/memory.h"

namespace attnsim::capacity {

struct LongestContext {
  std::int64_t tokens = 0;   // 0: not even one token fits (the weights alone may not)
  bool unbounded = false;    // fits at the largest length the model accepts (2^40): state independent of N
  MemoryBreakdown at;        // the breakdown at `tokens` (at 1 token when none fits)
  MemoryBreakdown one_more;  // at tokens + 1: above the capacity unless unbounded
};

// Capacity in bytes; usually gpu.memory_capacity_bytes.
LongestContext longest_context(const ModelConfig& model, const Gpu& gpu, const Scenario& scenario,
                               double capacity_bytes);

}  // namespace attnsim::capacity
