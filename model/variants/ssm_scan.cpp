// Mamba-2 SSD chunked scan (Dao & Gu 2024, arXiv 2405.21060; mamba_ssm ssd_combined.py
// _mamba_chunk_scan_combined_fwd): five kernels, each linear in the sequence length T. The layer
// is sized to match the attention workload it replaces: d_model = heads * head_dim,
// d_inner = expansion * d_model, SSM heads = d_inner / ssm head dim, one B/C group.
#include <string>

#include "model/efficiency.h"
#include "model/error.h"
#include "model/materialized.h"
#include "model/variant.h"

namespace attnsim {
namespace {

// No published utilization for the Triton SSD kernels; half of the tensor peak is assumed until
// validate/ measures it. These kernels are mostly memory bound at the default shape anyway.
const std::vector<ArchEfficiency> kEfficiency = {
    {"sm80", {0.5, 1.0, 1.0, "assumed (no published utilization for the Triton SSD kernels)"}},
};

constexpr double kFp32Bytes = 4.0;

void require_shape(const SsmShape& s) {
  auto positive = [](std::int64_t v, const char* field) {
    if (v < 1) throw InvalidInput(field, "must be a positive integer (got " + std::to_string(v) + ")");
  };
  positive(s.state_size, "ssm-state");
  positive(s.chunk_length, "ssm-chunk");
  positive(s.expansion, "ssm-expand");
  positive(s.head_dim, "ssm-head-dim");
}

Cost ssm_scan_cost(const Workload& w, const Gpu& gpu, const VariantKnobs& knobs) {
  const SsmShape& s = knobs.ssm;
  require_shape(s);
  if (w.seq_q != w.seq_kv) throw InvalidInput("seq-q", "ssm-scan has one sequence length; --seq-q must equal --seq");
  if (w.pass != Pass::forward) throw InvalidInput("pass", "ssm-scan models the forward scan only; allowed: forward");
  if (w.dtype == Dtype::fp8_e4m3) throw InvalidInput("dtype", "ssm-scan supports fp32, tf32, fp16, bf16");
  const double d_inner = double(s.expansion) * double(w.heads) * double(w.head_dim);
  if (std::int64_t(d_inner) % s.head_dim != 0) {
    throw InvalidInput("ssm-head-dim", "must divide expansion * heads * head-dim = " + std::to_string(std::int64_t(d_inner)));
  }
  const Efficiency eff = efficiency_for(gpu, "ssm-scan", kEfficiency);
  const double e = element_bytes(w.dtype);
  const double b = double(w.batch);
  const double t = double(w.seq_kv);
  const double q = double(s.chunk_length);
  const double n = double(s.state_size);
  const double p = double(s.head_dim);
  const double h = d_inner / p;
  const double chunks = std::ceil(t / q);
  const Dtype math = w.dtype == Dtype::fp32 ? Dtype::tf32 : w.dtype;

  const double x_bytes = b * t * d_inner * e;        // (B, T, h, P)
  const double bc_bytes = b * t * n * e;             // B or C: (B, T, 1, N)
  const double dt_bytes = b * t * h * e;             // (B, T, h)
  const double cumsum_bytes = b * h * t * kFp32Bytes;  // dA_cumsum and dt, (B, h, chunks, Q) fp32
  const double states_bytes = b * chunks * h * p * n * kFp32Bytes;  // chunk_state output, (B, chunks, h, P, N) fp32
  const double passed_states_bytes = b * chunks * h * p * n * e;     // state_passing output, in C's dtype
  const double cb_bytes = b * chunks * q * q * kFp32Bytes;          // (B, chunks, 1, Q, Q)

  Cost cost;
  // The scan is causal by construction (each state sums the tokens before it) and has no window.
  cost.modelled_mask = Cost::Mask{true, std::nullopt};
  auto& ks = cost.kernels;
  ks.push_back(elementwise_kernel("chunk_cumsum", 1.0, dt_bytes, 2.0 * cumsum_bytes, b * t * h * 4.0, eff));
  ks.push_back(gemm_kernel("chunk_state: B^T x per chunk", 2.0 * b * t * h * p * n, x_bytes + bc_bytes + 2.0 * cumsum_bytes,
                           states_bytes, true, math, eff));
  ks.push_back(elementwise_kernel("state_passing", 1.0, states_bytes + cumsum_bytes / q, passed_states_bytes,
                                  2.0 * b * chunks * h * p * n, eff));
  ks.push_back(gemm_kernel("bmm_chunk: C B^T", 2.0 * b * t * q * n, 2.0 * bc_bytes, cb_bytes, true, math, eff));
  // chunk_scan: (L o CB) x inside each chunk (causal, half of the Q x Q block) plus C * states.
  KernelCost scan = gemm_kernel("chunk_scan", 2.0 * b * t * h * (q / 2.0) * p + 2.0 * b * t * h * n * p,
                                cb_bytes + x_bytes + bc_bytes + passed_states_bytes + 2.0 * cumsum_bytes, x_bytes, true, math, eff);
  scan.exp_ops = b * t * h * q / 2.0;
  ks.push_back(scan);

  // Useful FLOPs of the SSD algorithm: the matmuls above.
  for (const KernelCost& k : ks) cost.model_flops += k.tensor_flops;
  cost.compulsory_read_bytes = x_bytes + 2.0 * bc_bytes + dt_bytes;
  cost.compulsory_write_bytes = x_bytes;
  cost.io_bytes = 2.0 * x_bytes + 2.0 * bc_bytes + dt_bytes;
  cost.workspace_bytes = 2.0 * cumsum_bytes + states_bytes + passed_states_bytes + cb_bytes;
  cost.notes.push_back("ssm-scan layer: d_inner " + std::to_string(std::int64_t(d_inner)) + ", " +
                       std::to_string(std::int64_t(h)) + " SSM heads of " + std::to_string(s.head_dim) + ", state " +
                       std::to_string(s.state_size) + ", chunk " + std::to_string(s.chunk_length));
  return cost;
}

}  // namespace

Variant ssm_scan_variant() {
  return {"ssm-scan",
          "Mamba-2 SSD chunked scan sized like the attention layer (d_inner = expand * heads * head_dim)",
          "O(N)",
          {"--ssm-state", "--ssm-chunk", "--ssm-expand", "--ssm-head-dim"},
          "arXiv 2405.21060; mamba_ssm modules/mamba2.py defaults and ops/triton/ssd_combined.py kernels",
          ssm_scan_cost};
}

}  // namespace attnsim
