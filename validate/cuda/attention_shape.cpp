#include "attention_shape.h"

#include <cmath>
#include <stdexcept>

namespace attnsim::bench {

std::string AttentionShape::describe() const {
  return "B=" + std::to_string(batch) + " H=" + std::to_string(heads) + " Hkv=" + std::to_string(kv_heads) +
         " Nq=" + std::to_string(seq_q) + " Nk=" + std::to_string(seq_kv) + " d=" + std::to_string(head_dim) +
         (causal ? " causal" : "");
}

void validate_shape(const AttentionShape& s) {
  auto fail = [](const char* option, const std::string& why) {
    throw std::invalid_argument(std::string("--") + option + ": " + why);
  };
  if (s.batch < 1) fail("batch", "must be >= 1");
  if (s.heads < 1) fail("heads", "must be >= 1");
  if (s.kv_heads < 1 || s.heads % s.kv_heads != 0) fail("kv-heads", "must be >= 1 and divide --heads");
  if (s.seq_q < 1) fail("seq-q", "must be >= 1");
  if (s.seq_kv < 1) fail("seq", "must be >= 1");
  if (s.head_dim != 64 && s.head_dim != 128) fail("head-dim", "must be 64 or 128");
  // With Nq > Nk the first Nq - Nk queries would see no key at all under a bottom-right mask.
  if (s.causal && s.seq_q > s.seq_kv) fail("causal", "needs --seq-q <= --seq (bottom-right aligned mask)");
  // The fused kernels index one head's rows with 32-bit integers.
  if (s.seq_q > (std::int64_t{1} << 30) || s.seq_kv > (std::int64_t{1} << 30)) fail("seq", "must be < 2^30");
  if (s.batch * s.heads > 65535) fail("batch", "B*H must be <= 65535 (grid y dimension)");
}

double softmax_scale(const AttentionShape& shape) { return 1.0 / std::sqrt(static_cast<double>(shape.head_dim)); }

}  // namespace attnsim::bench
