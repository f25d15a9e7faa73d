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
    case Mixer::shared_hybrid:
      return "shared-hybrid";
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

// DeepseekV3Attention: q_a_proj (hidden -> q_lora_rank), q_a_layernorm, q_b_proj (q_lora_rank ->
// heads x (nope + rope)) or one q_proj without a q rank; kv_a_proj_with_mqa (hidden -> kv_lora_rank +
// rope), kv_a_layernorm, kv_b_proj (kv_lora_rank -> heads x (nope + v)); o_proj (heads x v -> hidden).
std::vector<double> mla_matrices(const ModelConfig& m) {
  const MlaConfig& a = *m.mla;
  const double h = double(m.hidden_size);
  const double heads = double(m.heads);
  const double q_width = heads * double(m.head_dim);
  std::vector<double> mats;
  if (a.q_lora_rank) {
    mats.push_back(h * double(*a.q_lora_rank));
    mats.push_back(double(*a.q_lora_rank) * q_width);
  } else {
    mats.push_back(h * q_width);
  }
  const double latent = double(a.kv_lora_rank);
  mats.push_back(h * (latent + double(a.qk_rope_head_dim)));
  mats.push_back(latent * heads * double(a.qk_nope_head_dim + a.v_head_dim));
  mats.push_back(heads * double(a.v_head_dim) * h);
  return mats;
}

// q, k, v, o; or MLA's projections. A shared block's q, k, v read its wider input (Zamba2Attention:
// attention_hidden_size in, hidden_size out of o_proj).
std::vector<double> attention_matrices(const ModelConfig& m) {
  if (m.mla) return mla_matrices(m);
  const double h = double(m.hidden_size);
  const double in = m.shared_blocks ? double(m.shared_blocks->input_size) : h;
  const double q = double(m.heads) * double(m.head_dim);
  const double kv = double(m.kv_heads) * double(m.head_dim);
  return {in * q, in * kv, in * kv, q * h};
}

double attention_parameters(const ModelConfig& m) {
  double sum = 0;
  for (const double elements : attention_matrices(m)) sum += elements;
  if (m.mla) return sum + double(m.mla->q_lora_rank.value_or(0)) + double(m.mla->kv_lora_rank);  // latent norms
  const double q_width = double(m.heads) * double(m.head_dim);
  const double kv_width = double(m.kv_heads) * double(m.head_dim);
  return sum + (m.qkv_bias ? q_width + 2.0 * kv_width : 0.0);
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

// Zamba2AttentionDecoderLayer: input_layernorm over the block's input, attention, pre_ff_layernorm, MLP.
double shared_block_matmuls(const ModelConfig& m) {
  return attention_parameters(m) + 3.0 * double(m.hidden_size) * double(m.intermediate_size);
}

// Each application's own weights: Zamba2HybridLayer's (hidden, hidden) linear; Zamba2Attention's
// q, k, v adapters, Linear(input, rank) then Linear(rank, width), when use_shared_attention_adapter;
// Zamba2MLP's gate_up adapter, Linear(hidden, rank) then Linear(rank, 2 x intermediate).
double per_application(const ModelConfig& m) {
  const SharedBlocks& b = *m.shared_blocks;
  const double h = double(m.hidden_size);
  const double r = double(b.adapter_rank);
  const double in = double(b.input_size);
  const double q_width = double(m.heads) * double(m.head_dim);
  const double kv_width = double(m.kv_heads) * double(m.head_dim);
  double sum = h * h;
  if (b.attention_adapters) sum += r * (3.0 * in + q_width + 2.0 * kv_width);
  if (b.mlp_adapters) sum += r * (h + 2.0 * double(m.intermediate_size));
  return sum;
}

void count_shared_blocks(const ModelConfig& m, ParameterCounts& c) {
  const double h = double(m.hidden_size);
  c.shared_block_matmuls = shared_block_matmuls(m);
  c.shared_block = c.shared_block_matmuls + double(m.shared_blocks->input_size) + h;  // the two norms
  c.shared_blocks = double(m.shared_blocks->blocks);
  c.per_application = per_application(m);
  c.applications = double(m.shared_blocks->applications);
  // Every layer is an SSM layer with its input norm; attention and the MLP live in the shared blocks.
  c.attention_per_layer = 0;
  c.mlp_per_layer = 0;
  c.norms_per_layer = h;
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
  // One RMSNorm before the mixer, one before the MLP (dense or experts) when there is one.
  c.norms_per_layer = h * (m.has_mlp() ? 2.0 : 1.0);
  c.final_norm = h;
  c.layers = double(m.layers);
  if (m.moe) {
    const MoeConfig& e = *m.moe;
    c.moe_layers = m.moe_layers();
    c.expert = 3.0 * h * double(e.moe_intermediate_size);
    c.routed_experts = double(e.routed_experts);
    c.experts_per_token = double(e.experts_per_token);
    // DeepseekV3MoE's shared_experts: one gated MLP of n_shared_experts x moe_intermediate_size.
    c.shared_experts_per_layer = double(e.shared_experts) * c.expert;
    // The router's (E, hidden) weight; DeepSeek-V3's per-expert e_score_correction_bias (E values
    // a layer, 14,848 in all) is not counted.
    c.router_per_layer = c.routed_experts * h;
  }
  if (m.shared_blocks) count_shared_blocks(m, c);
  return c;
}

std::vector<WeightMatrix> decoder_matrices(const ModelConfig& m) {
  std::vector<WeightMatrix> mats;
  const double layers = double(m.layers);
  const double h = double(m.hidden_size);
  // A shared hybrid holds its attention and MLP once per block, and one output linear per application.
  const double attention_copies = m.shared_blocks ? double(m.shared_blocks->blocks) : layers;
  if (m.has_attention()) {
    for (const double elements : attention_matrices(m)) mats.push_back({elements, attention_copies, true});
  }
  if (m.shared_blocks) {
    mats.push_back({h * h, double(m.shared_blocks->applications), true});
    mats.insert(mats.end(), 3, {h * double(m.intermediate_size), attention_copies, true});
  }
  if (m.has_ssm()) {
    mats.push_back({h * ssm_in_proj_width(m), layers, true});
    mats.push_back({double(m.ssm->inner_size) * h, layers, true});
  }
  if (m.intermediate_size > 0 && m.dense_layers() > 0 && !m.shared_blocks) {
    mats.insert(mats.end(), 3, {h * double(m.intermediate_size), m.dense_layers(), true});
  }
  if (m.moe) {
    const MoeConfig& e = *m.moe;
    const double experts = double(e.routed_experts);
    const double width = double(e.moe_intermediate_size);
    // transformers 5 and vLLM's FusedMoE hold a layer's experts as two stacked tensors:
    // gate_up_proj (E, 2 x moe_intermediate_size, hidden) and down_proj (E, hidden, moe_intermediate_size).
    mats.push_back({experts * 2.0 * width * h, m.moe_layers(), true});
    mats.push_back({experts * h * width, m.moe_layers(), true});
    if (e.shared_experts > 0) {
      mats.insert(mats.end(), 3, {h * double(e.shared_experts) * width, m.moe_layers(), true});
    }
    mats.push_back({experts * h, m.moe_layers(), false});
  }
  return mats;
}

}  // namespace attnsim::capacity
