// The float64 CPU reference every kernel is checked against: softmax(Q K^T / sqrt(d) + mask) V
// and the logsumexp, on the very bf16 inputs the GPU saw (widened exactly to double).
#pragma once

#include <cstdint>
#include <vector>

#include "attention_shape.h"

namespace attnsim::bench {

struct ReferenceAttention {
  std::vector<double> o;    // (B, H, Nq, d)
  std::vector<double> lse;  // (B, H, Nq), natural log; -inf for a row that sees no key
};

// q: (B, H, Nq, d); k, v: (B, Hkv, Nk, d); values as bf16 bit patterns.
ReferenceAttention reference_attention(const AttentionShape& shape, const std::vector<std::uint16_t>& q,
                                       const std::vector<std::uint16_t>& k, const std::vector<std::uint16_t>& v);

double bf16_bits_to_double(std::uint16_t bits);

}  // namespace attnsim::bench
