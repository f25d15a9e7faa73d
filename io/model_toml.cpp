#include "io/model_toml.h"

#include <sstream>
#include <stdexcept>

namespace attnsim {
namespace {

using capacity::LayerAttention;
using capacity::ModelConfig;

// A TOML basic string: quotes, backslashes and control characters escaped.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

class Writer {
 public:
  explicit Writer(const ImportedModel& imported) : imported_(imported) {}

  // `key` is the model-file key inside the current table; `field` the same with its table's prefix.
  void entry(const std::string& key, const std::string& value, const std::string& field) {
    const auto it = imported_.sources.find(field);
    if (it == imported_.sources.end()) throw std::logic_error("model_file_text: no source for " + field);
    text_ << key << " = { value = " << value << ", source = " << quoted(it->second) << " }\n";
  }
  void integer(const std::string& key, std::int64_t value, const std::string& prefix = "") {
    entry(key, std::to_string(value), prefix + key);
  }
  void boolean(const std::string& key, bool value, const std::string& prefix = "") {
    entry(key, value ? "true" : "false", prefix + key);
  }
  std::ostringstream& text() { return text_; }

 private:
  const ImportedModel& imported_;
  std::ostringstream text_;
};

const char* layer_type_name(LayerAttention kind) {
  return kind == LayerAttention::local ? "\"sliding_attention\"" : "\"full_attention\"";
}

void write_attention(Writer& w, const ModelConfig& m) {
  w.integer("heads", m.heads);
  w.integer("kv_heads", m.kv_heads);
  if (!m.mla) w.integer("head_dim", m.head_dim);
  if (m.qkv_bias) w.boolean("qkv_bias", true);
  if (m.fused_qkv) w.boolean("fused_qkv", true);
  if (m.rotary_concatenates_pass_through) w.boolean("rotary_concatenates_pass_through", true);
  if (m.sliding_window) w.integer("sliding_window", *m.sliding_window);
}

void write_pattern(Writer& w, const ImportedModel& imported) {
  const capacity::AttentionPattern& p = *imported.model.attention_pattern;
  w.text() << "\n[attention_pattern]\n";
  w.integer("sliding_window", p.sliding_window, "attention_pattern.");
  if (imported.sources.count("attention_pattern.local_per_global")) {
    w.integer("local_per_global", std::int64_t(p.layer_types.size()) - 1, "attention_pattern.");
  } else {
    std::string list = "[";
    for (std::size_t i = 0; i < p.layer_types.size(); ++i)
      list += (i ? ", " : "") + std::string(layer_type_name(p.layer_types[i]));
    w.entry("layer_types", list + "]", "attention_pattern.layer_types");
  }
  if (p.attention_sinks) w.boolean("attention_sinks", true, "attention_pattern.");
}

void write_ssm(Writer& w, const capacity::SsmConfig& s) {
  const bool mamba2 = s.kind == capacity::SsmKind::mamba2;
  w.text() << "\n[ssm]\nkind = " << (mamba2 ? "\"mamba2\"" : "\"mamba1\"") << "\n";
  w.integer("state_size", s.state_size, "ssm.");
  w.integer("inner_size", s.inner_size, "ssm.");
  w.integer("conv_kernel", s.conv_kernel, "ssm.");
  if (mamba2) {
    w.integer("heads", s.heads, "ssm.");
    w.integer("head_dim", s.head_dim, "ssm.");
    w.integer("groups", s.groups, "ssm.");
    if (s.chunk_size != capacity::SsmConfig{}.chunk_size) w.integer("chunk_size", s.chunk_size, "ssm.");
  } else {
    w.integer("dt_rank", s.dt_rank, "ssm.");
  }
}

void write_moe(Writer& w, const capacity::MoeConfig& e) {
  w.text() << "\n[moe]\n";
  w.integer("routed_experts", e.routed_experts, "moe.");
  w.integer("experts_per_token", e.experts_per_token, "moe.");
  w.integer("shared_experts", e.shared_experts, "moe.");
  w.integer("moe_intermediate_size", e.moe_intermediate_size, "moe.");
  w.integer("first_dense_layers", e.first_dense_layers, "moe.");
}

void write_mla(Writer& w, const capacity::MlaConfig& a) {
  w.text() << "\n[mla]\n";
  if (a.q_lora_rank) w.integer("q_lora_rank", *a.q_lora_rank, "mla.");
  w.integer("kv_lora_rank", a.kv_lora_rank, "mla.");
  w.integer("qk_rope_head_dim", a.qk_rope_head_dim, "mla.");
  w.integer("qk_nope_head_dim", a.qk_nope_head_dim, "mla.");
  w.integer("v_head_dim", a.v_head_dim, "mla.");
}

}  // namespace

std::string model_file_text(const ImportedModel& imported) {
  const ModelConfig& m = imported.model;
  Writer w(imported);
  w.text() << "# " << m.id << ": imported by attnsim import-model from " << imported.file_name << " (model_type "
           << imported.model_type << ").\n"
           << "# Each source names the config.json key the value came from, or the library default it falls back to.\n"
           << "# Add published_parameters (the model card's count) by hand if you have it.\n\n"
           << "id = " << quoted(m.id) << "\nname = " << quoted(m.name)
           << "\nmixer = " << quoted(capacity::mixer_name(m.mixer)) << "\n\n";
  w.integer("layers", m.layers);
  w.integer("hidden_size", m.hidden_size);
  w.integer("intermediate_size", m.intermediate_size);
  w.integer("vocab_size", m.vocab_size);
  w.boolean("tied_embeddings", m.tied_embeddings);
  if (m.fused_gate_up) w.boolean("fused_gate_up", true);
  if (m.has_attention()) write_attention(w, m);
  if (m.attention_pattern) write_pattern(w, imported);
  if (m.ssm) write_ssm(w, *m.ssm);
  if (m.moe) write_moe(w, *m.moe);
  if (m.mla) write_mla(w, *m.mla);
  return w.text().str();
}

}  // namespace attnsim
