#include "capacity/memory.h"

#include <algorithm>
#include <cmath>

#include "capacity/layer_workloads.h"
#include "capacity/parameters.h"

namespace attnsim::capacity {
namespace {

constexpr double kFp32Bytes = 4.0;
// Mixed-precision AdamW keeps an fp32 master copy, exp_avg and exp_avg_sq: 12 bytes per parameter
// beside the 16-bit weights and gradients (ZeRO, arXiv 1910.02054, Sec. 3.1: 2 + 2 + 12 = 16 B/param).
constexpr double kOptimizerBytesPerParameter = 3.0 * kFp32Bytes;

bool training(const Scenario& s) { return s.phase == Phase::train || s.phase == Phase::train_recompute; }
bool keeps_cache(const Scenario& s) { return !training(s); }
// Tokens each step processes: the whole prompt, or one per sequence when decoding.
double step_tokens(const Scenario& s) { return double(s.batch) * (s.phase == Phase::decode ? 1.0 : double(s.context)); }

// Allocated bytes of every parameter tensor: the large matrices rounded one by one (those
// weight-only quantization converts at `matrix_bytes` per element, scales included), the
// embedding and LM head, and the small remainder (norms, biases, conv, A, D) added as is.
double parameter_allocation(const ModelConfig& m, double matrix_bytes, double other_bytes, const RuntimeOverhead& rt) {
  const ParameterCounts c = count_parameters(m);
  double listed = 0;
  double allocated = 0;
  for (const WeightMatrix& w : decoder_matrices(m)) {
    listed += w.elements * w.count;
    allocated += w.count * allocated_bytes(w.elements * (w.quantizable ? matrix_bytes : other_bytes), rt);
  }
  for (const double elements : {c.embedding, c.lm_head}) {
    listed += elements;
    if (elements > 0) allocated += allocated_bytes(elements * other_bytes, rt);
  }
  return allocated + (c.total() - listed) * other_bytes;
}

// A windowed layer keeps min(context, window) tokens: transformers' DynamicSlidingWindowLayer
// (cache_utils.py) stores [batch, kv heads, min(seq_len, sliding_window), head dim], as Mistral's
// rolling buffer does; a global layer keeps the whole context.
double cached_tokens(const ModelConfig& m, const Scenario& s, LayerAttention kind) {
  const double tokens = visible_keys(m, s, kind);
  const double block = double(s.kv_block_tokens);
  return std::ceil(tokens / block) * block;
}

struct Step {
  std::string name;
  double bytes = 0;
  double attention_workspace = 0;
};

// One attention call's tensors from the core variant; K and V live in the cache when one is kept.
// Latent attention caches the latent instead: a prefill up-projects every head's K and V as the
// step's own tensors, while decode multiplies the cached latent directly (the up-projections
// absorbed into the query and output, DeepSeek-V2 Sec. 2.1.2) and never materializes them.
Step attention_step(const ModelConfig& m, const Gpu& gpu, const Scenario& s, LayerAttention kind) {
  const Pass pass = training(s) ? Pass::forward_backward : Pass::forward;
  const Prediction p = predict_attention(m, gpu, s, pass, kind);
  const Workload& w = p.workload;
  const bool kv_elsewhere = keeps_cache(s) && (!m.mla || s.phase == Phase::decode);
  const double cached = kv_elsewhere ? k_bytes(w) + v_bytes(w) : 0.0;
  return {"attention", allocated_bytes(p.cost.io_bytes - cached + p.cost.workspace_bytes, s.runtime),
          p.cost.workspace_bytes};
}

// Layers run one at a time, so the largest layer kind's step counts (a global layer's, with a pattern).
Step largest_attention_step(const ModelConfig& m, const Gpu& gpu, const Scenario& s) {
  Step largest;
  for (const LayerAttention kind : attention_layer_kinds(m)) {
    Step step = attention_step(m, gpu, s, kind);
    if (step.bytes > largest.bytes) largest = std::move(step);
  }
  return largest;
}

// in_proj output, causal-conv output and the SSD scan's own tensors (core ssm-scan); at decode the
// recurrent update touches one token's projections.
double ssm_step_bytes(const ModelConfig& m, const Gpu& gpu, const Scenario& s) {
  const double e = element_bytes(s.dtype);
  const double tokens = step_tokens(s);
  const double projections = allocated_bytes(tokens * ssm_in_proj_width(m) * e, s.runtime) +
                             allocated_bytes(tokens * ssm_conv_channels(m) * e, s.runtime);
  if (s.phase == Phase::decode) return projections;
  const Prediction scan = predict_ssm_scan(m, gpu, s);
  const double scan_bytes = allocated_bytes(scan.cost.io_bytes + scan.cost.workspace_bytes, s.runtime);
  return projections + (training(s) ? 2.0 : 1.0) * scan_bytes;  // backward holds gradients of the same tensors
}

// HF LlamaMLP: down(act(gate(x)) * up(x)): act(gate), up and their product are alive together.
double dense_mlp_bytes(double tokens, double width, const Scenario& s) {
  return 3.0 * allocated_bytes(tokens * width * element_bytes(s.dtype), s.runtime);
}

// Hugging Face's MoE block (MixtralSparseMoeBlock, Qwen3MoeSparseMoeBlock, DeepseekV3MoE): router
// logits and their fp32 softmax (M, E), the int64 one-hot expert mask (E, k, M), the output it
// accumulates (M, hidden), and one expert at a time over the tokens routed to it, M x k / E under
// uniform routing: their gathered input, gate and up, act(gate) * up and the down projection's
// output. DeepSeek's shared experts then run as one dense MLP beside the output.
double moe_step_bytes(const ModelConfig& m, const Scenario& s) {
  const MoeConfig& moe = *m.moe;
  const RuntimeOverhead& rt = s.runtime;
  const double e = element_bytes(s.dtype);
  const double tokens = step_tokens(s);
  const double experts = double(moe.routed_experts);
  const double k = double(moe.experts_per_token);
  const double h = double(m.hidden_size);
  const double width = double(moe.moe_intermediate_size);
  constexpr double kInt64Bytes = 8.0;
  const double routing = allocated_bytes(tokens * experts * e, rt) +
                         allocated_bytes(tokens * experts * kFp32Bytes, rt) +
                         allocated_bytes(experts * k * tokens * kInt64Bytes, rt);
  const double routed_tokens = tokens * k / experts;
  const double one_expert = 2.0 * allocated_bytes(routed_tokens * h * e, rt) +
                            allocated_bytes(routed_tokens * 2.0 * width * e, rt) +
                            allocated_bytes(routed_tokens * width * e, rt);
  const double shared = moe.shared_experts > 0 ? dense_mlp_bytes(tokens, double(moe.shared_experts) * width, s) : 0.0;
  return allocated_bytes(tokens * h * e, rt) + std::max(routing + one_expert, shared);
}

// The larger of a dense layer's MLP and an MoE layer's expert block.
double mlp_step_bytes(const ModelConfig& m, const Scenario& s) {
  double bytes = 0;
  if (m.intermediate_size > 0 && m.dense_layers() > 0) {
    bytes = dense_mlp_bytes(step_tokens(s), double(m.intermediate_size), s);
  }
  if (m.moe) bytes = std::max(bytes, moe_step_bytes(m, s));
  return bytes;
}

double logits_step_bytes(const ModelConfig& m, const Scenario& s) {
  const double rows = s.phase == Phase::decode || !s.all_logits ? double(s.batch) : step_tokens(s);
  const double logits = rows * double(m.vocab_size);
  double bytes = allocated_bytes(logits * element_bytes(s.dtype), s.runtime);
  if (s.logits_fp32 || training(s)) bytes += allocated_bytes(logits * kFp32Bytes, s.runtime);
  if (training(s)) bytes += allocated_bytes(logits * kFp32Bytes, s.runtime);  // cross-entropy gradient
  return bytes;
}

// Activations one layer keeps for its backward pass (forward workspace of the core variants kept
// whole: an upper bound for eager, whose softmax step holds more than it saves). An MoE layer keeps
// its router logits and, per token, the same MLP tensors for each expert it passes through.
double saved_per_layer_bytes(const ModelConfig& m, const Gpu& gpu, const Scenario& s, bool moe_layer,
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
  return allocated_bytes(tokens * width * e + core, s.runtime);
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
double saved_all_layers_bytes(const ModelConfig& m, const Gpu& gpu, const Scenario& s) {
  double bytes = 0;
  for (const auto& [kind, share] : layer_kind_shares(m)) {
    if (m.dense_layers() > 0) bytes += share * m.dense_layers() * saved_per_layer_bytes(m, gpu, s, false, kind);
    if (m.moe) bytes += share * m.moe_layers() * saved_per_layer_bytes(m, gpu, s, true, kind);
  }
  return bytes;
}

// The largest one layer keeps, for recomputation (which re-runs one layer at a time).
double saved_largest_layer_bytes(const ModelConfig& m, const Gpu& gpu, const Scenario& s) {
  double largest = 0;
  for (const auto& [kind, share] : layer_kind_shares(m)) {
    if (m.dense_layers() > 0) largest = std::max(largest, saved_per_layer_bytes(m, gpu, s, false, kind));
    if (m.moe) largest = std::max(largest, saved_per_layer_bytes(m, gpu, s, true, kind));
  }
  return largest;
}

}  // namespace

const std::vector<std::string>& part_names() {
  static const std::vector<std::string> names = {
      "weights",         "gradients", "optimizer_states", "kv_cache", "ssm_state", "saved_activations",
      "residual_stream", "attention", "ssm_scan",         "mlp",      "logits",    "cuda_context"};
  return names;
}

double MemoryBreakdown::part(const std::string& name) const {
  for (const MemoryPart& p : parts) {
    if (p.name == name) return p.bytes;
  }
  return 0.0;
}

double allocated_bytes(double bytes, const RuntimeOverhead& rt) {
  if (bytes <= 0) return 0.0;
  const double unit =
      bytes > rt.small_allocation_limit_bytes ? rt.large_allocation_round_bytes : rt.small_allocation_round_bytes;
  return std::ceil(bytes / unit) * unit;
}

double kv_cache_layer_bytes(const ModelConfig& m, const Scenario& s, LayerAttention kind) {
  if (!m.has_attention()) return 0.0;
  const double per_token_layer =
      m.mla ? double(m.mla->kv_lora_rank + m.mla->qk_rope_head_dim) : 2.0 * double(m.kv_heads) * double(m.head_dim);
  return double(s.batch) * per_token_layer * cached_tokens(m, s, kind) * element_bytes(s.kv_dtype);
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
  std::vector<MemoryPart> persistent;
  persistent.push_back(
      {"weights", parameter_allocation(m, matrix_element_bytes(s.weights, s.dtype), e, rt), true, true});
  if (training(s)) {
    persistent.push_back({"gradients", parameter_allocation(m, e, e, rt), true, true});
    persistent.push_back({"optimizer_states",
                          parameter_allocation(m, kOptimizerBytesPerParameter, kOptimizerBytesPerParameter, rt), true,
                          true});
    const double layer_input = allocated_bytes(step_tokens(s) * double(m.hidden_size) * e, rt);
    // Recomputation keeps each layer's input and re-runs one layer at a time during backward.
    const double kept = s.phase == Phase::train ? saved_all_layers_bytes(m, gpu, s)
                                                : layers * layer_input + saved_largest_layer_bytes(m, gpu, s);
    persistent.push_back({"saved_activations", kept, true, true});
  } else {
    if (m.has_attention()) {
      // K and V of a layer are two tensors; the latent and rope key one (FlashMLA's kv cache).
      const double per_layer_tensors = m.mla ? 1.0 : 2.0;
      double cache = 0;
      for (const LayerAttention kind : attention_layer_kinds(m)) {
        cache += m.attention_layers(kind) * per_layer_tensors *
                 allocated_bytes(kv_cache_layer_bytes(m, s, kind) / per_layer_tensors, rt);
      }
      persistent.push_back({"kv_cache", cache, true, true});
    }
    if (m.has_ssm()) {
      persistent.push_back({"ssm_state", layers * allocated_bytes(ssm_state_bytes(m, s) / layers, rt), true, true});
    }
  }
  persistent.push_back({"cuda_context", rt.cuda_context_bytes, true, true});

  // The steps of one layer and the logits; the largest sets the peak.
  const double residual = 2.0 * allocated_bytes(step_tokens(s) * double(m.hidden_size) * e, rt);
  Step attention;
  if (m.has_attention()) attention = largest_attention_step(m, gpu, s);
  const double ssm = m.has_ssm() ? ssm_step_bytes(m, gpu, s) : 0.0;
  const double mlp = mlp_step_bytes(m, s);
  const double logits = logits_step_bytes(m, s);
  // A parallel hybrid holds both mixers' outputs before concatenating them.
  const double mixer = m.mixer == Mixer::parallel_hybrid ? attention.bytes + ssm : std::max(attention.bytes, ssm);
  std::string step = m.mixer == Mixer::parallel_hybrid ? "attention+ssm" : (m.has_attention() ? "attention" : "ssm");
  double step_bytes = mixer;
  if (mlp > step_bytes) {
    step = "mlp";
    step_bytes = mlp;
  }
  if (logits > step_bytes) {
    step = "logits";
    step_bytes = logits;
  }

  MemoryBreakdown b;
  b.peak_step = step;
  b.attention_workspace_bytes = attention.attention_workspace;
  const bool mixer_at_peak = step != "mlp" && step != "logits";
  for (const std::string& name : part_names()) {
    MemoryPart part{name, 0.0, false, false};
    for (const MemoryPart& p : persistent) {
      if (p.name == name) part = p;
    }
    if (name == "residual_stream") part = {name, residual, false, true};
    if (name == "attention") part = {name, attention.bytes, false, mixer_at_peak && m.has_attention()};
    if (name == "ssm_scan") part = {name, ssm, false, mixer_at_peak && m.has_ssm()};
    if (name == "mlp") part = {name, mlp, false, step == "mlp"};
    if (name == "logits") part = {name, logits, false, step == "logits"};
    if (part.at_peak) b.total_bytes += part.bytes;
    b.parts.push_back(part);
  }
  return b;
}

}  // namespace attnsim::capacity
