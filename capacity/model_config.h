// A whole language model as the capacity planner sees it: the shape fields of its published
// config.json (models/<id>.toml, schema in models/SCHEMA.md). Immutable input, like Gpu.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attnsim::capacity {

// What mixes tokens in every layer. Parallel hybrids (Falcon-H1) run attention and an SSM side by
// side in each layer and concatenate their outputs. Shared hybrids (Zamba2) run an SSM in every layer
// and, before some of them, one of a few attention+MLP blocks whose weights every application shares.
enum class Mixer { attention, ssm, parallel_hybrid, shared_hybrid };

// Mamba-1 (selective scan, arXiv 2312.00752) or Mamba-2 (SSD, arXiv 2405.21060) layer.
enum class SsmKind { mamba1, mamba2 };

struct SsmConfig {
  SsmKind kind = SsmKind::mamba2;
  std::int64_t state_size = 128;  // N (d_state)
  std::int64_t inner_size = 0;    // d_inner = expand * d_model, or Falcon-H1's mamba_d_ssm
  std::int64_t conv_kernel = 4;   // d_conv
  std::int64_t heads = 0;         // Mamba-2 heads (d_inner / head_dim); Mamba-1: d_inner channels
  std::int64_t head_dim = 64;     // Mamba-2 P; Mamba-1: 1 (every channel its own state)
  std::int64_t groups = 1;        // B/C groups (Mamba-2)
  std::int64_t dt_rank = 0;       // Mamba-1 x_proj rank (ceil(d_model / 16) by default)
  // Mamba-2 SSD chunk length (config.json chunk_size, Falcon-H1's mamba_chunk_size). Only transformers'
  // pure-PyTorch path depends on it; absent, transformers' Mamba2Config default of 256.
  std::int64_t chunk_size = 256;
};

// Mixture of experts (Mixtral, arXiv 2401.04088; DeepSeekMoE, arXiv 2401.06066): the MLP of a layer
// is `routed_experts` gated MLPs of width moe_intermediate_size, of which a router picks
// `experts_per_token` for each token, plus `shared_experts` every token passes. The first
// `first_dense_layers` layers keep a dense MLP of intermediate_size (DeepSeek's first_k_dense_replace).
struct MoeConfig {
  std::int64_t routed_experts = 0;         // E (num_local_experts, num_experts, n_routed_experts)
  std::int64_t experts_per_token = 0;      // k (num_experts_per_tok)
  std::int64_t shared_experts = 0;         // n_shared_experts (DeepSeek); 0 for Mixtral and Qwen3-MoE
  std::int64_t moe_intermediate_size = 0;  // one expert's gated-MLP width
  std::int64_t first_dense_layers = 0;     // first_k_dense_replace

  // Experts each token passes through in an MoE layer: its k routed ones and the shared ones.
  double experts_a_token_passes() const { return double(experts_per_token + shared_experts); }
};

// Multi-head latent attention (DeepSeek-V2, arXiv 2405.04434 Sec. 2.1): keys and values are
// up-projected from a cached latent of kv_lora_rank plus one shared rope key of qk_rope_head_dim;
// queries go through a low-rank q_lora_rank bottleneck when there is one (V3; V2-Lite has none).
struct MlaConfig {
  std::optional<std::int64_t> q_lora_rank;
  std::int64_t kv_lora_rank = 0;
  std::int64_t qk_rope_head_dim = 0;
  std::int64_t qk_nope_head_dim = 0;
  std::int64_t v_head_dim = 0;
};

// What one attention layer attends to: every earlier key (global, HF "full_attention") or the
// `sliding_window` most recent ones (local, HF "sliding_attention").
enum class LayerAttention { global, local };

// Layers that alternate local sliding-window and global attention (Gemma 3: 5 local to 1 global,
// gpt-oss: alternating). `layer_types` is the repeating unit, laid over the layers from layer 0 as
// Hugging Face's `layer_types` list is; a local layer caches min(context, window) tokens.
struct AttentionPattern {
  std::int64_t sliding_window = 0;         // tokens a local layer sees and caches
  std::vector<LayerAttention> layer_types;  // repeating unit, at least one entry
  // gpt-oss: a learned logit per head that joins every softmax's denominator (H floats per layer:
  // negligible memory, no change to the cache or to the kernels' work).
  bool attention_sinks = false;

  // Layers of `kind` among `layers` when the unit repeats from layer 0 (a partial unit at the end).
  std::int64_t layers_of(LayerAttention kind, std::int64_t layers) const {
    const auto unit = std::int64_t(layer_types.size());
    std::int64_t count = 0;
    for (std::int64_t i = 0; i < layers; ++i) count += layer_types[std::size_t(i % unit)] == kind ? 1 : 0;
    return count;
  }
};

// Zamba2's shared transformer blocks (arXiv 2411.15242; transformers Zamba2Model): `blocks` attention+MLP
// blocks (num_mem_blocks) applied in turn before `applications` of the SSM layers (hybrid_layer_ids).
// Their weights count once; each application has its own KV cache, its own (hidden, hidden) output
// linear and, at `adapter_rank` > 0, its own LoRA adapters on q, k, v and on the MLP's gate_up.
struct SharedBlocks {
  std::int64_t blocks = 1;        // num_mem_blocks
  std::int64_t applications = 0;  // len(hybrid_layer_ids)
  std::int64_t input_size = 0;    // attention_hidden_size: the block reads concat(hidden, embedding), 2 x hidden
  std::int64_t adapter_rank = 0;
  bool attention_adapters = false;  // use_shared_attention_adapter: q, k, v adapters per application
  bool mlp_adapters = false;        // gate_up_proj adapter per application (Zamba2MLP always has it)
};

struct ModelConfig {
  std::string id;    // name users type, e.g. "llama-3.1-8b"
  std::string name;  // e.g. "meta-llama/Llama-3.1-8B"
  Mixer mixer = Mixer::attention;

  std::int64_t layers = 0;
  std::int64_t hidden_size = 0;
  std::int64_t intermediate_size = 0;  // dense gated (SwiGLU) MLP width; 0: no MLP (Mamba blocks)
  std::int64_t vocab_size = 0;
  bool tied_embeddings = false;
  // One gate_up_proj whose output the MLP chunks into views (Phi-3): the 2-wide output stays alive.
  bool fused_gate_up = false;
  // Falcon-H1's `lm_head_multiplier`: the logits are lm_head(h) * multiplier, a second full tensor.
  std::optional<double> lm_head_multiplier;

  // Attention layers (absent fields for pure SSMs are 0).
  std::int64_t heads = 0;
  std::int64_t kv_heads = 0;
  std::int64_t head_dim = 0;                   // of queries and keys; MLA: qk_nope_head_dim + qk_rope_head_dim
  bool qkv_bias = false;                       // Qwen2: biases on the q, k, v projections
  // One qkv_proj whose output q, k and v are views of (Phi-3): a cached V keeps the whole buffer.
  bool fused_qkv = false;
  // Rotary embedding split at the rotary dim and concatenated back with the unrotated rest, even when
  // that rest is empty (transformers' Phi-3 apply_rotary_pos_emb): one more copy of q and of k a layer.
  bool rotary_concatenates_pass_through = false;
  std::optional<std::int64_t> sliding_window;  // keys within this many positions (Mistral)
  std::optional<AttentionPattern> attention_pattern;  // local and global layers (Gemma 3, gpt-oss)

  std::optional<SsmConfig> ssm;
  std::optional<MoeConfig> moe;
  std::optional<MlaConfig> mla;
  std::optional<SharedBlocks> shared_blocks;  // mixer shared-hybrid only

  // Parameter count the model card or paper states, to check the closed forms against.
  std::optional<double> published_parameters;

  bool has_attention() const { return mixer != Mixer::ssm; }
  bool has_ssm() const { return mixer != Mixer::attention; }
  bool has_mlp() const { return intermediate_size > 0 || moe.has_value(); }
  // Layers whose MLP is a mixture of experts; the others (all of a dense model) have the dense MLP.
  double moe_layers() const { return moe ? double(layers - moe->first_dense_layers) : 0.0; }
  double dense_layers() const { return double(layers) - moe_layers(); }
  // Attention layers of each kind; without a pattern every layer is global (Mistral's window applies
  // to all of them through `sliding_window`, not through a pattern). A shared hybrid runs (and caches)
  // attention once per application of a shared block.
  double attention_layers(LayerAttention kind) const {
    if (shared_blocks) return kind == LayerAttention::global ? double(shared_blocks->applications) : 0.0;
    if (!attention_pattern) return kind == LayerAttention::global ? double(layers) : 0.0;
    return double(attention_pattern->layers_of(kind, layers));
  }
  // The window of a layer of `kind`: the pattern's for local layers, else the model-wide one.
  std::optional<std::int64_t> window_of(LayerAttention kind) const {
    if (kind == LayerAttention::local && attention_pattern) return attention_pattern->sliding_window;
    return sliding_window;
  }
  // d_v of values and attention outputs (MLA's v_head_dim differs from the query/key head dim).
  std::int64_t value_head_dim() const { return mla ? mla->v_head_dim : head_dim; }
};

std::string mixer_name(Mixer mixer);

}  // namespace attnsim::capacity
