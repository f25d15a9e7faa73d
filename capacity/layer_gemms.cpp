#include "capacity/layer_gemms.h"

#include "capacity/parameters.h"
#include "capacity/weights.h"

namespace attnsim::capacity {
namespace {

void add(std::vector<ModelGemm>& gemms, const char* name, double m, double k, double n, double calls) {
  if (calls > 0 && m > 0) gemms.push_back({name, {m, n, k}, calls});
}

// DeepseekV3Attention's projections (capacity/parameters.cpp mla_matrices).
void add_mla(std::vector<ModelGemm>& g, const ModelConfig& model, double tokens, double layers) {
  const MlaConfig& a = *model.mla;
  const double h = double(model.hidden_size);
  const double heads = double(model.heads);
  const double q_width = heads * double(model.head_dim);
  if (a.q_lora_rank) {
    add(g, "q_a_proj", tokens, h, double(*a.q_lora_rank), layers);
    add(g, "q_b_proj", tokens, double(*a.q_lora_rank), q_width, layers);
  } else {
    add(g, "q_proj", tokens, h, q_width, layers);
  }
  add(g, "kv_a_proj_with_mqa", tokens, h, double(a.kv_lora_rank + a.qk_rope_head_dim), layers);
  add(g, "kv_b_proj", tokens, double(a.kv_lora_rank), heads * double(a.qk_nope_head_dim + a.v_head_dim), layers);
  add(g, "o_proj", tokens, heads * double(a.v_head_dim), h, layers);
}

void add_attention(std::vector<ModelGemm>& g, const ModelConfig& model, double tokens, double in, double layers) {
  if (model.mla) return add_mla(g, model, tokens, layers);
  const double q = double(model.heads) * double(model.head_dim);
  const double kv = double(model.kv_heads) * double(model.head_dim);
  if (model.fused_qkv) {
    add(g, "qkv_proj", tokens, in, q + 2.0 * kv, layers);
  } else {
    add(g, "q_proj", tokens, in, q, layers);
    add(g, "k_proj", tokens, in, kv, 2.0 * layers);  // k_proj and v_proj: one shape
  }
  add(g, "o_proj", tokens, q, double(model.hidden_size), layers);
}

void add_gated_mlp(std::vector<ModelGemm>& g, const char* gate_up, const char* down, double rows, double h,
                   double width, bool fused, double calls) {
  if (fused) {
    add(g, gate_up, rows, h, 2.0 * width, calls);
  } else {
    add(g, gate_up, rows, h, width, 2.0 * calls);  // gate_proj and up_proj
  }
  add(g, down, rows, width, h, calls);
}

// mamba_ssm's Mamba (x_proj, dt_proj besides) and Mamba2 blocks.
void add_ssm(std::vector<ModelGemm>& g, const ModelConfig& model, double tokens, double layers) {
  const SsmConfig& s = *model.ssm;
  const double h = double(model.hidden_size);
  const double inner = double(s.inner_size);
  add(g, "in_proj", tokens, h, ssm_in_proj_width(model), layers);
  if (s.kind == SsmKind::mamba1) {
    add(g, "x_proj", tokens, inner, double(s.dt_rank) + 2.0 * double(s.state_size), layers);
    add(g, "dt_proj", tokens, double(s.dt_rank), inner, layers);
  }
  add(g, "out_proj", tokens, inner, h, layers);
}

void add_moe(std::vector<ModelGemm>& g, const ModelConfig& model, double tokens, double layers) {
  const MoeConfig& e = *model.moe;
  const double h = double(model.hidden_size);
  const double width = double(e.moe_intermediate_size);
  const double experts = double(e.routed_experts);
  const double k = double(e.experts_per_token);
  add(g, "router", tokens, h, experts, layers);
  const double reached = expected_distinct_experts(experts, k, tokens);
  // transformers 5 holds a layer's experts stacked as gate_up_proj (E, 2 w, h) and down_proj.
  add_gated_mlp(g, "experts.gate_up_proj", "experts.down_proj", tokens * k / reached, h, width, true, layers * reached);
  add_gated_mlp(g, "shared_experts.gate_up", "shared_experts.down_proj", tokens, h, double(e.shared_experts) * width,
                false, e.shared_experts > 0 ? layers : 0.0);
}

// Zamba2: each application runs the shared block (attention over the concatenated input, gate_up
// MLP) with its own output linear and LoRA adapters (capacity/parameters.cpp per_application).
void add_shared_blocks(std::vector<ModelGemm>& g, const ModelConfig& model, double tokens) {
  const SharedBlocks& b = *model.shared_blocks;
  const double h = double(model.hidden_size);
  const double apps = double(b.applications);
  const double r = double(b.adapter_rank);
  const double in = double(b.input_size);
  add_attention(g, model, tokens, in, apps);
  add_gated_mlp(g, "gate_up_proj", "down_proj", tokens, h, double(model.intermediate_size), true, apps);
  add(g, "linear", tokens, h, h, apps);
  if (b.attention_adapters) {
    const double q = double(model.heads) * double(model.head_dim);
    const double kv = double(model.kv_heads) * double(model.head_dim);
    add(g, "attention_adapter.down", tokens, in, r, 3.0 * apps);
    add(g, "q_adapter.up", tokens, r, q, apps);
    add(g, "kv_adapter.up", tokens, r, kv, 2.0 * apps);
  }
  if (b.mlp_adapters) {
    add(g, "gate_up_adapter.down", tokens, h, r, apps);
    add(g, "gate_up_adapter.up", tokens, r, 2.0 * double(model.intermediate_size), apps);
  }
}

}  // namespace

std::vector<ModelGemm> hf_forward_gemms(const ModelConfig& model, double tokens, double logit_rows) {
  std::vector<ModelGemm> g;
  const double layers = double(model.layers);
  const double h = double(model.hidden_size);
  if (model.shared_blocks) {
    add_shared_blocks(g, model, tokens);
  } else if (model.has_attention()) {
    add_attention(g, model, tokens, h, layers);
  }
  if (model.has_ssm()) add_ssm(g, model, tokens, layers);
  if (!model.shared_blocks) {
    add_gated_mlp(g, model.fused_gate_up ? "gate_up_proj" : "gate_proj,up_proj", "down_proj", tokens, h,
                  double(model.intermediate_size), model.fused_gate_up,
                  model.intermediate_size > 0 ? model.dense_layers() : 0.0);
  }
  if (model.moe) add_moe(g, model, tokens, model.moe_layers());
  add(g, "lm_head", logit_rows, h, double(model.vocab_size), 1.0);
  return g;
}

}  // namespace attnsim::capacity
