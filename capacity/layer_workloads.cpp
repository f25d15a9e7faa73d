#include "capacity/layer_workloads.h"

#include <algorithm>

#include "model/error.h"
#include "model/sdpa_dispatch.h"

namespace attnsim::capacity {

Workload attention_workload(const ModelConfig& m, const Scenario& s, Pass pass, LayerAttention kind) {
  Workload w;
  w.batch = s.batch;
  w.heads = m.heads;
  w.kv_heads = m.kv_heads;
  w.seq_kv = s.context;
  w.seq_q = s.phase == Phase::decode ? 1 : s.context;
  // Latent attention runs as the multi-head attention it up-projects to: every head's query and key
  // of qk_nope + qk_rope (192 in DeepSeek-V3) and value of v_head_dim (128), as its prefill does.
  w.head_dim = m.head_dim;
  w.head_dim_v = m.value_head_dim();
  w.causal = true;
  // transformers calls SDPA with is_causal and no mask while the keys are fewer than the window
  // (masking_utils._ignore_causal_mask_sdpa, local_attention_size): such a window masks nothing, and
  // the call takes the backends a causal call takes (Phi-3-mini's 262144-token window, for one).
  const std::optional<std::int64_t> window = m.window_of(kind);
  if (window && w.seq_kv >= *window) w.window = window;
  w.dtype = s.dtype;
  w.pass = pass;
  return w;
}

const Variant& attention_variant(const Workload& w, const Gpu& gpu, const std::string& attention) {
  return attention == kSdpaDefaultDispatch ? sdpa_default_backend(w, gpu) : find_variant(attention);
}

std::string attention_backend(const ModelConfig& m, const Gpu& gpu, const Scenario& s) {
  if (!m.has_attention()) return "";
  return attention_variant(attention_workload(m, s, Pass::forward), gpu, s.attention).id;
}

Prediction predict_attention(const ModelConfig& m, const Gpu& gpu, const Scenario& s, Pass pass, LayerAttention kind) {
  const Workload w = attention_workload(m, s, pass, kind);
  const Variant& chosen = attention_variant(w, gpu, s.attention);
  if (chosen.id == "ssm-scan") {
    throw InvalidInput("variant", "ssm-scan is not an attention implementation; SSM layers come from the model file");
  }
  // A local layer whose keys have not reached its window runs as a causal call (no mask, above).
  const Variant& variant = kind == LayerAttention::local && w.window ? find_variant("sliding-window") : chosen;
  return predict(w, gpu, variant, s.knobs);
}

std::vector<LayerAttention> attention_layer_kinds(const ModelConfig& m) {
  std::vector<LayerAttention> kinds;
  if (!m.has_attention()) return kinds;
  for (const LayerAttention kind : {LayerAttention::global, LayerAttention::local}) {
    if (m.attention_layers(kind) > 0) kinds.push_back(kind);
  }
  return kinds;
}

Prediction predict_ssm_scan(const ModelConfig& m, const Gpu& gpu, const Scenario& s) {
  const SsmConfig& ssm = *m.ssm;
  Workload w;
  w.batch = s.batch;
  w.heads = ssm.heads;
  w.kv_heads = ssm.heads;
  w.head_dim = ssm.head_dim;
  w.head_dim_v = ssm.head_dim;
  w.seq_q = s.context;
  w.seq_kv = s.context;
  w.dtype = s.dtype;
  VariantKnobs knobs = s.knobs;
  knobs.ssm.state_size = ssm.state_size;
  knobs.ssm.expansion = 1;
  knobs.ssm.head_dim = ssm.head_dim;
  return predict(w, gpu, find_variant("ssm-scan"), knobs);
}

double visible_keys(const ModelConfig& m, const Scenario& s, LayerAttention kind) {
  const std::optional<std::int64_t> window = m.window_of(kind);
  return window ? std::min<double>(double(s.context), double(*window)) : double(s.context);
}

double attention_kernel_seconds(const Prediction& attention) {
  return attention.predicted_seconds - attention.launch_seconds;
}

}  // namespace attnsim::capacity
