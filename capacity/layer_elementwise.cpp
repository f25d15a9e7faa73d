#include "capacity/layer_elementwise.h"

#include <string>

#include "capacity/layer_workloads.h"
#include "capacity/parameters.h"
#include "model/materialized.h"
#include "model/timing.h"

namespace attnsim::capacity {
namespace {

constexpr double kFp32Bytes = 4.0;

struct KernelList {
  const Gpu& gpu;
  Efficiency streaming;
  std::vector<KernelCost> kernels;

  // A contiguous operator: PyTorch's vectorized kernel, bound by the bytes it moves.
  void stream(const std::string& name, double count, double elements, double read_bytes, double write_bytes) {
    kernels.push_back(elementwise_kernel(name, count * elements, read_bytes, write_bytes, 1.0, streaming));
  }
  // A broadcast, strided or converting operator: bound by the elements it indexes.
  void by_elements(const std::string& name, double count, double elements, double read_bytes, double write_bytes,
                   ElementBoundPath path) {
    kernels.push_back(element_bound_kernel(name, count * elements, count * elements * read_bytes,
                                           count * elements * write_bytes, path, gpu, streaming));
  }
};

// LlamaRMSNorm (Qwen2, Mistral and Mixtral share it): x.to(float32); pow(2); mean(-1); + eps;
// rsqrt; x * rsqrt (the per-token scale broadcast over the row); .to(dtype); weight * x (the weight
// broadcast over tokens). The trace's kernels: unrolled direct_copy (widening), vectorized pow,
// reduce_kernel (mean), two kernels over one value a token, elementwise_kernel (broadcast mul, fp32),
// vectorized bfloat16_copy_kernel (narrowing), elementwise_kernel (broadcast mul, 16-bit).
void rms_norms(KernelList& list, double count, double tokens, double width, double e) {
  const double elements = tokens * width;
  if (e < kFp32Bytes)
    list.by_elements("rmsnorm: to fp32", count, elements, e, kFp32Bytes, ElementBoundPath::widening_copy);
  list.stream("rmsnorm: pow", count, elements, kFp32Bytes, kFp32Bytes);
  list.stream("rmsnorm: mean", count, elements, kFp32Bytes, 0.0);
  list.stream("rmsnorm: + eps", count, tokens, kFp32Bytes, kFp32Bytes);
  list.stream("rmsnorm: rsqrt", count, tokens, kFp32Bytes, kFp32Bytes);
  list.by_elements("rmsnorm: x * rsqrt", count, elements, kFp32Bytes, kFp32Bytes, ElementBoundPath::broadcast_add);
  if (e < kFp32Bytes) list.stream("rmsnorm: to dtype", count, elements, kFp32Bytes, e);
  list.by_elements("rmsnorm: weight * x", count, elements, e, e, ElementBoundPath::broadcast_add);
}

// apply_rotary_pos_emb on one of q, k: x * cos + rotate_half(x) * sin, x a (B, H, N, d) view of the
// projection's (B, N, H, d) output and cos, sin broadcast over heads. rotate_half is
// cat(-x[..., d/2:], x[..., :d/2]): a negation over half the elements and a concatenation; the final
// add takes operands of two layouts (x * cos keeps x's permuted strides), so no operator is
// contiguous and every one indexes its elements.
// With `concatenates_pass_through` (Phi-3) the rotated part is concatenated with the unrotated rest
// of x, which copies x once more.
void rotary(KernelList& list, double count, double tokens, double heads, double head_dim, double e,
            bool concatenates_pass_through) {
  const double elements = tokens * heads * head_dim;
  list.by_elements("rotary: x * cos", count, elements, e, e, ElementBoundPath::broadcast_add);
  list.by_elements("rotary: -x2", count, 0.5 * elements, e, e, ElementBoundPath::permute_copy);
  list.by_elements("rotary: cat", count, elements, e, e, ElementBoundPath::concatenate);
  list.by_elements("rotary: rotate_half(x) * sin", count, elements, e, e, ElementBoundPath::broadcast_add);
  list.by_elements("rotary: add", count, elements, 2.0 * e, e, ElementBoundPath::broadcast_add);
  if (concatenates_pass_through) {
    list.by_elements("rotary: cat with the unrotated part", count, elements, e, e, ElementBoundPath::concatenate);
  }
}

}  // namespace

std::vector<KernelCost> hf_forward_elementwise_kernels(const ModelConfig& m, double tokens, Dtype dtype,
                                                       const Gpu& gpu) {
  const double e = element_bytes(dtype);
  KernelList list{gpu, materialized_step_efficiency(gpu, "eager"), {}};
  const double layers = double(m.layers);
  const double h = double(m.hidden_size);
  // A norm and a residual add around each mixer and each MLP, and the final norm over every token
  // (the LM head then reads the last position only). A shared hybrid (Zamba2) runs its attention and
  // MLP only where a shared block is applied; its other layers are one SSM mixer each.
  const double applications = m.shared_blocks ? double(m.shared_blocks->applications) : 0.0;
  const double blocks_around = m.shared_blocks ? layers + 2.0 * applications : (m.has_mlp() ? 2.0 : 1.0) * layers;
  rms_norms(list, blocks_around + 1.0, tokens, h, e);
  list.stream("residual add", blocks_around, tokens * h, 2.0 * e, e);
  double attention_layers = 0;
  for (const LayerAttention kind : attention_layer_kinds(m)) attention_layers += m.attention_layers(kind);
  if (attention_layers > 0) {
    // Latent attention ropes only its rope part: every head's q_pe and the one shared k_pe.
    const double rope_dim = m.mla ? double(m.mla->qk_rope_head_dim) : double(m.head_dim);
    rotary(list, attention_layers, tokens, double(m.heads), rope_dim, e, m.rotary_concatenates_pass_through);
    rotary(list, attention_layers, tokens, m.mla ? 1.0 : double(m.kv_heads), rope_dim, e,
           m.rotary_concatenates_pass_through);
    // A fused qkv projection's V is a strided slice of its output, copied to a contiguous tensor
    // before the attention call (Phi-3's trace: one elementwise_kernel copy of V a layer under
    // aten::contiguous, validate/data/h100-sxm/prefill_kernels_heldout/kernels.csv).
    if (m.fused_qkv) {
      list.by_elements("fused qkv: v.contiguous()", attention_layers, tokens * double(m.kv_heads) * double(m.head_dim),
                       e, e, ElementBoundPath::permute_copy);
    }
  }
  // act(gate) * up: contiguous, vectorized. An MoE layer runs it for each expert a token passes. A
  // fused gate_up projection's gate and up are chunk() views of its output, strided, so both kernels
  // take PyTorch's non-vectorized elementwise_kernel<128, 4>, the path of a broadcast operand (Phi-3's
  // trace: silu at 349 G elements/s, validate/data/h100-sxm/prefill_kernels_heldout/kernels.csv).
  double intermediate_per_token = 0;
  if (m.moe) {
    intermediate_per_token = m.dense_layers() * double(m.intermediate_size) +
                             m.moe_layers() * m.moe->experts_a_token_passes() * double(m.moe->moe_intermediate_size);
  } else {
    intermediate_per_token = (m.shared_blocks ? applications : layers) * double(m.intermediate_size);
  }
  if (intermediate_per_token > 0 && m.fused_gate_up) {
    list.by_elements("mlp: act(gate) on a chunk", 1, tokens * intermediate_per_token, e, e,
                     ElementBoundPath::broadcast_add);
    list.by_elements("mlp: act(gate) * up on a chunk", 1, tokens * intermediate_per_token, 2.0 * e, e,
                     ElementBoundPath::broadcast_add);
  } else if (intermediate_per_token > 0) {
    list.stream("mlp: act(gate)", 1, tokens * intermediate_per_token, e, e);
    list.stream("mlp: act(gate) * up", 1, tokens * intermediate_per_token, 2.0 * e, e);
  }
  // The SSM mixer's causal conv over its channels and the gate z * y, read and written once.
  if (m.has_ssm()) {
    list.stream("ssm: conv", layers, tokens * ssm_conv_channels(m), e, e);
    list.stream("ssm: gate", layers, tokens * double(m.ssm->inner_size), 2.0 * e, e);
  }
  return list.kernels;
}

double hf_forward_elementwise_seconds(const ModelConfig& m, double tokens, Dtype dtype, const Gpu& gpu) {
  double seconds = 0;
  for (const KernelCost& k : hf_forward_elementwise_kernels(m, tokens, dtype, gpu)) {
    const KernelTime t = time_kernel(k, gpu);
    seconds += t.seconds - t.launch_seconds;
  }
  return seconds;
}

}  // namespace attnsim::capacity
