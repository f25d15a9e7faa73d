// Hugging Face eager attention (transformers `eager_attention_forward`): repeat_kv for GQA,
// matmul(Q, K^T) * scaling, + causal mask (a materialized (B, 1, Nq, Nk) tensor), softmax in fp32,
// cast back, matmul with V, transpose(1, 2).contiguous(). Every step is its own kernel.
#include <algorithm>
#include <string>

#include "model/efficiency.h"
#include "model/error.h"
#include "model/materialized.h"
#include "model/tiled_attention.h"
#include "model/variant.h"

namespace attnsim {
namespace {

constexpr double kFp32Bytes = 4.0;

// torch.matmul in fp32 runs on CUDA cores unless TF32 is allowed (PyTorch's default since 1.12:
// torch.backends.cuda.matmul.allow_tf32 = False); --dtype tf32 stands for allowing it.
bool on_tensor_cores(const Workload& w) { return w.dtype != Dtype::fp32; }
Dtype matmul_dtype(const Workload& w) { return w.dtype; }

// Bytes alive per score element at the softmax step. PyTorch SoftMax.cpp: only Half input with
// dtype=float32 takes the fused half_to_float path (input 2 + output 4); BFloat16 first makes a full
// fp32 copy (input 2 + copy 4 + output 4 = 10); fp32 needs input 4 + output 4.
double softmax_peak_bytes_per_score(Dtype dtype) {
  switch (dtype) {
    case Dtype::fp16:
      return 2.0 + kFp32Bytes;
    case Dtype::bf16:
      return 2.0 + 2.0 * kFp32Bytes;
    default:
      return 2.0 * kFp32Bytes;
  }
}

struct EagerShapes {
  double scores;       // full (B, H, Nq, Nk): eager computes masked positions too
  double e;            // element bytes
  double mask_bytes;   // (B, 1, Nq, Nk) additive mask in the model dtype, causal only
  double repeated_kv;  // repeat_kv copies of K and V at H heads (GQA only)
};

EagerShapes shapes_of(const Workload& w) {
  EagerShapes s;
  s.scores = full_score_elements(w);
  s.e = element_bytes(w.dtype);
  s.mask_bytes = (w.causal || w.window) ? double(w.batch) * double(w.seq_q) * double(w.seq_kv) * s.e : 0.0;
  s.repeated_kv = w.kv_heads == w.heads ? 0.0 : (k_bytes(w) + v_bytes(w)) * double(w.heads / w.kv_heads);
  return s;
}

// A copy, cast or broadcast add: element-bound as PyTorch writes it, streaming where vectorized.
KernelCost copy_kernel(std::string name, double elements, double read_bytes, double write_bytes, ElementBoundPath path,
                       const Gpu& gpu, const Efficiency& eff, ElementwiseKernels kernels) {
  if (kernels == ElementwiseKernels::pytorch) {
    return element_bound_kernel(std::move(name), elements, read_bytes, write_bytes, path, gpu, eff);
  }
  return elementwise_kernel(std::move(name), elements, read_bytes / elements, write_bytes / elements, 0.0, eff);
}

void add_forward(const Workload& w, const Gpu& gpu, const Efficiency& eff, const EagerShapes& s,
                 ElementwiseKernels kernels, Cost& cost) {
  const Efficiency gemm_eff = library_gemm_efficiency(gpu, on_tensor_cores(w));
  const double kv_read = s.repeated_kv > 0 ? s.repeated_kv : k_bytes(w) + v_bytes(w);
  if (s.repeated_kv > 0) {
    // One expand + reshape copy per tensor: broadcast copies, bound by elements (materialized.h).
    const double group = double(w.heads / w.kv_heads);
    cost.kernels.push_back(copy_kernel("repeat_kv (K)", k_bytes(w) * group / s.e, k_bytes(w), k_bytes(w) * group,
                                       ElementBoundPath::broadcast_copy, gpu, eff, kernels));
    cost.kernels.push_back(copy_kernel("repeat_kv (V)", v_bytes(w) * group / s.e, v_bytes(w), v_bytes(w) * group,
                                       ElementBoundPath::broadcast_copy, gpu, eff, kernels));
  }
  const double d = double(w.head_dim);
  const double dv = double(w.head_dim_v);
  const double k_share = d / (d + dv);
  cost.kernels.push_back(gemm_kernel("matmul Q K^T", 2.0 * s.scores * d, q_bytes(w) + kv_read * k_share, s.scores * s.e,
                                     on_tensor_cores(w), matmul_dtype(w), gemm_eff));
  cost.kernels.push_back(elementwise_kernel("* scaling", s.scores, s.e, s.e, 1.0, eff));
  if (s.mask_bytes > 0) {
    // The mask broadcasts over heads: read once per head unless it stays in L2.
    const double mask_reads =
        s.mask_bytes <= gpu.l2_bytes_read_by_every_sm() ? s.mask_bytes : s.mask_bytes * double(w.heads);
    KernelCost add = copy_kernel("+ causal mask", s.scores, s.scores * s.e, s.scores * s.e,
                                 ElementBoundPath::broadcast_add, gpu, eff, kernels);
    add.hbm_read_bytes += mask_reads;
    add.l2_read_bytes += s.mask_bytes * double(w.heads);
    cost.kernels.push_back(add);
  }
  if (w.dtype == Dtype::bf16) {
    cost.kernels.push_back(copy_kernel("to(float32)", s.scores, s.scores * s.e, s.scores * kFp32Bytes,
                                       ElementBoundPath::widening_copy, gpu, eff, kernels));
  }
  const double softmax_in = w.dtype == Dtype::fp16 ? s.e : kFp32Bytes;
  cost.kernels.push_back(
      softmax_forward_kernel("softmax (fp32)", s.scores, double(w.seq_kv), softmax_in, kFp32Bytes, gpu, eff));
  if (s.e != kFp32Bytes) {
    cost.kernels.push_back(elementwise_kernel("to(model dtype)", s.scores, kFp32Bytes, s.e, 1.0, eff));
  }
  cost.kernels.push_back(gemm_kernel("matmul P V", 2.0 * s.scores * dv, s.scores * s.e + kv_read * (1.0 - k_share),
                                     o_bytes(w), on_tensor_cores(w), matmul_dtype(w), gemm_eff));
  // (B, H, Nq, dv) -> (B, Nq, H, dv): a view, no kernel, when one query token makes both layouts one.
  if (w.seq_q > 1) {
    cost.kernels.push_back(copy_kernel("transpose(1,2).contiguous()", o_bytes(w) / s.e, o_bytes(w), o_bytes(w),
                                       ElementBoundPath::permute_copy, gpu, eff, kernels));
  }
}

void add_backward(const Workload& w, const Gpu& gpu, const Efficiency& eff, const EagerShapes& s,
                  ElementwiseKernels kernels, Cost& cost) {
  const Efficiency gemm_eff = library_gemm_efficiency(gpu, on_tensor_cores(w));
  const double d = double(w.head_dim);
  const double dv = double(w.head_dim_v);
  const double kv_read = s.repeated_kv > 0 ? s.repeated_kv : k_bytes(w) + v_bytes(w);
  if (w.seq_q > 1) {
    cost.kernels.push_back(copy_kernel("transpose backward (dO)", o_bytes(w) / s.e, o_bytes(w), o_bytes(w),
                                       ElementBoundPath::permute_copy, gpu, eff, kernels));
  }
  cost.kernels.push_back(gemm_kernel("dP = dO V^T", 2.0 * s.scores * dv, o_bytes(w) + kv_read * dv / (d + dv),
                                     s.scores * s.e, on_tensor_cores(w), matmul_dtype(w), gemm_eff));
  cost.kernels.push_back(gemm_kernel("dV = P^T dO", 2.0 * s.scores * dv, s.scores * s.e + o_bytes(w),
                                     kv_read * dv / (d + dv), on_tensor_cores(w), matmul_dtype(w), gemm_eff));
  if (s.e != kFp32Bytes)
    cost.kernels.push_back(copy_kernel("dP to(float32)", s.scores, s.scores * s.e, s.scores * kFp32Bytes,
                                       ElementBoundPath::widening_copy, gpu, eff, kernels));
  for (KernelCost& k : softmax_backward_kernels("softmax backward", s.scores, kFp32Bytes, eff)) {
    cost.kernels.push_back(std::move(k));
  }
  if (s.e != kFp32Bytes)
    cost.kernels.push_back(elementwise_kernel("dS to(model dtype)", s.scores, kFp32Bytes, s.e, 1.0, eff));
  cost.kernels.push_back(elementwise_kernel("* scaling backward", s.scores, s.e, s.e, 1.0, eff));
  cost.kernels.push_back(gemm_kernel("dQ = dS K", 2.0 * s.scores * d, s.scores * s.e + kv_read * d / (d + dv),
                                     q_bytes(w), on_tensor_cores(w), matmul_dtype(w), gemm_eff));
  cost.kernels.push_back(gemm_kernel("dK = dS^T Q", 2.0 * s.scores * d, s.scores * s.e + q_bytes(w),
                                     kv_read * d / (d + dv), on_tensor_cores(w), matmul_dtype(w), gemm_eff));
  if (s.repeated_kv > 0) {
    cost.kernels.push_back(
        elementwise_kernel("repeat_kv backward (sum dK, dV)", 1.0, s.repeated_kv, k_bytes(w) + v_bytes(w), 0.0, eff));
  }
}

Cost eager_cost(const Workload& w, const Gpu& gpu, const VariantKnobs& knobs) {
  if (w.dtype == Dtype::fp8_e4m3) {
    throw InvalidInput("dtype", "eager runs torch.matmul, which has no fp8-e4m3 path; allowed: fp32, tf32, fp16, bf16");
  }
  const Efficiency eff = materialized_step_efficiency(gpu, "eager");
  const EagerShapes s = shapes_of(w);
  Cost cost;
  cost.model_flops = pass_model_flops(w);
  const double qkvo = q_bytes(w) + k_bytes(w) + v_bytes(w) + o_bytes(w);
  cost.io_bytes = qkvo;
  // Footprint. The additive mask is counted, although callers build it before the call (the
  // benchmarks measure from after it exists): the layer needs it. Forward: repeat_kv's copies stay
  // alive to the return; the softmax step (or its cast back, input, fp32 and output = 2e + 4 per
  // score) is the peak. A forward alone counts O beside it (the comparison adds O to the
  // workspace): attnsim-bench's eager chain (cublas-eager) allocates every buffer, O included,
  // before it starts, while PyTorch writes O after the softmax step, so its measured peaks are O
  // lower (0.6-2.5% from N = 1024, validate/data/*/pytorch_attention.csv).
  const double softmax_step = s.repeated_kv + s.scores * std::max(softmax_peak_bytes_per_score(w.dtype),
                                                                  s.e == kFp32Bytes ? 0.0 : 2.0 * s.e + kFp32Bytes);
  // PyTorch's forward peak, for forward+backward: the softmax step, or P V's output and its
  // transpose(1, 2).contiguous() copy (a view when Nq = 1) beside P where they outweigh it.
  const double forward_peak =
      std::max(softmax_step, s.repeated_kv + s.scores * s.e + o_bytes(w) * (w.seq_q > 1 ? 2.0 : 1.0));
  // Forward+backward: the tensors alive at each step's peak (transformers eager_attention_forward;
  // PyTorch SoftMax.cpp and SoftMax.cu), less the call's outputs O, dQ, dK and dV (in io_bytes, and
  // added to the workspace by the comparison), which are not all alive at the peak.
  // Autograd keeps the fp32 softmax output P32 (its node's result), P in the model dtype
  // (the P V bmm's operand; the same tensor as P32 in fp32) and repeat_kv's copies (the bmm
  // operands); the mask-added and fp32-converted scores are not saved. Steps, each beside what is
  // still alive (O, which the caller holds, and dV, which waits for repeat_kv's backward or is dV):
  //   P V's bmm backward: P32, P, dP in the model dtype, dO made contiguous from its transpose;
  //   softmax backward (SoftMax.cu softmax_backward_cuda_out): dP in fp32, tmp = grad * output
  //     before the kernel, and dS (fp32, or the input's fp16 after the fused half_to_float
  //     softmax) beside P32: 12 + 4 bytes per score in bf16, the peak at every measured N
  //     (validate/data/h200/mechanisms/training.csv); P and dP in the model dtype are freed by then;
  //   dS back to the model dtype beside the fp32 dS (bf16), dS * scaling beside dS;
  //   Q K^T's bmm backward: dS * scaling, dQ and dK (repeated);
  //   at the end O, dQ, dK and dV all exist.
  const double gradients = q_bytes(w) + k_bytes(w) + v_bytes(w);
  const double group = double(w.heads / w.kv_heads);
  const double k_repeated = s.repeated_kv > 0 ? k_bytes(w) * group : 0.0;  // saved by the Q K^T bmm
  const double v_repeated = s.repeated_kv > 0 ? v_bytes(w) * group : 0.0;
  const double dv_repeated = v_bytes(w) * group;
  const double alive = o_bytes(w) + dv_repeated + k_repeated;
  const double p_model = s.e == kFp32Bytes ? 0.0 : s.e;  // P in the model dtype beside P32
  const double ds_bytes = w.dtype == Dtype::fp16 ? s.e : kFp32Bytes;
  const double backward_peak =
      std::max({alive + v_repeated + s.scores * (kFp32Bytes + p_model + s.e) + (w.seq_q > 1 ? o_bytes(w) : 0.0),
                alive + s.scores * (3.0 * kFp32Bytes + ds_bytes),
                alive + s.scores * (ds_bytes == s.e ? 2.0 * s.e : kFp32Bytes + s.e),
                alive + s.scores * s.e + q_bytes(w) + k_bytes(w) * group, o_bytes(w) + gradients});
  if (w.pass != Pass::backward) {
    add_forward(w, gpu, eff, s, knobs.elementwise, cost);
    cost.compulsory_read_bytes += q_bytes(w) + k_bytes(w) + v_bytes(w);
    cost.compulsory_write_bytes += o_bytes(w);
    cost.workspace_bytes = s.mask_bytes + softmax_step;
  }
  if (w.pass != Pass::forward) {
    add_backward(w, gpu, eff, s, knobs.elementwise, cost);
    cost.compulsory_read_bytes += qkvo;
    cost.compulsory_write_bytes += q_bytes(w) + k_bytes(w) + v_bytes(w);
    cost.io_bytes = 2.0 * qkvo;
    const double peak = w.pass == Pass::backward ? backward_peak : std::max(forward_peak, backward_peak);
    cost.workspace_bytes = s.mask_bytes + peak - o_bytes(w) - gradients;
  }
  cost.framework_operators = double(cost.kernels.size());  // every step is its own operator
  if (knobs.elementwise == ElementwiseKernels::vectorized) {
    cost.notes.push_back(std::string("--elementwise ") + std::string(elementwise_kernels_name(knobs.elementwise)) +
                         ": copies, casts and the mask add at a streaming kernel's bandwidth");
  }
  return cost;
}

}  // namespace

Variant eager_variant() {
  return {"eager",
          "Hugging Face eager attention: every step a separate kernel, the (B,H,Nq,Nk) scores in HBM, softmax in fp32",
          "O(N^2)",
          {"--elementwise pytorch|vectorized"},
          "transformers eager_attention_forward; PyTorch SoftMax.cpp (bf16 fp32 copy); cuBLAS GEMM efficiency",
          eager_cost};
}

}  // namespace attnsim
