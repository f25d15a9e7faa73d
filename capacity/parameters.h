// Parameter counts of a model config, matrix by matrix, in the layouts of the Hugging Face
// implementations (LlamaForCausalLM, Qwen2, Mistral, Phi3, FalconH1) and of mamba_ssm
// (modules/mamba_simple.py, modules/mamba2.py). Counted in double: 70B x 4 bytes passes 2^31.
#pragma once

#include "capacity/model_config.h"

namespace attnsim::capacity {

struct ParameterCounts {
  double embedding = 0;  // (vocab, hidden)
  double lm_head = 0;    // (vocab, hidden), 0 when tied to the embedding
  double attention_per_layer = 0;
  double ssm_per_layer = 0;
  double mlp_per_layer = 0;
  double norms_per_layer = 0;
  double final_norm = 0;
  double layers = 0;

  double per_layer() const { return attention_per_layer + ssm_per_layer + mlp_per_layer + norms_per_layer; }
  double total() const { return embedding + lm_head + layers * per_layer() + final_norm; }
  // Weights that multiply every token (all but the embedding lookup): 2 FLOPs each per token.
  double matmul_per_token() const { return layers * (attention_per_layer + ssm_per_layer + mlp_per_layer); }
};

ParameterCounts count_parameters(const ModelConfig& model);

// Widths of the SSM layer's tensors, shared by the parameter count and the activation model.
// Mamba-2 in_proj emits z, x, B, C, dt: 2 d_inner + 2 groups N + heads; Mamba-1 emits x, z.
double ssm_in_proj_width(const ModelConfig& model);
double ssm_conv_channels(const ModelConfig& model);  // x (and B, C for Mamba-2) pass the causal conv
// Recurrent state per sequence and layer at decode time, in elements: (heads, head_dim, N) or (d_inner, N).
double ssm_state_elements(const ModelConfig& model);

}  // namespace attnsim::capacity
