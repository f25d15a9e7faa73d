// One attention call's shape in attnsim's vocabulary (docs/glossary.md): B, H query heads, Hkv
// key/value heads, Nq queries, Nk keys, d = dv head dim. Tensors are contiguous (B, H, N, d) bf16.
// Causal masks are bottom-right aligned, as in attnsim and FlashAttention-2: query i sees key j
// iff j <= i + (Nk - Nq).
#pragma once

#include <cstdint>
#include <string>

namespace attnsim::bench {

struct AttentionShape {
  std::int64_t batch = 1;
  std::int64_t heads = 32;
  std::int64_t kv_heads = 32;
  std::int64_t seq_q = 4096;
  std::int64_t seq_kv = 4096;
  std::int64_t head_dim = 128;  // d of Q and K, and dv of V and O (the kernels take d = dv)
  bool causal = false;

  std::int64_t group() const { return heads / kv_heads; }  // query heads per key/value head
  std::int64_t q_elements() const { return batch * heads * seq_q * head_dim; }
  std::int64_t kv_elements() const { return batch * kv_heads * seq_kv * head_dim; }  // K or V
  std::int64_t o_elements() const { return q_elements(); }
  std::int64_t score_elements() const { return batch * heads * seq_q * seq_kv; }
  std::string describe() const;  // "B=1 H=32 Hkv=8 Nq=1 Nk=4096 d=128 causal"
};

// Throws std::invalid_argument naming the option, for shapes no kernel here accepts.
void validate_shape(const AttentionShape& shape);

// Scale of the scores, 1/sqrt(d), as every backend here and PyTorch use.
double softmax_scale(const AttentionShape& shape);

}  // namespace attnsim::bench
