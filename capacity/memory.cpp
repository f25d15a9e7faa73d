#include "capacity/memory.h"

#include <algorithm>
#include <cmath>

#include "capacity/layer_workloads.h"
#include "capacity/parameters.h"
#include "model/error.h"

namespace attnsim::capacity {
namespace {

constexpr double kFp32Bytes = 4.0;
// Mixed-precision AdamW keeps an fp32 master copy, exp_avg and exp_avg_sq: 12 bytes per parameter
// beside the 16-bit weights and gradients (ZeRO, arXiv 1910.02054, Sec. 3.1: 2 + 2 + 12 = 16 B/param).
constexpr double kOptimizerBytesPerParameter = 3.0 * kFp32Bytes;

// Hidden-size tensors Hugging Face keeps alive beside each step (transformers LlamaModel.forward and
// LlamaDecoderLayer.forward; the other decoders are written the same way): during a layer, the
// embedding output (`inputs_embeds` stays bound through the loop), the layer's input (the loop's
// `hidden_states`, also the layer's `residual`) and the normed input the mixer reads: 3; at the MLP
// also the post-attention residual sum (the normed input is the MLP's): 4; at the LM head only the
// final norm's output, the model's locals being gone: 1.
constexpr double kResidualCopiesAtMixer = 3.0;
constexpr double kResidualCopiesAtMlp = 4.0;
constexpr double kResidualCopiesAtLogits = 1.0;
// Zamba2Model.forward also keeps `original_hidden_states = torch.clone(inputs_embeds)` through the
// loop, one more copy at every layer's steps; its shared block normalizes concat(hidden, embedding),
// a normed input twice as wide as the others' at the attention step.
constexpr double kSharedHybridExtraCopies = 1.0;

bool training(const Scenario& s) { return s.phase == Phase::train || s.phase == Phase::train_recompute; }
bool keeps_cache(const Scenario& s) { return !training(s) && s.kv_cache; }
// Tokens each step processes: the whole prompt, or one per sequence when decoding.
double step_tokens(const Scenario& s) { return double(s.batch) * (s.phase == Phase::decode ? 1.0 : double(s.context)); }

// Allocated bytes of every parameter tensor: the large matrices rounded one by one (those
// weight-only quantization converts at `matrix_bytes` per element, scales included), the
// embedding and LM head, and the small remainder (norms, biases, conv, A, D) added as is.
Allocation parameter_allocation(const ModelConfig& m, double matrix_bytes, double other_bytes, const RuntimeOverhead& rt) {
  const ParameterCounts c = count_parameters(m);
  double listed = 0;
  Allocation allocated;
  for (const WeightMatrix& w : decoder_matrices(m)) {
    listed += w.elements * w.count;
    allocated += tensor_allocation(w.elements * (w.quantizable ? matrix_bytes : other_bytes), rt) * w.count;
  }
  for (const double elements : {c.embedding, c.lm_head}) {
    listed += elements;
    if (elements > 0) allocated += tensor_allocation(elements * other_bytes, rt);
  }
  allocated.bytes += (c.total() - listed) * other_bytes;
  return allocated;
}

// A windowed layer keeps min(context, window) tokens: transformers' DynamicSlidingWindowLayer
// (cache_utils.py) stores [batch, kv heads, min(seq_len, sliding_window), head dim], as Mistral's
// rolling buffer does; a global layer keeps the whole context.
double cached_tokens(const ModelConfig& m, const Scenario& s, LayerAttention kind) {
  const double tokens = visible_keys(m, s, kind);
  const double block = double(s.kv_block_tokens);
  return std::ceil(tokens / block) * block;
}

// One layer's cache per cached token, every sequence of the batch: K and V, or the latent and rope key.
double kv_cache_bytes_per_layer_token(const ModelConfig& m, const Scenario& s) {
  if (!m.has_attention()) return 0.0;
  const double elements =
      m.mla ? double(m.mla->kv_lora_rank + m.mla->qk_rope_head_dim) : 2.0 * double(m.kv_heads) * double(m.head_dim);
  return double(s.batch) * elements * element_bytes(s.kv_dtype);
}

// Storage a windowed layer's contiguous cache holds right after a prefill: transformers'
// DynamicSlidingWindowLayer.update (cache_utils.py) concatenates the prompt's K and V and keeps
// full[:, :, -window + 1:], a view, so the whole prompt's K and V stay allocated until the first
// decode step concatenates again (Gemma 3 27B: cache_storage_bytes in
// validate/data/h100-sxm/capacity/peak_memory_v2.csv is every layer's full prompt). transformers 4's
// DynamicCache kept every layer whole. A paged cache (--kv-block > 1) holds the window's blocks only.
double stored_cache_layer_bytes(const ModelConfig& m, const Scenario& s, LayerAttention kind) {
  const bool prefill_view = s.phase == Phase::prefill && s.kv_block_tokens == 1 && m.window_of(kind).has_value();
  return prefill_view ? kv_cache_bytes_per_layer_token(m, s) * double(s.context) : kv_cache_layer_bytes(m, s, kind);
}

// One attention layer's cache as tensors: K and V (the latent and rope key as one tensor with latent
// attention). With `--kv-cache legacy` (transformers 4's DynamicCache, which stored the prefill's
// tensors as handed over) a fused qkv projection (Phi-3's qkv_proj) leaves a V that is a view of the
// whole qkv output, so the layer keeps K plus the whole (H + 2 Hkv) x d buffer until a decode step
// concatenates. transformers 5 copies on that first update, and a paged cache copies into its blocks.
Allocation cache_layer_tensors(const ModelConfig& m, const Scenario& s, LayerAttention kind) {
  const RuntimeOverhead& rt = s.runtime;
  const double closed_form = stored_cache_layer_bytes(m, s, kind);
  if (m.mla) return tensor_allocation(closed_form, rt);
  const Allocation k = tensor_allocation(closed_form / 2.0, rt);
  if (m.fused_qkv && s.kv_cache_keeps_prefill_views && s.phase == Phase::prefill && s.kv_block_tokens == 1) {
    const double widths = double(m.heads + 2 * m.kv_heads) / double(m.kv_heads);
    return k + tensor_allocation(closed_form / 2.0 * widths, rt);
  }
  return k * 2.0;
}

struct Step {
  std::string name;
  Allocation alloc;
  double attention_workspace = 0;
};

// One attention call's tensors from the core variant; K and V live in the cache when one is kept.
// Latent attention caches the latent instead: a prefill up-projects every head's K and V as the
// step's own tensors, while decode multiplies the cached latent directly (the up-projections
// absorbed into the query and output, DeepSeek-V2 Sec. 2.1.2) and never materializes them.
// A fused qkv projection without a cache keeps its whole output alive while the call runs (V is a
// view of it; the rotated Q and K are copies): its Q and K slices come on top.
Step attention_step(const ModelConfig& m, const Gpu& gpu, const Scenario& s, LayerAttention kind) {
  const Pass pass = training(s) ? Pass::forward_backward : Pass::forward;
  const Prediction p = predict_attention(m, gpu, s, pass, kind);
  const Workload& w = p.workload;
  const bool kv_elsewhere = keeps_cache(s) && (!m.mla || s.phase == Phase::decode);
  const double cached = kv_elsewhere ? k_bytes(w) + v_bytes(w) : 0.0;
  const double fused_slices =
      m.fused_qkv && !keeps_cache(s) && !training(s)
          ? step_tokens(s) * double(m.heads + m.kv_heads) * double(m.head_dim) * element_bytes(s.dtype)
          : 0.0;
  Allocation a = tensor_allocation(p.cost.io_bytes - cached + p.cost.workspace_bytes, s.runtime);
  if (fused_slices > 0) a += tensor_allocation(fused_slices, s.runtime);
  return {"attention", a, p.cost.workspace_bytes};
}

// Layers run one at a time, so the largest layer kind's step counts (a global layer's, with a pattern).
Step largest_attention_step(const ModelConfig& m, const Gpu& gpu, const Scenario& s) {
  Step largest;
  for (const LayerAttention kind : attention_layer_kinds(m)) {
    Step step = attention_step(m, gpu, s, kind);
    if (step.alloc.bytes > largest.alloc.bytes) largest = std::move(step);
  }
  return largest;
}

// transformers' pure-PyTorch Mamba-2 prefill (torch_forward of Mamba2Mixer, FalconH1Mixer): in fp32,
// per sequence padded to whole chunks of l tokens, it holds x * dt and the D residual (heads x P),
// B and C repeated to every head (heads x N each) and L = exp(segsum(A)) (heads x l per token) when
// it forms G_intermediate = C[:, :, :, None] * B[:, :, None], (batch, chunks, l, l, heads, N): l x heads
// x N per token, the step's largest tensor by far (l = 128, 24 heads, N = 128 for Falcon-H1-0.5B).
Allocation ssm_reference_scan(const ModelConfig& m, const Scenario& s) {
  const SsmConfig& ssm = *m.ssm;
  if (ssm.kind != SsmKind::mamba2) {
    throw InvalidInput("ssm-kernel", "torch is modelled for Mamba-2 mixers (SSD); allowed for Mamba-1: fused");
  }
  const double l = double(ssm.chunk_size);
  const double padded_tokens = double(s.batch) * std::ceil(double(s.context) / l) * l;
  const double heads = double(ssm.heads);
  const double n = double(ssm.state_size);
  const double per_token_head = 2.0 * double(ssm.head_dim) + 2.0 * n + l;
  return tensor_allocation(padded_tokens * heads * per_token_head * kFp32Bytes, s.runtime) +
         tensor_allocation(padded_tokens * l * heads * n * kFp32Bytes, s.runtime);
}

// in_proj output, causal-conv output and the SSD scan's own tensors (core ssm-scan, or transformers'
// reference scan); at decode the recurrent update touches one token's projections.
Allocation ssm_step(const ModelConfig& m, const Gpu& gpu, const Scenario& s) {
  const double e = element_bytes(s.dtype);
  const double tokens = step_tokens(s);
  Allocation projections = tensor_allocation(tokens * ssm_in_proj_width(m) * e, s.runtime);
  projections += tensor_allocation(tokens * ssm_conv_channels(m) * e, s.runtime);
  if (s.phase == Phase::decode) return projections;
  if (s.ssm_torch_reference) return projections + ssm_reference_scan(m, s);
  const Prediction scan = predict_ssm_scan(m, gpu, s);
  const Allocation scan_tensors = tensor_allocation(scan.cost.io_bytes + scan.cost.workspace_bytes, s.runtime);
  // backward holds gradients of the same tensors
  return projections + scan_tensors * (training(s) ? 2.0 : 1.0);
}

// HF LlamaMLP: down(act(gate(x)) * up(x)): act(gate), up and their product are alive together.
// A fused gate_up projection (Phi3MLP: gate, up = gate_up_proj(x).chunk(2)) keeps its 2-wide output
// alive through the views, beside act(gate) and the product.
Allocation dense_mlp(const ModelConfig& m, double tokens, double width, const Scenario& s) {
  const Allocation one = tensor_allocation(tokens * width * element_bytes(s.dtype), s.runtime);
  if (m.fused_gate_up) return tensor_allocation(2.0 * tokens * width * element_bytes(s.dtype), s.runtime) + one * 2.0;
  return one * 3.0;
}

// Hugging Face's MoE block (MixtralSparseMoeBlock, Qwen3MoeSparseMoeBlock, DeepseekV3MoE): router
// logits and their fp32 softmax (M, E), the int64 one-hot expert mask (E, k, M), the output it
// accumulates (M, hidden), and one expert at a time over the tokens routed to it, M x k / E under
// uniform routing: their gathered input, gate and up, act(gate) * up and the down projection's
// output. DeepSeek's shared experts then run as one dense MLP beside the output.
Allocation moe_step(const ModelConfig& m, const Scenario& s) {
  const MoeConfig& moe = *m.moe;
  const RuntimeOverhead& rt = s.runtime;
  const double e = element_bytes(s.dtype);
  const double tokens = step_tokens(s);
  const double experts = double(moe.routed_experts);
  const double k = double(moe.experts_per_token);
  const double h = double(m.hidden_size);
  const double width = double(moe.moe_intermediate_size);
  constexpr double kInt64Bytes = 8.0;
  const Allocation routing = tensor_allocation(tokens * experts * e, rt) +
                             tensor_allocation(tokens * experts * kFp32Bytes, rt) +
                             tensor_allocation(experts * k * tokens * kInt64Bytes, rt);
  const double routed_tokens = tokens * k / experts;
  const Allocation one_expert = tensor_allocation(routed_tokens * h * e, rt) * 2.0 +
                                tensor_allocation(routed_tokens * 2.0 * width * e, rt) +
                                tensor_allocation(routed_tokens * width * e, rt);
  const Allocation shared =
      moe.shared_experts > 0 ? dense_mlp(m, tokens, double(moe.shared_experts) * width, s) : Allocation{};
  const Allocation routed = routing + one_expert;
  return tensor_allocation(tokens * h * e, rt) + (routed.bytes >= shared.bytes ? routed : shared);
}

// The larger of a dense layer's MLP and an MoE layer's expert block.
Allocation mlp_step(const ModelConfig& m, const Scenario& s) {
  Allocation a;
  if (m.intermediate_size > 0 && m.dense_layers() > 0) a = dense_mlp(m, step_tokens(s), double(m.intermediate_size), s);
  if (m.moe) {
    const Allocation moe = moe_step(m, s);
    if (moe.bytes > a.bytes) a = moe;
  }
  return a;
}

// The LM head's output; a model that scales its logits (Falcon-H1: lm_head(h) * lm_head_multiplier,
// transformers FalconH1ForCausalLM.forward) holds the product beside it.
Allocation logits_step(const ModelConfig& m, const Scenario& s) {
  const double rows = s.phase == Phase::decode || !s.all_logits ? double(s.batch) : step_tokens(s);
  const double logits = rows * double(m.vocab_size);
  const Allocation one = tensor_allocation(logits * element_bytes(s.dtype), s.runtime);
  Allocation a = m.lm_head_multiplier ? one * 2.0 : one;
  if (s.logits_fp32 || training(s)) a += tensor_allocation(logits * kFp32Bytes, s.runtime);
  if (training(s)) a += tensor_allocation(logits * kFp32Bytes, s.runtime);  // cross-entropy gradient
  return a;
}

// Activations one layer keeps for its backward pass (forward workspace of the core variants kept
// whole: an upper bound for eager, whose softmax step holds more than it saves). An MoE layer keeps
// its router logits and, per token, the same MLP tensors for each expert it passes through.
Allocation saved_per_layer(const ModelConfig& m, const Gpu& gpu, const Scenario& s, bool moe_layer,
                            LayerAttention kind) {
  const double e = element_bytes(s.dtype);
  const double tokens = step_tokens(s);
  const double h = double(m.hidden_size);
  double width = h;  // the mixer's normalized input
  double core = 0;
  if (m.has_attention()) {
    width +=
        double(m.heads) * double(m.head_dim) + double(m.kv_heads) * double(m.head_dim + m.value_head_dim());  // q, k, v
    const Prediction p = predict_attention(m, gpu, s, Pass::forward, kind);
    core += o_bytes(p.workload) + p.cost.workspace_bytes;
  }
  if (m.has_ssm()) {
    width += ssm_in_proj_width(m) + ssm_conv_channels(m) + double(m.ssm->inner_size);
    const Prediction scan = predict_ssm_scan(m, gpu, s);
    core += scan.cost.io_bytes + scan.cost.workspace_bytes;
  }
  if (moe_layer) {
    const MoeConfig& moe = *m.moe;
    width +=
        2.0 * h + double(moe.routed_experts) + 4.0 * moe.experts_a_token_passes() * double(moe.moe_intermediate_size);
  } else if (m.intermediate_size > 0) {
    width += 2.0 * h + 4.0 * double(m.intermediate_size);  // norm, gate, up, act, product
  }
  return tensor_allocation(tokens * width * e + core, s.runtime);
}

// Attention layer kinds with the share of layers each has; a pure SSM has one "kind" covering all.
std::vector<std::pair<LayerAttention, double>> layer_kind_shares(const ModelConfig& m) {
  if (!m.has_attention()) return {{LayerAttention::global, 1.0}};
  std::vector<std::pair<LayerAttention, double>> shares;
  for (const LayerAttention kind : attention_layer_kinds(m)) {
    shares.emplace_back(kind, m.attention_layers(kind) / double(m.layers));
  }
  return shares;
}

// Every layer's saved activations: the dense layers' and the MoE layers', each split by attention
// kind in proportion (the patterned models have one MLP kind throughout, so the split is exact there).
Allocation saved_all_layers(const ModelConfig& m, const Gpu& gpu, const Scenario& s) {
  Allocation a;
  for (const auto& [kind, share] : layer_kind_shares(m)) {
    if (m.dense_layers() > 0) a += saved_per_layer(m, gpu, s, false, kind) * (share * m.dense_layers());
    if (m.moe) a += saved_per_layer(m, gpu, s, true, kind) * (share * m.moe_layers());
  }
  return a;
}

// The largest one layer keeps, for recomputation (which re-runs one layer at a time).
Allocation saved_largest_layer(const ModelConfig& m, const Gpu& gpu, const Scenario& s) {
  Allocation largest;
  for (const auto& [kind, share] : layer_kind_shares(m)) {
    for (const bool moe_layer : {false, true}) {
      if (moe_layer ? !m.moe : m.dense_layers() <= 0) continue;
      const Allocation a = saved_per_layer(m, gpu, s, moe_layer, kind);
      if (a.bytes > largest.bytes) largest = a;
    }
  }
  return largest;
}

}  // namespace

const std::vector<std::string>& part_names() {
  static const std::vector<std::string> names = {
      "weights",         "gradients", "optimizer_states", "kv_cache", "ssm_state", "saved_activations",
      "residual_stream", "attention", "ssm_scan",         "mlp",      "logits",    "cuda_context",
      "allocator_slack"};
  return names;
}

double MemoryBreakdown::part(const std::string& name) const {
  for (const MemoryPart& p : parts) {
    if (p.name == name) return p.bytes;
  }
  return 0.0;
}

Allocation tensor_allocation(double bytes, const RuntimeOverhead& rt) {
  if (bytes <= 0) return {};
  const double rounded = std::ceil(bytes / rt.allocation_round_bytes) * rt.allocation_round_bytes;
  // Requests below kMinLargeAlloc share pooled segments (2 MiB small, 20 MiB large): no segment of
  // their own to leave slack in.
  if (rounded < rt.min_large_allocation_bytes) return {rounded, 0.0};
  const double segment = std::ceil(rounded / rt.large_segment_round_bytes) * rt.large_segment_round_bytes;
  // Up to kSmallSize left over: the block is not split and the tensor holds the whole segment.
  if (segment - rounded <= rt.small_allocation_limit_bytes) return {segment, 0.0};
  return {rounded, segment - rounded};
}

double allocated_bytes(double bytes, const RuntimeOverhead& rt) { return tensor_allocation(bytes, rt).bytes; }

double kv_cache_layer_bytes(const ModelConfig& m, const Scenario& s, LayerAttention kind) {
  return kv_cache_bytes_per_layer_token(m, s) * cached_tokens(m, s, kind);
}

double kv_cache_bytes(const ModelConfig& m, const Scenario& s) {
  double bytes = 0;
  for (const LayerAttention kind : attention_layer_kinds(m)) {
    bytes += m.attention_layers(kind) * kv_cache_layer_bytes(m, s, kind);
  }
  return bytes;
}

double ssm_state_bytes(const ModelConfig& m, const Scenario& s) {
  if (!m.has_ssm()) return 0.0;
  // mamba_ssm allocate_inference_cache: ssm_state (B, heads, head_dim, N) and conv_state
  // (B, conv channels, d_conv), both in the weights' dtype.
  const double per_layer =
      double(s.batch) * (ssm_state_elements(m) + ssm_conv_channels(m) * double(m.ssm->conv_kernel));
  return double(m.layers) * per_layer * element_bytes(s.dtype);
}

MemoryBreakdown memory_at(const ModelConfig& m, const Gpu& gpu, const Scenario& s) {
  const RuntimeOverhead& rt = s.runtime;
  const double e = element_bytes(s.dtype);
  const double layers = double(m.layers);
  require_supported_weights(s);
  require_supported_cache(s);
  struct Persistent {
    std::string name;
    Allocation alloc;
  };
  std::vector<Persistent> persistent;
  persistent.push_back({"weights", parameter_allocation(m, matrix_element_bytes(s.weights, s.dtype), e, rt)});
  if (training(s)) {
    persistent.push_back({"gradients", parameter_allocation(m, e, e, rt)});
    persistent.push_back(
        {"optimizer_states", parameter_allocation(m, kOptimizerBytesPerParameter, kOptimizerBytesPerParameter, rt)});
    const Allocation layer_input = tensor_allocation(step_tokens(s) * double(m.hidden_size) * e, rt);
    // Recomputation keeps each layer's input and re-runs one layer at a time during backward.
    const Allocation kept = s.phase == Phase::train ? saved_all_layers(m, gpu, s)
                                                    : layer_input * layers + saved_largest_layer(m, gpu, s);
    persistent.push_back({"saved_activations", kept});
  } else {
    if (m.has_attention() && keeps_cache(s)) {
      Allocation cache;
      for (const LayerAttention kind : attention_layer_kinds(m)) {
        cache += cache_layer_tensors(m, s, kind) * m.attention_layers(kind);
      }
      persistent.push_back({"kv_cache", cache});
    }
    if (m.has_ssm()) {
      persistent.push_back({"ssm_state", tensor_allocation(ssm_state_bytes(m, s) / layers, rt) * layers});
    }
  }

  // The steps of one layer and the logits, each with the hidden-size tensors alive beside it; the
  // largest sets the peak.
  const Allocation hidden = tensor_allocation(step_tokens(s) * double(m.hidden_size) * e, rt);
  Step attention;
  if (m.has_attention()) attention = largest_attention_step(m, gpu, s);
  if (m.shared_blocks) attention.alloc += hidden;  // the normed input's second half
  const double extra_copies = m.shared_blocks ? kSharedHybridExtraCopies : 0.0;
  const Allocation ssm = m.has_ssm() ? ssm_step(m, gpu, s) : Allocation{};
  const Allocation mlp = mlp_step(m, s);
  const Allocation logits = logits_step(m, s);
  struct Candidate {
    std::string step;
    Allocation alloc;
    double residual_copies;
  };
  // A parallel hybrid's mixers run one after the other (transformers' FalconH1DecoderLayer: the Mamba
  // branch, then attention on hidden_states * attention_in_multiplier while the Mamba output waits),
  // so each is a step of its own, attention's with two more hidden-size tensors.
  const double waiting_copies = m.mixer == Mixer::parallel_hybrid ? 2.0 : 0.0;
  std::vector<Candidate> candidates;
  if (m.has_attention())
    candidates.push_back({"attention", attention.alloc, kResidualCopiesAtMixer + waiting_copies + extra_copies});
  if (m.has_ssm()) candidates.push_back({"ssm", ssm, kResidualCopiesAtMixer + extra_copies});
  candidates.push_back({"mlp", mlp, kResidualCopiesAtMlp + extra_copies});
  candidates.push_back({"logits", logits, kResidualCopiesAtLogits});
  const Candidate* peak = &candidates.front();
  for (const Candidate& c : candidates) {
    if (c.alloc.bytes + c.residual_copies * hidden.bytes > peak->alloc.bytes + peak->residual_copies * hidden.bytes) {
      peak = &c;
    }
  }
  const std::string& step = peak->step;
  const Allocation residual = hidden * peak->residual_copies;

  MemoryBreakdown b;
  b.peak_step = step;
  b.attention_workspace_bytes = attention.attention_workspace;
  double slack = residual.slack + peak->alloc.slack;
  for (const Persistent& p : persistent) slack += p.alloc.slack;
  for (const std::string& name : part_names()) {
    MemoryPart part{name, 0.0, false, false};
    for (const Persistent& p : persistent) {
      if (p.name == name) part = {name, p.alloc.bytes, true, true};
    }
    if (name == "cuda_context") part = {name, rt.cuda_context_bytes, true, true};
    if (name == "residual_stream") part = {name, residual.bytes, false, true};
    if (name == "attention") part = {name, attention.alloc.bytes, false, step == "attention"};
    if (name == "ssm_scan") part = {name, ssm.bytes, false, step == "ssm"};
    if (name == "mlp") part = {name, mlp.bytes, false, step == "mlp"};
    if (name == "logits") part = {name, logits.bytes, false, step == "logits"};
    if (name == "allocator_slack") part = {name, slack, false, true};
    if (part.at_peak) b.total_bytes += part.bytes;
    b.parts.push_back(part);
  }
  return b;
}

}  // namespace attnsim::capacity
