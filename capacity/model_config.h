// A whole language model as the capacity planner sees it: the shape fields of its published
// config.json (models/<id>.toml, schema in models/SCHEMA.md). Immutable input, like Gpu.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace attnsim::capacity {

// What mixes tokens in every layer. Parallel hybrids (Falcon-H1) run attention and an SSM side by
// side in each layer and concatenate their outputs.
enum class Mixer { attention, ssm, parallel_hybrid };

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
};

struct ModelConfig {
  std::string id;    // name users type, e.g. "llama-3.1-8b"
  std::string name;  // e.g. "meta-llama/Llama-3.1-8B"
  Mixer mixer = Mixer::attention;

  std::int64_t layers = 0;
  std::int64_t hidden_size = 0;
  std::int64_t intermediate_size = 0;  // gated (SwiGLU) MLP width; 0: no MLP (Mamba blocks)
  std::int64_t vocab_size = 0;
  bool tied_embeddings = false;

  // Attention layers (absent fields for pure SSMs are 0).
  std::int64_t heads = 0;
  std::int64_t kv_heads = 0;
  std::int64_t head_dim = 0;
  bool qkv_bias = false;                       // Qwen2: biases on the q, k, v projections
  std::optional<std::int64_t> sliding_window;  // keys within this many positions (Mistral)

  std::optional<SsmConfig> ssm;

  // Parameter count the model card or paper states, to check the closed forms against.
  std::optional<double> published_parameters;

  bool has_attention() const { return mixer != Mixer::ssm; }
  bool has_ssm() const { return mixer != Mixer::attention; }
};

std::string mixer_name(Mixer mixer);

}  // namespace attnsim::capacity
