#include "cpu_reference.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace attnsim::bench {

double bf16_bits_to_double(std::uint16_t bits) {
  const std::uint32_t widened = static_cast<std::uint32_t>(bits) << 16;  // bf16 is the top half of an fp32
  float value = 0;
  std::memcpy(&value, &widened, sizeof value);
  return value;
}

ReferenceAttention reference_attention(const AttentionShape& s, const std::vector<std::uint16_t>& q_bits,
                                       const std::vector<std::uint16_t>& k_bits,
                                       const std::vector<std::uint16_t>& v_bits) {
  auto widen = [](const std::vector<std::uint16_t>& bits) {
    std::vector<double> out(bits.size());
    std::transform(bits.begin(), bits.end(), out.begin(), bf16_bits_to_double);
    return out;
  };
  const std::vector<double> q = widen(q_bits), k = widen(k_bits), v = widen(v_bits);
  const std::int64_t d = s.head_dim;
  const double scale = softmax_scale(s);
  ReferenceAttention ref;
  ref.o.assign(static_cast<std::size_t>(s.o_elements()), 0.0);
  ref.lse.assign(static_cast<std::size_t>(s.batch * s.heads * s.seq_q), -std::numeric_limits<double>::infinity());
  std::vector<double> scores(static_cast<std::size_t>(s.seq_kv));
  for (std::int64_t b = 0; b < s.batch; ++b) {
    for (std::int64_t h = 0; h < s.heads; ++h) {
      const std::int64_t kv_head = b * s.kv_heads + h / s.group();
      const double* kh = k.data() + kv_head * s.seq_kv * d;
      const double* vh = v.data() + kv_head * s.seq_kv * d;
      for (std::int64_t i = 0; i < s.seq_q; ++i) {
        const std::int64_t row = (b * s.heads + h) * s.seq_q + i;
        const double* qi = q.data() + row * d;
        // Bottom-right causal: key j is visible iff j <= i + (Nk - Nq).
        const std::int64_t visible = s.causal ? std::min(s.seq_kv, i + (s.seq_kv - s.seq_q) + 1) : s.seq_kv;
        if (visible <= 0) continue;
        double max_score = -std::numeric_limits<double>::infinity();
        for (std::int64_t j = 0; j < visible; ++j) {
          double dot = 0;
          for (std::int64_t c = 0; c < d; ++c) dot += qi[c] * kh[j * d + c];
          scores[static_cast<std::size_t>(j)] = dot * scale;
          max_score = std::max(max_score, scores[static_cast<std::size_t>(j)]);
        }
        double sum = 0;
        for (std::int64_t j = 0; j < visible; ++j) {
          scores[static_cast<std::size_t>(j)] = std::exp(scores[static_cast<std::size_t>(j)] - max_score);
          sum += scores[static_cast<std::size_t>(j)];
        }
        double* oi = ref.o.data() + row * d;
        for (std::int64_t j = 0; j < visible; ++j) {
          const double p = scores[static_cast<std::size_t>(j)] / sum;
          for (std::int64_t c = 0; c < d; ++c) oi[c] += p * vh[j * d + c];
        }
        ref.lse[static_cast<std::size_t>(row)] = max_score + std::log(sum);
      }
    }
  }
  return ref;
}

}  // namespace attnsim::bench
