// Whole blocks of work: how many tiles, CTAs or loop iterations cover an extent.
#pragma once

#include <cmath>
#include <cstdint>

namespace attnsim {

// a >= 0, b > 0.
constexpr std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
// In double where the counts multiply into products that would overflow 64 bits at 10^9 tokens.
inline double ceil_div(double a, double b) { return std::ceil(a / b); }
inline double align_up(double a, double b) { return ceil_div(a, b) * b; }

}  // namespace attnsim
