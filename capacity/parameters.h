// Parameter counts of a model config, matrix by matrix, in the layouts of the Hugging Face
// implementations (LlamaForCausalLM, Qwen2, Mistral, Phi3, FalconH1, Mixtral, Qwen3-MoE, DeepseekV3, Zamba2)
// and of mamba_ssm (modules/mamba_simple.py, modules/mamba2.py). Counted in double: 70B x 4 bytes
// passes 2^31.
#pragma once

#include <vector>

#include "capacity/model_config.h"

namespace attnsim::capacity {

struct ParameterCounts {
  double embedding = 0;            // (vocab, hidden)
  double lm_head = 0;              // (vocab, hidden), 0 when tied to the embedding
  double attention_per_layer = 0;  // q, k, v, o (and biases); MLA: its projections and latent norms
  double ssm_per_layer = 0;
  double mlp_per_layer = 0;  // the dense gated MLP (gate, up, down) of a dense layer
  double norms_per_layer = 0;
  double final_norm = 0;
  double layers = 0;
  // Mixture of experts: `moe_layers` of the layers hold experts instead of the dense MLP.
  double moe_layers = 0;
  double expert = 0;                    // one expert: gate, up, down of moe_intermediate_size
  double routed_experts = 0;            // E
  double experts_per_token = 0;         // k
  double shared_experts_per_layer = 0;  // every shared expert of a layer
  double router_per_layer = 0;          // the (E, hidden) gate
  // Shared hybrids (Zamba2): `shared_blocks` attention+MLP blocks held once, applied `applications`
  // times, each application with its own output linear and adapters.
  double shared_block = 0;          // one block: attention, MLP, its two norms
  double shared_block_matmuls = 0;  // the part of it that multiplies tokens (norms apart)
  double shared_blocks = 0;         // num_mem_blocks
  double per_application = 0;       // (hidden, hidden) linear + LoRA adapters
  double applications = 0;

  double dense_layers() const { return layers - moe_layers; }
  double moe_per_layer() const { return routed_experts * expert + shared_experts_per_layer + router_per_layer; }
  // What one token's pass through an MoE block multiplies: its k routed experts, the shared ones, the router.
  double active_moe_per_layer() const {
    return experts_per_token * expert + shared_experts_per_layer + router_per_layer;
  }
  // A dense layer (every layer of a model without experts) and an MoE layer.
  double per_layer() const { return attention_per_layer + ssm_per_layer + mlp_per_layer + norms_per_layer; }
  double per_moe_layer() const { return attention_per_layer + ssm_per_layer + moe_per_layer() + norms_per_layer; }
  double shared() const { return shared_blocks * shared_block + applications * per_application; }
  double total() const {
    return embedding + lm_head + dense_layers() * per_layer() + moe_layers * per_moe_layer() + shared() + final_norm;
  }
  // Weights that multiply every token (all but the embedding lookup): 2 FLOPs each per token. An
  // MoE layer counts only the experts a token is routed to.
  // A shared block multiplies every token once per application.
  double matmul_per_token() const {
    return dense_layers() * (attention_per_layer + ssm_per_layer + mlp_per_layer) +
           moe_layers * (attention_per_layer + ssm_per_layer + active_moe_per_layer()) +
           applications * (shared_block_matmuls + per_application);
  }
  // Parameters one token uses, embedding and LM head included: what MoE model cards call
  // "activated parameters" (DeepSeek-V3's README_WEIGHTS.md counts both in its 36.7B).
  double active() const {
    return embedding + lm_head + dense_layers() * per_layer() +
           moe_layers * (attention_per_layer + ssm_per_layer + active_moe_per_layer() + norms_per_layer) + shared() +
           final_norm;
  }
};

ParameterCounts count_parameters(const ModelConfig& model);

// The decoder's large weight matrices, each its own allocation: `count` matrices of `elements`
// over the whole model (embedding and LM head apart). Weight-only quantization (GPTQ, AWQ, FP8)
// converts the `quantizable` ones; routers stay in the model dtype (AutoAWQ's
// modules_to_not_convert = ["gate"] for Mixtral), as do norms, biases and the SSM's small tensors.
struct WeightMatrix {
  double elements = 0;
  double count = 0;
  bool quantizable = true;
};
std::vector<WeightMatrix> decoder_matrices(const ModelConfig& model);

// Widths of the SSM layer's tensors, shared by the parameter count and the activation model.
// Mamba-2 in_proj emits z, x, B, C, dt: 2 d_inner + 2 groups N + heads; Mamba-1 emits x, z.
double ssm_in_proj_width(const ModelConfig& model);
double ssm_conv_channels(const ModelConfig& model);  // x (and B, C for Mamba-2) pass the causal conv
// Recurrent state per sequence and layer at decode time, in elements: (heads, head_dim, N) or (d_inner, N).
double ssm_state_elements(const ModelConfig& model);

}  // namespace attnsim::capacity
