#include "model/workload.h"

#include <string>

#include "model/error.h"

namespace attnsim {
namespace {

void require_positive(std::int64_t value, const char* field) {
  if (value < 1) {
    throw InvalidInput(field, "must be a positive integer (got " + std::to_string(value) + ")");
  }
}

void require_seq(std::int64_t value, const char* field) {
  require_positive(value, field);
  if (value > kMaxSeqLen) {
    throw InvalidInput(field, "must be at most 2^40 = " + std::to_string(kMaxSeqLen) + " tokens (got " +
                                  std::to_string(value) + ")");
  }
}

}  // namespace

std::string_view pass_name(Pass pass) {
  switch (pass) {
    case Pass::forward:
      return "forward";
    case Pass::backward:
      return "backward";
    case Pass::forward_backward:
      return "forward+backward";
  }
  return "?";
}

Pass parse_pass(std::string_view name) {
  if (name == "forward" || name == "fwd") return Pass::forward;
  if (name == "backward" || name == "bwd") return Pass::backward;
  if (name == "forward+backward" || name == "fwd+bwd") return Pass::forward_backward;
  throw InvalidInput("pass", "unknown pass '" + std::string(name) + "'; allowed: forward, backward, forward+backward");
}

void validate(const Workload& w) {
  require_positive(w.batch, "batch");
  require_positive(w.heads, "heads");
  require_positive(w.kv_heads, "kv-heads");
  if (w.heads % w.kv_heads != 0) {
    throw InvalidInput("kv-heads", "must divide --heads (got heads " + std::to_string(w.heads) + ", kv-heads " +
                                       std::to_string(w.kv_heads) + ")");
  }
  require_seq(w.seq_kv, "seq");
  require_seq(w.seq_q, "seq-q");
  require_positive(w.head_dim, "head-dim");
  require_positive(w.head_dim_v, "head-dim-v");
  constexpr std::int64_t kMaxHeadDim = 1024;
  if (w.head_dim > kMaxHeadDim || w.head_dim_v > kMaxHeadDim) {
    throw InvalidInput(w.head_dim > kMaxHeadDim ? "head-dim" : "head-dim-v",
                       "must be at most 1024 (no attention kernel tiles larger heads)");
  }
  if (w.window) require_seq(*w.window, "window");
}

double q_bytes(const Workload& w) {
  return double(w.batch) * double(w.heads) * double(w.seq_q) * double(w.head_dim) * element_bytes(w.dtype);
}
double k_bytes(const Workload& w) {
  return double(w.batch) * double(w.kv_heads) * double(w.seq_kv) * double(w.head_dim) * element_bytes(w.dtype);
}
double v_bytes(const Workload& w) {
  return double(w.batch) * double(w.kv_heads) * double(w.seq_kv) * double(w.head_dim_v) * element_bytes(w.dtype);
}
double o_bytes(const Workload& w) {
  return double(w.batch) * double(w.heads) * double(w.seq_q) * double(w.head_dim_v) * element_bytes(w.dtype);
}
double score_matrix_bytes(const Workload& w) {
  return double(w.batch) * double(w.heads) * double(w.seq_q) * double(w.seq_kv) * element_bytes(w.dtype);
}

}  // namespace attnsim
