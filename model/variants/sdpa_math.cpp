// PyTorch SDPA math backend (aten/src/ATen/native/transformers/attention.cpp,
// _scaled_dot_product_attention_math, PyTorch >= 2.5): fp16/bf16 inputs upcast to fp32, q and k
// each scaled by sqrt(scale), causal mask built as an (Nq, Nk) bool tril then an fp32 additive mask,
// fp32 matmuls (TF32 off by default, so on CUDA cores; --allow-tf32 puts them on tensor cores),
// _safe_softmax, output cast back.
#include <algorithm>
#include <vector>

#include "model/efficiency.h"
#include "model/error.h"
#include "model/materialized.h"
#include "model/tiled_attention.h"
#include "model/variant.h"

namespace attnsim {
namespace {

constexpr double kFp32Bytes = 4.0;
constexpr double kBoolBytes = 1.0;

Cost sdpa_math_cost(const Workload& w, const Gpu& gpu, const VariantKnobs& knobs) {
  if (w.dtype == Dtype::fp8_e4m3) {
    throw InvalidInput("dtype", "sdpa-math has no fp8-e4m3 path; allowed: fp32, tf32, fp16, bf16");
  }
  const Efficiency eff = materialized_step_efficiency(gpu, "sdpa-math");
  const double e = element_bytes(w.dtype);
  const bool upcast = e != kFp32Bytes;
  const double widen = kFp32Bytes / e;
  const double scores = full_score_elements(w);
  const double d = double(w.head_dim);
  const double dv = double(w.head_dim_v);
  const bool tensor_cores = w.dtype == Dtype::tf32 || knobs.allow_tf32;
  const Efficiency gemm_eff = library_gemm_efficiency(gpu, tensor_cores);
  const Dtype math_dtype = tensor_cores ? Dtype::tf32 : Dtype::fp32;
  const double q32 = q_bytes(w) * widen;
  const double k32 = k_bytes(w) * widen;
  const double v32 = v_bytes(w) * widen;
  const double group = double(w.heads / w.kv_heads);

  Cost cost;
  cost.model_flops = pass_model_flops(w);
  cost.io_bytes = q_bytes(w) + k_bytes(w) + v_bytes(w) + o_bytes(w);
  std::vector<KernelCost> ks;
  if (upcast) {
    ks.push_back(element_bound_kernel("q.to(float32)", q_bytes(w) / e, q_bytes(w), q32, ElementBoundPath::widening_copy,
                                      gpu, eff));
    ks.push_back(element_bound_kernel("k.to(float32)", k_bytes(w) / e, k_bytes(w), k32, ElementBoundPath::widening_copy,
                                      gpu, eff));
    ks.push_back(element_bound_kernel("v.to(float32)", v_bytes(w) / e, v_bytes(w), v32, ElementBoundPath::widening_copy,
                                      gpu, eff));
  }
  ks.push_back(elementwise_kernel("q * sqrt(scale)", 1.0, q32, q32, 0.0, eff));
  // GQA: K and V are expanded first; the scale multiplies the expanded key inside matmul's argument.
  double expanded_kv = 0.0;
  if (group > 1) {
    expanded_kv = (k32 + v32) * group;
    ks.push_back(elementwise_kernel("repeat_interleave K, V", 1.0, k32 + v32, expanded_kv, 0.0, eff));
  }
  const double k_in = group > 1 ? k32 * group : k32;
  const double v_in = group > 1 ? v32 * group : v32;
  ks.push_back(elementwise_kernel("k^T * sqrt(scale)", 1.0, k_in, k_in, 0.0, eff));
  const bool masked = w.causal || w.window;
  // The additive fp32 (Nq, Nk) mask, built from a bool one.
  const double mask_elements = masked ? double(w.seq_q) * double(w.seq_kv) : 0.0;
  const double mask32 = mask_elements * kFp32Bytes;
  if (masked) {
    ks.push_back(elementwise_kernel("ones(L,S,bool).tril()", mask_elements, 0.0, kBoolBytes, 0.0, eff));
    ks.push_back(elementwise_kernel("bool mask -> fp32 additive", mask_elements, kBoolBytes, kFp32Bytes, 1.0, eff));
  }
  ks.push_back(gemm_kernel("matmul q k^T (fp32)", 2.0 * scores * d, q32 + k_in, scores * kFp32Bytes, tensor_cores,
                           math_dtype, gemm_eff));
  if (masked) {
    KernelCost add = element_bound_kernel("attn.add_(mask)", scores, scores * kFp32Bytes, scores * kFp32Bytes,
                                          ElementBoundPath::broadcast_add, gpu, eff);
    add.hbm_read_bytes +=
        mask32 <= gpu.l2_bytes_read_by_every_sm() ? mask32 : mask32 * double(w.batch) * double(w.heads);
    ks.push_back(add);
  }
  // _safe_softmax = softmax, then self.eq(-inf), all(dim), where(all masked, 0, out).
  ks.push_back(
      softmax_forward_kernel("_safe_softmax: softmax", scores, double(w.seq_kv), kFp32Bytes, kFp32Bytes, gpu, eff));
  ks.push_back(elementwise_kernel("_safe_softmax: eq(-inf)", scores, kFp32Bytes, kBoolBytes, 1.0, eff));
  ks.push_back(elementwise_kernel("_safe_softmax: all(dim)", scores, kBoolBytes, 0.0, 1.0, eff));
  // where(all-masked row, 0, out) broadcasts the per-row flag over the row: the generic kernel.
  ks.push_back(element_bound_kernel("_safe_softmax: where", scores, scores * kFp32Bytes, scores * kFp32Bytes,
                                    ElementBoundPath::broadcast_add, gpu, eff));
  ks.push_back(gemm_kernel("matmul attn v (fp32)", 2.0 * scores * dv, scores * kFp32Bytes + v_in, o_bytes(w) * widen,
                           tensor_cores, math_dtype, gemm_eff));
  if (upcast) {
    ks.push_back(elementwise_kernel("out.to(model dtype)", 1.0, o_bytes(w) * widen, o_bytes(w), 0.0, eff));
    // _scaled_dot_product_attention_math returns (output, attn), both cast back to the input dtype;
    // SDPA drops attn, but the cast has run: the 61.8 us bfloat16_copy of a 134 MB fp32 score
    // matrix at N = 1024 on the H100 (validate/data/h100-sxm/ncu/ncu_pytorch.csv).
    ks.push_back(elementwise_kernel("attn.to(model dtype)", scores, kFp32Bytes, e, 0.0, eff));
  }

  // Footprint: the tensors alive at each step's peak, counted from PyTorch's code (attention.cpp
  // _scaled_dot_product_attention_math and _safe_softmax, >= 2.6; SoftMax.cu), then less the call's
  // outputs: the comparison adds O (and dQ, dK, dV) to the workspace, but none of them is alive at
  // the peak. Held from the upcast to the return: the fp32 copies of q, k, v (when upcast), the
  // scaled q, the GQA-expanded K and V, and the causal mask, one fp32 (Nq, Nk) tensor (the bool
  // ones().tril() it is built from is freed before the scores exist). k^T * sqrt(scale) is a
  // temporary of the q k^T matmul statement, freed before the softmax.
  const double copies32 = (upcast ? q32 + k32 + v32 : 0.0) + q32 + expanded_kv;
  const double held = copies32 + mask32;
  const double o32 = o_bytes(w) * widen;
  const double s4 = scores * kFp32Bytes;
  // _safe_softmax: out = softmax(self), masked = self.isneginf() (bool), all(dim), then
  // where_out(out, ...) into out's own storage: self, out and the bool mask (9 bytes per score).
  // Measured peaks are exactly 9 bytes per score plus the held copies, fp32 mask included
  // (validate/data/h100-sxm/pytorch_attention.csv, every N from 512 to 16384).
  const double forward_peak = std::max({held + k_in + s4,  // q k^T: its scaled k^T operand
                                        held + scores * (2.0 * kFp32Bytes + kBoolBytes),  // _safe_softmax
                                        held + s4 + o32 + (upcast ? o_bytes(w) : 0.0),    // attn @ v, cast
                                        // attn.to(origin dtype), the discarded second output
                                        held + s4 + o_bytes(w) + (upcast ? scores * e : 0.0)});
  // Outputs of the call: O, and for a backward dQ, dK, dV (in io_bytes, allocated during the call).
  const double gradients = q_bytes(w) + k_bytes(w) + v_bytes(w);
  if (w.pass != Pass::backward) {
    cost.kernels = std::move(ks);
    cost.compulsory_read_bytes = q_bytes(w) + k_bytes(w) + v_bytes(w);
    cost.compulsory_write_bytes = o_bytes(w);
    cost.workspace_bytes = forward_peak - o_bytes(w);
  }
  // Every step is its own operator (the graph is built from aten ops inside one SDPA call).
  cost.framework_operators = double(cost.kernels.size());
  if (w.pass == Pass::forward) return cost;

  // Autograd's backward of the same fp32 graph, kernel by kernel: the output cast, the two
  // matmuls of attn @ v, _safe_softmax's where and softmax backward (the mask add passes the
  // gradient through), the two matmuls of q k^T, the two sqrt(scale) products, the GQA sum over
  // the expanded K/V, and the casts of dq, dk, dv back to the model dtype.
  std::vector<KernelCost>& b = cost.kernels;
  if (upcast) {
    b.push_back(element_bound_kernel("out.to backward (dO to fp32)", o_bytes(w) / e, o_bytes(w), o32,
                                     ElementBoundPath::widening_copy, gpu, eff));
  }
  b.push_back(gemm_kernel("d attn = dO v^T (fp32)", 2.0 * scores * dv, o32 + v_in, scores * kFp32Bytes, tensor_cores,
                          math_dtype, gemm_eff));
  b.push_back(gemm_kernel("dv = attn^T dO (fp32)", 2.0 * scores * dv, scores * kFp32Bytes + o32, v_in, tensor_cores,
                          math_dtype, gemm_eff));
  // _safe_softmax's derivative is softmax's (derivatives.yaml): its where() adds no kernel here.
  for (KernelCost& k : softmax_backward_kernels("softmax backward", scores, kFp32Bytes, eff)) b.push_back(std::move(k));
  b.push_back(gemm_kernel("dq = dS k (fp32)", 2.0 * scores * d, scores * kFp32Bytes + k_in, q32, tensor_cores,
                          math_dtype, gemm_eff));
  b.push_back(gemm_kernel("dk = dS^T q (fp32)", 2.0 * scores * d, scores * kFp32Bytes + q32, k_in, tensor_cores,
                          math_dtype, gemm_eff));
  b.push_back(elementwise_kernel("q * sqrt(scale) backward", 1.0, q32, q32, 0.0, eff));
  b.push_back(elementwise_kernel("k * sqrt(scale) backward", 1.0, k_in, k_in, 0.0, eff));
  if (group > 1) b.push_back(elementwise_kernel("repeat_interleave backward", 1.0, expanded_kv, k32 + v32, 0.0, eff));
  if (upcast) {
    b.push_back(elementwise_kernel("dq, dk, dv to model dtype", 1.0, q32 + k32 + v32,
                                   q_bytes(w) + k_bytes(w) + v_bytes(w), 0.0, eff));
  }
  cost.compulsory_read_bytes += q_bytes(w) + k_bytes(w) + v_bytes(w) + 2.0 * o_bytes(w);
  cost.compulsory_write_bytes += q_bytes(w) + k_bytes(w) + v_bytes(w);
  cost.io_bytes = 2.0 * (q_bytes(w) + k_bytes(w) + v_bytes(w) + o_bytes(w));
  // Autograd keeps for the backward: the scaled q and k^T (the q k^T bmm's operands), the
  // probabilities P (saved by _safe_softmax's node and by the attn @ v bmm) and V (expanded, or its
  // fp32 copy; none when V itself is fp32 and not expanded). The fp32 copies of q and k and the
  // mask are freed when the forward returns. Backward steps, each beside what it leaves alive:
  //   attn @ v's bmm backward: dO in fp32, d attn and dV (fp32);
  //   softmax backward (SoftMax.cu softmax_backward_cuda_out): tmp = grad * output before the
  //     kernel, beside P, d attn and dS: four fp32 score-sized tensors, the peak at every measured
  //     N (16 bytes per score plus these copies, validate/data/h200/mechanisms/training.csv);
  //   q k^T's bmm backward: dS, dq and dk^T beside the saved operands;
  //   at the end O, dQ, dK and dV all exist.
  // dV (fp32) stays alive until V's cast backward runs last (autograd runs later nodes first).
  const double saved = q32 + k_in + (upcast || group > 1 ? v_in : 0.0);
  const double saved_scores_free = q32 + k_in + o_bytes(w) + v_in;  // saved q, k^T; O; dV
  const double backward_peak =
      std::max({saved + o_bytes(w) + (upcast ? o32 : 0.0) + 2.0 * s4 + v_in, saved_scores_free + 4.0 * s4,
                saved_scores_free + s4 + q32 + k_in, o_bytes(w) + gradients});
  const double whole_peak = w.pass == Pass::backward ? backward_peak : std::max(forward_peak, backward_peak);
  cost.workspace_bytes = whole_peak - o_bytes(w) - gradients;
  cost.framework_operators = double(cost.kernels.size());
  return cost;
}

}  // namespace

Variant sdpa_math_variant() {
  return {"sdpa-math",
          "PyTorch SDPA math backend: fp32 upcast, fp32 scores and probabilities materialized, fp32 matmuls",
          "O(N^2)",
          {"--allow-tf32"},
          "PyTorch attention.cpp _scaled_dot_product_attention_math and _safe_softmax (>= 2.5)",
          sdpa_math_cost};
}

}  // namespace attnsim
