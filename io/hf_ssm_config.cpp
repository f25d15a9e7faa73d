#include "io/hf_ssm_config.h"

namespace attnsim::hf {

using capacity::Mixer;
using capacity::ModelConfig;
using capacity::SsmConfig;
using capacity::SsmKind;

namespace {

std::string mamba1_default(const std::string& what) {
  return "mamba_ssm modules/mamba_simple.py Mamba.__init__ default " + what;
}
std::string mamba2_default(const std::string& what) {
  return "mamba_ssm modules/mamba2.py Mamba2.__init__ default " + what;
}

// Mamba-1's dt_rank: the integer the config gives, or "auto" (or absent) = ceil(hidden / 16), the rule
// of both mamba_ssm and transformers; `notes` records which.
std::int64_t mamba1_dt_rank(Fields& config, Fields& notes, const char* key, const char* hidden_name,
                            std::int64_t hidden_size, const std::string& source) {
  const json* rank = config.find(key);
  if (rank && !rank->is_string()) return config.integer("ssm.dt_rank", key);
  const std::int64_t dt_rank = (hidden_size + 15) / 16;
  notes.note("ssm.dt_rank", std::string(key) + " 'auto' = ceil(" + hidden_name + " / 16) = " + std::to_string(dt_rank) +
                                " (" + source + ")");
  return dt_rank;
}

void no_mlp(Fields& f, ModelConfig& m, const std::string& why) {
  m.intermediate_size = 0;
  f.note("intermediate_size", why);
}

}  // namespace

// transformers MambaConfig (model_type mamba, the *-hf checkpoints).
ModelConfig read_mamba(Fields& f) {
  ModelConfig m;
  m.mixer = Mixer::ssm;
  read_embeddings(f, m, "mamba");
  m.vocab_size = f.integer("vocab_size", "vocab_size");
  no_mlp(f, m, "model_type mamba: transformers MambaBlock has no MLP");
  SsmConfig s;
  s.kind = SsmKind::mamba1;
  s.state_size = f.integer_or("ssm.state_size", "state_size", 16, class_default("MambaConfig", "16"));
  s.conv_kernel = f.integer_or("ssm.conv_kernel", "conv_kernel", 4, class_default("MambaConfig", "4"));
  if (f.has("intermediate_size")) {
    s.inner_size = f.integer("ssm.inner_size", "intermediate_size");
  } else {
    const std::int64_t expand = f.integer_or("ssm.inner_size", "expand", 2, class_default("MambaConfig", "2"));
    s.inner_size = expand * m.hidden_size;
    f.note("ssm.inner_size", "expand " + std::to_string(expand) + " x hidden_size " + std::to_string(m.hidden_size) +
                                 " (config.json has no intermediate_size)");
  }
  s.dt_rank = mamba1_dt_rank(f, f, "time_step_rank", "hidden_size", m.hidden_size, "transformers MambaConfig");
  s.heads = s.inner_size;
  s.head_dim = 1;
  m.ssm = s;
  return m;
}

// transformers Mamba2Config (model_type mamba2).
ModelConfig read_mamba2(Fields& f) {
  ModelConfig m;
  m.mixer = Mixer::ssm;
  read_embeddings(f, m, "mamba2");
  m.vocab_size = f.integer("vocab_size", "vocab_size");
  no_mlp(f, m, "model_type mamba2: transformers Mamba2Block has no MLP");
  SsmConfig s;
  s.kind = SsmKind::mamba2;
  s.state_size = f.integer_or("ssm.state_size", "state_size", 128, class_default("Mamba2Config", "128"));
  s.conv_kernel = f.integer_or("ssm.conv_kernel", "conv_kernel", 4, class_default("Mamba2Config", "4"));
  s.heads = f.integer("ssm.heads", "num_heads");
  s.head_dim = f.integer_or("ssm.head_dim", "head_dim", 64, class_default("Mamba2Config", "64"));
  s.groups = f.integer_or("ssm.groups", "n_groups", 1, class_default("Mamba2Config", "1"));
  if (f.has("chunk_size")) s.chunk_size = f.integer("ssm.chunk_size", "chunk_size");
  const std::int64_t expand = f.integer_or("ssm.inner_size", "expand", 2, class_default("Mamba2Config", "2"));
  s.inner_size = expand * m.hidden_size;
  f.note("ssm.inner_size", "expand " + std::to_string(expand) + " x hidden_size " + std::to_string(m.hidden_size) +
                               " (transformers Mamba2Mixer's intermediate_size)");
  m.ssm = s;
  return m;
}

// mamba_ssm's own config.json (models/config_mamba.py MambaConfig): the layer's settings in ssm_cfg,
// the rest at the defaults of the layer class ssm_cfg.layer names (Mamba1 unless it says Mamba2).
ModelConfig read_mamba_ssm(Fields& f, const json& root) {
  ModelConfig m;
  m.mixer = Mixer::ssm;
  m.layers = f.integer("layers", "n_layer");
  m.hidden_size = f.integer("hidden_size", "d_model");
  m.tied_embeddings = f.flag_or("tied_embeddings", "tie_embeddings", true, "mamba_ssm MambaConfig default true");
  if (const json* attention = f.find("attn_layer_idx"); attention && !attention->empty()) {
    f.context().fail("attn_layer_idx is not empty: interleaved attention layers are not modelled (models/SCHEMA.md)");
  }
  // MambaLMHeadModel pads the vocabulary to a multiple of pad_vocab_size_multiple (default 8).
  const std::int64_t vocab = f.whole("vocab_size", f.require("vocab_size"));
  const std::int64_t multiple =
      f.has("pad_vocab_size_multiple") ? f.whole("pad_vocab_size_multiple", f.require("pad_vocab_size_multiple")) : 8;
  if (multiple < 1) f.context().fail("key 'pad_vocab_size_multiple' must be at least 1");
  m.vocab_size = (vocab + multiple - 1) / multiple * multiple;
  f.note("vocab_size", "from config.json: vocab_size " + std::to_string(vocab) + " padded to a multiple of " +
                           "pad_vocab_size_multiple " + std::to_string(multiple) + " = " +
                           std::to_string(m.vocab_size) + " (mamba_ssm MambaLMHeadModel)");
  m.intermediate_size = f.integer_or("intermediate_size", "d_intermediate", 0,
                                     "mamba_ssm MambaConfig default 0 (Mamba blocks only, no MLP)");

  static const json empty = json::object();
  const auto cfg_it = root.find("ssm_cfg");
  const json& cfg = cfg_it != root.end() && cfg_it->is_object() ? *cfg_it : empty;
  Fields c(cfg, "ssm_cfg.", f.context());
  const json* layer = c.find("layer");
  const bool mamba2 = layer && layer->is_string() && layer->get<std::string>() == "Mamba2";
  if (layer && !mamba2 && !(layer->is_string() && layer->get<std::string>() == "Mamba1")) {
    f.context().fail("ssm_cfg.layer is " + layer->dump() + "; the model files know Mamba1 and Mamba2");
  }
  const auto fallback = [&](const std::string& what) { return mamba2 ? mamba2_default(what) : mamba1_default(what); };
  SsmConfig s;
  s.kind = mamba2 ? SsmKind::mamba2 : SsmKind::mamba1;
  s.state_size = c.integer_or("ssm.state_size", "d_state", mamba2 ? 128 : 16, fallback(mamba2 ? "128" : "16"));
  s.conv_kernel = c.integer_or("ssm.conv_kernel", "d_conv", 4, fallback("4"));
  const std::int64_t expand = c.integer_or("ssm.inner_size", "expand", 2, fallback("2"));
  s.inner_size = expand * m.hidden_size;
  f.note("ssm.inner_size", "d_inner = expand " + std::to_string(expand) + " x d_model " +
                               std::to_string(m.hidden_size) + " (" + f.context().sources["ssm.inner_size"] + ")");
  if (mamba2) {
    s.head_dim = c.integer_or("ssm.head_dim", "headdim", 64, fallback("64"));
    s.groups = c.integer_or("ssm.groups", "ngroups", 1, fallback("1"));
    if (s.head_dim <= 0 || s.inner_size % s.head_dim != 0) {
      f.context().fail("d_inner " + std::to_string(s.inner_size) + " is not a multiple of headdim " +
                       std::to_string(s.head_dim));
    }
    s.heads = s.inner_size / s.head_dim;
    f.note("ssm.heads", "nheads = d_inner " + std::to_string(s.inner_size) + " / headdim " +
                            std::to_string(s.head_dim) + " (mamba_ssm modules/mamba2.py)");
  } else {
    s.dt_rank = mamba1_dt_rank(c, f, "dt_rank", "d_model", m.hidden_size, mamba1_default("'auto'"));
    s.heads = s.inner_size;
    s.head_dim = 1;
  }
  m.ssm = s;
  return m;
}

// transformers FalconH1Config: attention and a Mamba-2 mixer side by side in every layer.
ModelConfig read_falcon_h1(Fields& f) {
  ModelConfig m;
  m.mixer = Mixer::parallel_hybrid;
  read_embeddings(f, m, "falcon_h1");
  m.intermediate_size = f.integer("intermediate_size", "intermediate_size");
  m.vocab_size = f.integer("vocab_size", "vocab_size");
  read_heads(f, m, "falcon_h1");
  SsmConfig s;
  s.kind = SsmKind::mamba2;
  s.state_size = f.integer("ssm.state_size", "mamba_d_state");
  s.conv_kernel = f.integer("ssm.conv_kernel", "mamba_d_conv");
  s.heads = f.integer("ssm.heads", "mamba_n_heads");
  s.groups = f.integer("ssm.groups", "mamba_n_groups");
  if (f.has("mamba_chunk_size")) s.chunk_size = f.integer("ssm.chunk_size", "mamba_chunk_size");
  if (f.has("mamba_d_ssm")) {
    s.inner_size = f.integer("ssm.inner_size", "mamba_d_ssm");
  } else {
    const std::int64_t expand = f.integer("ssm.inner_size", "mamba_expand");
    s.inner_size = expand * m.hidden_size;
    f.note("ssm.inner_size", "mamba_expand " + std::to_string(expand) + " x hidden_size (mamba_d_ssm null)");
  }
  const json* head = f.find("mamba_d_head");
  if (head && !head->is_string()) {
    s.head_dim = f.integer("ssm.head_dim", "mamba_d_head");
  } else {
    if (s.heads <= 0 || s.inner_size % s.heads != 0) f.context().fail("mamba_d_ssm is not a multiple of mamba_n_heads");
    s.head_dim = s.inner_size / s.heads;
    f.note("ssm.head_dim", "mamba_d_head 'auto' = mamba_d_ssm / mamba_n_heads (transformers FalconH1Config)");
  }
  m.ssm = s;
  return m;
}

}  // namespace attnsim::hf
