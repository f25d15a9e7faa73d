// "Standard attention" as the FlashAttention papers benchmark it (Dao-AILab/flash-attention
// benchmarks/benchmark_flash_attention.py, `attention_pytorch`): packed qkv, Q and K^T rearranged
// into copies, baddbmm with the softmax scale as alpha (no separate scaling pass), for causal an
// fp32 (N, N) mask built with full + triu on every call, cast and added in the input dtype,
// softmax in the input dtype (no fp32 scores), dropout at p = 0 (no kernel), and an einsum with V
// that copies V into the batched-GEMM layout (the benchmark: multi-head, causal or not; grouped
// K/V heads and windows are priced as the same chain would run them). Fewer and narrower passes than Hugging Face eager
// (fp32 softmax, separate scale): this is the baseline the papers' speedups are quoted against.
#include <algorithm>
#include <vector>

#include "model/efficiency.h"
#include "model/error.h"
#include "model/materialized.h"
#include "model/tiled_attention.h"
#include "model/variant.h"

namespace attnsim {
namespace {

constexpr double kFp32MaskBytes = 4.0;  // torch.full's default dtype

void require_a_matmul_dtype(const Workload& w) {
  if (w.dtype == Dtype::fp8_e4m3) {
    throw InvalidInput("dtype",
                       "standard runs torch.baddbmm, which has no fp8-e4m3 path; allowed: fp32, tf32, fp16, bf16");
  }
}

// The benchmark is multi-head with a causal mask only; beyond it, grouped K/V heads are expanded to
// H heads by the layout copies (as `repeat` would) and a window is one more mask pass (tril).
struct StandardShapes {
  double scores;      // (B, H, Nq, Nk), masked positions included
  double e;           // element bytes of the input dtype, which the scores and softmax keep
  double mask_cells;  // (Nq, Nk) additive mask, broadcast over batch and heads
  double group;       // H / Hkv: the rearranged K and V copies hold every query head's
};

void add_forward(const Workload& w, const Gpu& gpu, const Efficiency& eff, const StandardShapes& s, Cost& cost) {
  const bool tensor_cores = w.dtype != Dtype::fp32;
  const Efficiency gemm_eff = library_gemm_efficiency(gpu, tensor_cores);
  const double d = double(w.head_dim);
  const double dv = double(w.head_dim_v);
  std::vector<KernelCost>& ks = cost.kernels;
  const auto permute_copy = [&](const char* name, double read_bytes, double write_bytes) {
    return element_bound_kernel(name, write_bytes / s.e, read_bytes, write_bytes, ElementBoundPath::permute_copy, gpu,
                                eff);
  };
  ks.push_back(permute_copy("rearrange q -> (b h) t d", q_bytes(w), q_bytes(w)));
  const double k_heads = k_bytes(w) * s.group;
  const double v_heads = v_bytes(w) * s.group;
  ks.push_back(permute_copy("rearrange k -> (b h) d s", k_bytes(w), k_heads));
  ks.push_back(gemm_kernel("baddbmm(q, k^T, alpha = scale)", 2.0 * s.scores * d, q_bytes(w) + k_heads, s.scores * s.e,
                           tensor_cores, w.dtype, gemm_eff));
  if (s.mask_cells > 0) {
    ks.push_back(elementwise_kernel("full((N, N), -1e4) fp32", s.mask_cells, 0.0, kFp32MaskBytes, 0.0, eff));
    ks.push_back(elementwise_kernel("triu(1)", s.mask_cells, kFp32MaskBytes, kFp32MaskBytes, 1.0, eff));
    if (w.window) {
      ks.push_back(elementwise_kernel("tril(-window)", s.mask_cells, kFp32MaskBytes, kFp32MaskBytes, 1.0, eff));
    }
    ks.push_back(elementwise_kernel("mask.to(dtype)", s.mask_cells, kFp32MaskBytes, s.e, 1.0, eff));
    // The mask broadcasts over batch and heads: read once unless it leaves L2 between heads.
    const double mask_bytes = s.mask_cells * s.e;
    const double mask_reads =
        mask_bytes <= gpu.l2_bytes_read_by_every_sm() ? mask_bytes : mask_bytes * double(w.batch) * double(w.heads);
    KernelCost add = element_bound_kernel("scores + mask", s.scores, s.scores * s.e, s.scores * s.e,
                                          ElementBoundPath::broadcast_add, gpu, eff);
    add.hbm_read_bytes += mask_reads;
    add.l2_read_bytes += mask_bytes * double(w.batch) * double(w.heads);
    ks.push_back(add);
  }
  ks.push_back(softmax_forward_kernel("softmax (input dtype)", s.scores, double(w.seq_kv), s.e, s.e, gpu, eff));
  ks.push_back(permute_copy("einsum: v -> (b h) s d", v_bytes(w), v_heads));
  ks.push_back(gemm_kernel("einsum: P v", 2.0 * s.scores * dv, s.scores * s.e + v_heads, o_bytes(w), tensor_cores,
                           w.dtype, gemm_eff));
}

// Autograd's kernels for the graph above: the einsum's two GEMMs (dO first copied into the
// batched layout), softmax backward in the input dtype, baddbmm's two GEMMs each followed by its
// `* alpha`, and unbind's backward stacking dQ, dK, dV into the packed gradient.
void add_backward(const Workload& w, const Gpu& gpu, const Efficiency& eff, const StandardShapes& s, Cost& cost) {
  const bool tensor_cores = w.dtype != Dtype::fp32;
  const Efficiency gemm_eff = library_gemm_efficiency(gpu, tensor_cores);
  const double d = double(w.head_dim);
  const double dv = double(w.head_dim_v);
  const double qkv = q_bytes(w) + k_bytes(w) + v_bytes(w);
  const double k_heads = k_bytes(w) * s.group;
  const double v_heads = v_bytes(w) * s.group;
  std::vector<KernelCost>& ks = cost.kernels;
  ks.push_back(element_bound_kernel("einsum backward: dO -> (b h) t d", o_bytes(w) / s.e, o_bytes(w), o_bytes(w),
                                    ElementBoundPath::permute_copy, gpu, eff));
  ks.push_back(gemm_kernel("dP = dO v^T", 2.0 * s.scores * dv, o_bytes(w) + v_heads, s.scores * s.e, tensor_cores,
                           w.dtype, gemm_eff));
  ks.push_back(gemm_kernel("dv = P^T dO", 2.0 * s.scores * dv, s.scores * s.e + o_bytes(w), v_heads, tensor_cores,
                           w.dtype, gemm_eff));
  for (KernelCost& k : softmax_backward_kernels("softmax backward (input dtype)", s.scores, s.e, eff)) {
    ks.push_back(std::move(k));
  }
  ks.push_back(gemm_kernel("dq = dS k", 2.0 * s.scores * d, s.scores * s.e + k_heads, q_bytes(w), tensor_cores, w.dtype,
                           gemm_eff));
  ks.push_back(elementwise_kernel("dq * alpha", 1.0, q_bytes(w), q_bytes(w), 0.0, eff));
  ks.push_back(gemm_kernel("dk = q^T dS", 2.0 * s.scores * d, s.scores * s.e + q_bytes(w), k_heads, tensor_cores,
                           w.dtype, gemm_eff));
  ks.push_back(elementwise_kernel("dk * alpha", 1.0, k_heads, k_heads, 0.0, eff));
  // The expanded dK, dV summed back to Hkv heads on the way into the packed gradient.
  ks.push_back(
      elementwise_kernel("unbind backward: stack dq, dk, dv", 1.0, q_bytes(w) + k_heads + v_heads, qkv, 0.0, eff));
}

Cost standard_cost(const Workload& w, const Gpu& gpu, const VariantKnobs& /*knobs*/) {
  require_a_matmul_dtype(w);
  const Efficiency eff = materialized_step_efficiency(gpu, "standard");
  StandardShapes s;
  s.scores = full_score_elements(w);
  s.e = element_bytes(w.dtype);
  s.mask_cells = (w.causal || w.window) ? double(w.seq_q) * double(w.seq_kv) : 0.0;
  s.group = double(w.heads / w.kv_heads);
  const double masks = s.mask_cells * (2.0 * kFp32MaskBytes + s.e);
  const double layout_copies = q_bytes(w) + (k_bytes(w) + v_bytes(w)) * s.group;
  const double qkvo = q_bytes(w) + k_bytes(w) + v_bytes(w) + o_bytes(w);

  Cost cost;
  cost.model_flops = pass_model_flops(w);
  cost.io_bytes = qkvo;
  if (w.pass != Pass::backward) {
    add_forward(w, gpu, eff, s, cost);
    cost.compulsory_read_bytes += q_bytes(w) + k_bytes(w) + v_bytes(w);
    cost.compulsory_write_bytes += o_bytes(w);
    // Two score-sized tensors at once: each step's input and output (scores and scores + mask,
    // then the sum and the softmax).
    cost.workspace_bytes = layout_copies + masks + 2.0 * s.scores * s.e;
  }
  if (w.pass != Pass::forward) {
    add_backward(w, gpu, eff, s, cost);
    cost.compulsory_read_bytes += qkvo;
    cost.compulsory_write_bytes += q_bytes(w) + k_bytes(w) + v_bytes(w);
    cost.io_bytes = 2.0 * qkvo;
    // Softmax backward holds the saved probabilities, dP and dS.
    cost.workspace_bytes = std::max(cost.workspace_bytes, layout_copies + o_bytes(w) + 3.0 * s.scores * s.e);
  }
  cost.framework_operators = double(cost.kernels.size());
  return cost;
}

}  // namespace

Variant standard_variant() {
  return {"standard",
          "The FlashAttention papers' PyTorch baseline: scale fused into baddbmm, softmax in the input dtype, "
          "(B,H,N,N) scores in HBM",
          "O(N^2)",
          {},
          "Dao-AILab/flash-attention benchmarks/benchmark_flash_attention.py attention_pytorch; "
          "cuBLAS GEMM and softmax efficiency measured (validate/data/h200/mechanisms/microbench.csv)",
          standard_cost};
}

}  // namespace attnsim
