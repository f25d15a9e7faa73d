// One attention call: shapes, mask, dtype and pass. Dimension names follow docs/glossary.md:
// B batch, H query heads, Hkv key/value heads, Nq query length, Nk key/value length, d and dv head dims.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/dtype.h"

namespace attnsim {

enum class Pass { forward, backward, forward_backward };

std::string_view pass_name(Pass pass);
Pass parse_pass(std::string_view name);  // throws InvalidInput("pass", ...)

struct Workload {
  std::int64_t batch = 1;          // B
  std::int64_t heads = 32;         // H
  std::int64_t kv_heads = 32;      // Hkv, divides H (GQA/MQA)
  std::int64_t seq_q = 4096;       // Nq
  std::int64_t seq_kv = 4096;      // Nk
  std::int64_t head_dim = 128;     // d, of Q and K
  std::int64_t head_dim_v = 128;   // dv, of V and O
  bool causal = false;             // bottom-right aligned when Nq != Nk (FlashAttention >= 2.1)
  std::optional<std::int64_t> window;  // keys within `window` positions of the diagonal
  Dtype dtype = Dtype::bf16;
  Pass pass = Pass::forward;
};

// Largest sequence length accepted: tile counts stay exact in 64-bit integers up to here.
inline constexpr std::int64_t kMaxSeqLen = std::int64_t{1} << 40;

// Throws InvalidInput naming the first offending field.
void validate(const Workload& workload);

// Bytes of the call's own tensors (B, H, Nq, d) etc. Counted in double: B*H*N*d passes 2^63 easily.
double q_bytes(const Workload& w);   // (B, H, Nq, d)
double k_bytes(const Workload& w);   // (B, Hkv, Nk, d)
double v_bytes(const Workload& w);   // (B, Hkv, Nk, dv)
double o_bytes(const Workload& w);   // (B, H, Nq, dv)

// Bytes of one full (B, H, Nq, Nk) score matrix in the workload dtype: the O(N^2) tensor that
// materialized attention writes to HBM.
double score_matrix_bytes(const Workload& w);

}  // namespace attnsim
