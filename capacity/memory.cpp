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

// Element counts of the large per-layer matrices, each its own allocation.
std::vector<double> layer_matrices(const ModelConfig& m) {
  std::vector<double> mats;
  const double h = double(m.hidden_size);
  if (m.has_attention()) {
    const double q = double(m.heads) * double(m.head_dim);
    const double kv = double(m.kv_heads) * double(m.head_dim);
    mats.insert(mats.end(), {h * q, h * kv, h * kv, q * h});
  }
  if (m.has_ssm()) mats.insert(mats.end(), {h * ssm_in_proj_width(m), double(m.ssm->inner_size) * h});
  if (m.intermediate_size > 0) mats.insert(mats.end(), 3, h * double(m.intermediate_size));
  return mats;
}

// Allocated bytes of every parameter tensor at `bytes_per_parameter`: large matrices rounded one
// by one, the small remainder (norms, biases, conv, A, D) added as is.
double parameter_allocation(const ModelConfig& m, double bytes_per_parameter, const RuntimeOverhead& rt) {
  const ParameterCounts c = count_parameters(m);
  double listed = 0;
  double allocated = 0;
  for (const double elements : layer_matrices(m)) {
    listed += elements * c.layers;
    allocated += c.layers * allocated_bytes(elements * bytes_per_parameter, rt);
  }
  for (const double elements : {c.embedding, c.lm_head}) {
    listed += elements;
    if (elements > 0) allocated += allocated_bytes(elements * bytes_per_parameter, rt);
  }
  return allocated + (c.total() - listed) * bytes_per_parameter;
}

double cached_tokens(const ModelConfig& m, const Scenario& s) {
  const double tokens =
      m.sliding_window ? std::min<double>(double(s.context), double(*m.sliding_window)) : double(s.context);
  const double block = double(s.kv_block_tokens);
  return std::ceil(tokens / block) * block;
}

struct Step {
  std::string name;
  double bytes = 0;
  double attention_workspace = 0;
};

// One attention call's tensors from the core variant; K and V live in the cache when one is kept.
Step attention_step(const ModelConfig& m, const Gpu& gpu, const Scenario& s) {
  const Pass pass = training(s) ? Pass::forward_backward : Pass::forward;
  const Prediction p = predict_attention(m, gpu, s, pass);
  const Workload& w = p.workload;
  const double cached = keeps_cache(s) ? k_bytes(w) + v_bytes(w) : 0.0;
  return {"attention", allocated_bytes(p.cost.io_bytes - cached + p.cost.workspace_bytes, s.runtime),
          p.cost.workspace_bytes};
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
double mlp_step_bytes(const ModelConfig& m, const Scenario& s) {
  if (m.intermediate_size == 0) return 0.0;
  return 3.0 * allocated_bytes(step_tokens(s) * double(m.intermediate_size) * element_bytes(s.dtype), s.runtime);
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
// whole: an upper bound for eager, whose softmax step holds more than it saves).
double saved_per_layer_bytes(const ModelConfig& m, const Gpu& gpu, const Scenario& s) {
  const double e = element_bytes(s.dtype);
  const double tokens = step_tokens(s);
  const double h = double(m.hidden_size);
  double width = h;  // the mixer's normalized input
  double core = 0;
  if (m.has_attention()) {
    width += (double(m.heads) + 2.0 * double(m.kv_heads)) * double(m.head_dim);  // q, k, v
    const Prediction p = predict_attention(m, gpu, s, Pass::forward);
    core += o_bytes(p.workload) + p.cost.workspace_bytes;
  }
  if (m.has_ssm()) {
    width += ssm_in_proj_width(m) + ssm_conv_channels(m) + double(m.ssm->inner_size);
    const Prediction scan = predict_ssm_scan(m, gpu, s);
    core += scan.cost.io_bytes + scan.cost.workspace_bytes;
  }
  if (m.intermediate_size > 0) width += 2.0 * h + 4.0 * double(m.intermediate_size);  // norm, gate, up, act, product
  return allocated_bytes(tokens * width * e + core, s.runtime);
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

double weight_bytes(const ModelConfig& m, const Scenario& s) {
  return count_parameters(m).total() * element_bytes(s.dtype);
}

double kv_cache_bytes(const ModelConfig& m, const Scenario& s) {
  if (!m.has_attention()) return 0.0;
  return 2.0 * double(m.layers) * double(s.batch) * double(m.kv_heads) * double(m.head_dim) * cached_tokens(m, s) *
         element_bytes(s.kv_dtype);
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
  std::vector<MemoryPart> persistent;
  persistent.push_back({"weights", parameter_allocation(m, e, rt), true, true});
  if (training(s)) {
    persistent.push_back({"gradients", parameter_allocation(m, e, rt), true, true});
    persistent.push_back({"optimizer_states", parameter_allocation(m, kOptimizerBytesPerParameter, rt), true, true});
    const double saved = saved_per_layer_bytes(m, gpu, s);
    const double layer_input = allocated_bytes(step_tokens(s) * double(m.hidden_size) * e, rt);
    // Recomputation keeps each layer's input and re-runs one layer at a time during backward.
    const double kept = s.phase == Phase::train ? layers * saved : layers * layer_input + saved;
    persistent.push_back({"saved_activations", kept, true, true});
  } else {
    if (m.has_attention()) {
      const double per_layer_tensor = kv_cache_bytes(m, s) / (2.0 * layers);
      persistent.push_back({"kv_cache", 2.0 * layers * allocated_bytes(per_layer_tensor, rt), true, true});
    }
    if (m.has_ssm()) {
      persistent.push_back({"ssm_state", layers * allocated_bytes(ssm_state_bytes(m, s) / layers, rt), true, true});
    }
  }
  persistent.push_back({"cuda_context", rt.cuda_context_bytes, true, true});

  // The steps of one layer and the logits; the largest sets the peak.
  const double residual = 2.0 * allocated_bytes(step_tokens(s) * double(m.hidden_size) * e, rt);
  Step attention;
  if (m.has_attention()) attention = attention_step(m, gpu, s);
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
