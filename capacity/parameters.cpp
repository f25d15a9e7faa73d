#include "capacity/parameters.h"

namespace attnsim::capacity {

std::string mixer_name(Mixer mixer) {
  switch (mixer) {
    case Mixer::attention:
      return "attention";
    case Mixer::ssm:
      return "ssm";
    case Mixer::parallel_hybrid:
      return "parallel-hybrid";
  }
  return "?";
}

double ssm_in_proj_width(const ModelConfig& m) {
  const SsmConfig& s = *m.ssm;
  const double inner = double(s.inner_size);
  if (s.kind == SsmKind::mamba1) return 2.0 * inner;
  return 2.0 * inner + 2.0 * double(s.groups) * double(s.state_size) + double(s.heads);
}

double ssm_conv_channels(const ModelConfig& m) {
  const SsmConfig& s = *m.ssm;
  if (s.kind == SsmKind::mamba1) return double(s.inner_size);
  return double(s.inner_size) + 2.0 * double(s.groups) * double(s.state_size);
}

double ssm_state_elements(const ModelConfig& m) { return double(m.ssm->inner_size) * double(m.ssm->state_size); }

namespace {

double attention_parameters(const ModelConfig& m) {
  const double h = double(m.hidden_size);
  const double q_width = double(m.heads) * double(m.head_dim);
  const double kv_width = double(m.kv_heads) * double(m.head_dim);
  const double bias = m.qkv_bias ? q_width + 2.0 * kv_width : 0.0;
  return h * q_width + 2.0 * h * kv_width + q_width * h + bias;  // q, k, v, o
}

double ssm_parameters(const ModelConfig& m) {
  const SsmConfig& s = *m.ssm;
  const double h = double(m.hidden_size);
  const double inner = double(s.inner_size);
  const double n = double(s.state_size);
  const double conv = ssm_conv_channels(m) * (double(s.conv_kernel) + 1.0);  // weights + bias
  const double out_proj = inner * h;
  if (s.kind == SsmKind::mamba1) {
    const double r = double(s.dt_rank);
    // x_proj (dt, B, C), dt_proj with bias, A_log, D.
    return h * ssm_in_proj_width(m) + conv + inner * (r + 2.0 * n) + r * inner + inner + inner * n + inner + out_proj;
  }
  // dt_bias, A_log, D per head; gated RMSNorm over d_inner.
  return h * ssm_in_proj_width(m) + conv + 3.0 * double(s.heads) + inner + out_proj;
}

}  // namespace

ParameterCounts count_parameters(const ModelConfig& m) {
  ParameterCounts c;
  const double h = double(m.hidden_size);
  c.embedding = double(m.vocab_size) * h;
  c.lm_head = m.tied_embeddings ? 0.0 : c.embedding;
  if (m.has_attention()) c.attention_per_layer = attention_parameters(m);
  if (m.has_ssm()) c.ssm_per_layer = ssm_parameters(m);
  c.mlp_per_layer = 3.0 * h * double(m.intermediate_size);  // gate, up, down
  // One RMSNorm before the mixer, one before the MLP when there is one.
  c.norms_per_layer = h * (m.intermediate_size > 0 ? 2.0 : 1.0);
  c.final_norm = h;
  c.layers = double(m.layers);
  return c;
}

}  // namespace attnsim::capacity
