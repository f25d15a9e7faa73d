#include "io/model_config.h"

#include <toml++/toml.h>
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "io/data_folder.h"
#include "io/data_location.h"
#include "io/hf_config.h"
#include "io/sourced_value.h"
#include "model/error.h"
#include "model/variant.h"

namespace attnsim {
namespace {

using capacity::AttentionPattern;
using capacity::LayerAttention;
using capacity::Mixer;
using capacity::MlaConfig;
using capacity::ModelConfig;
using capacity::MoeConfig;
using capacity::SharedBlocks;
using capacity::SsmConfig;
using capacity::SsmKind;

constexpr const char* kSchema = "models/SCHEMA.md";
constexpr std::int64_t kMaxWidth = std::int64_t{1} << 24;

// Reads the entries of `table` into the returned object, tracking which keys it knows.
class Reader {
 public:
  Reader(const toml::table& table, std::string file, std::string prefix)
      : table_(table), file_(std::move(file)), prefix_(std::move(prefix)) {}

  const toml::node* find(const char* key) {
    known_.insert(key);
    return table_.get(key);
  }
  const toml::node& require(const char* key, const std::string& why) {
    const toml::node* node = find(key);
    if (!node) throw InvalidInput(file_ + ": " + prefix_ + key, "missing field (" + why + "; see " + kSchema + ")");
    return *node;
  }
  std::int64_t integer(const char* key, std::int64_t min, std::int64_t max, const std::string& why = "required") {
    return sourced_integer(require(key, why), file_, prefix_ + key, min, max);
  }
  std::optional<std::int64_t> optional_integer(const char* key, std::int64_t min, std::int64_t max) {
    const toml::node* node = find(key);
    if (!node) return std::nullopt;
    return sourced_integer(*node, file_, prefix_ + key, min, max);
  }
  std::string text(const char* key) {
    const toml::node& node = require(key, "required");
    const auto value = node.value<std::string>();
    if (!value || value->empty())
      throw InvalidInput(toml_where(file_, node, prefix_ + key), "must be a non-empty string");
    return *value;
  }
  void finish() { reject_unknown_keys(table_, known_, file_, prefix_, kSchema); }
  const std::string& file() const { return file_; }

 private:
  const toml::table& table_;
  std::string file_;
  std::string prefix_;
  std::set<std::string> known_;
};

Mixer parse_mixer(const std::string& text, const std::string& where) {
  if (text == "attention") return Mixer::attention;
  if (text == "ssm") return Mixer::ssm;
  if (text == "parallel-hybrid") return Mixer::parallel_hybrid;
  if (text == "shared-hybrid") return Mixer::shared_hybrid;
  throw InvalidInput(where, "unknown mixer '" + text + "'; allowed: attention, ssm, parallel-hybrid, shared-hybrid");
}

SsmConfig read_ssm(const toml::node* node, const std::string& file, const ModelConfig& m) {
  if (!node || !node->is_table()) {
    throw InvalidInput(file + ": ssm",
                       "mixer '" + capacity::mixer_name(m.mixer) + "' needs an [ssm] table (see " + kSchema + ")");
  }
  Reader r(*node->as_table(), file, "ssm.");
  SsmConfig s;
  const std::string kind = r.text("kind");
  if (kind != "mamba1" && kind != "mamba2")
    throw InvalidInput(file + ": ssm.kind", "unknown kind '" + kind + "'; allowed: mamba1, mamba2");
  s.kind = kind == "mamba1" ? SsmKind::mamba1 : SsmKind::mamba2;
  s.state_size = r.integer("state_size", 1, 4096);
  s.inner_size = r.integer("inner_size", 1, kMaxWidth);
  s.conv_kernel = r.integer("conv_kernel", 1, 64);
  if (s.kind == SsmKind::mamba2) {
    s.heads = r.integer("heads", 1, kMaxWidth, "Mamba-2 layers have heads");
    s.head_dim = r.integer("head_dim", 1, 4096, "Mamba-2 layers have a head dim");
    s.groups = r.integer("groups", 1, 4096, "Mamba-2 layers have B/C groups");
    s.chunk_size = r.optional_integer("chunk_size", 1, 65536).value_or(s.chunk_size);
    if (s.heads * s.head_dim != s.inner_size) {
      throw InvalidInput(file + ": ssm.heads", "heads x head_dim must equal inner_size (" + std::to_string(s.heads) +
                                                   " x " + std::to_string(s.head_dim) +
                                                   " != " + std::to_string(s.inner_size) + ")");
    }
  } else {
    s.dt_rank = r.integer("dt_rank", 1, kMaxWidth, "Mamba-1 layers have a dt rank");
    s.heads = s.inner_size;
    s.head_dim = 1;
  }
  r.finish();
  return s;
}

const toml::table& sub_table(const toml::node& node, const std::string& file, const char* key) {
  if (!node.is_table())
    throw InvalidInput(toml_where(file, node, key), std::string("must be a [") + key + "] table (see " + kSchema + ")");
  return *node.as_table();
}

// DeepSeek's q_lora_rank, kv_lora_rank and head dims; the query/key head dim follows from them.
MlaConfig read_mla(const toml::node& node, const std::string& file) {
  Reader r(sub_table(node, file, "mla"), file, "mla.");
  MlaConfig a;
  a.q_lora_rank = r.optional_integer("q_lora_rank", 1, kMaxWidth);
  a.kv_lora_rank = r.integer("kv_lora_rank", 1, kMaxWidth);
  a.qk_rope_head_dim = r.integer("qk_rope_head_dim", 1, 512);
  a.qk_nope_head_dim = r.integer("qk_nope_head_dim", 0, 512);
  a.v_head_dim = r.integer("v_head_dim", 1, 1024);
  r.finish();
  return a;
}

MoeConfig read_moe(const toml::node& node, const std::string& file, const ModelConfig& m) {
  Reader r(sub_table(node, file, "moe"), file, "moe.");
  MoeConfig e;
  e.routed_experts = r.integer("routed_experts", 1, 1 << 20);
  e.experts_per_token = r.integer("experts_per_token", 1, 1 << 20);
  e.shared_experts = r.integer("shared_experts", 0, 1 << 20);
  e.moe_intermediate_size = r.integer("moe_intermediate_size", 1, kMaxWidth);
  e.first_dense_layers = r.integer("first_dense_layers", 0, m.layers - 1);
  r.finish();
  if (e.experts_per_token > e.routed_experts) {
    throw InvalidInput(file + ": moe.experts_per_token", "must be at most routed_experts (" +
                                                             std::to_string(e.experts_per_token) + " > " +
                                                             std::to_string(e.routed_experts) + ")");
  }
  if (e.first_dense_layers > 0 && m.intermediate_size == 0) {
    throw InvalidInput(file + ": intermediate_size",
                       "must be > 0: the first_dense_layers dense layers have a dense MLP");
  }
  return e;
}

// Zamba2's shared blocks: how many, how often applied, how wide their input, their adapters.
SharedBlocks read_shared_blocks(const toml::node* node, const std::string& file, const ModelConfig& m) {
  if (!node) {
    throw InvalidInput(file + ": shared_blocks",
                       "mixer 'shared-hybrid' needs a [shared_blocks] table (see " + std::string(kSchema) + ")");
  }
  Reader r(sub_table(*node, file, "shared_blocks"), file, "shared_blocks.");
  SharedBlocks b;
  b.blocks = r.integer("blocks", 1, m.layers);
  b.applications = r.integer("applications", b.blocks, m.layers);
  b.input_size = r.integer("input_size", 1, kMaxWidth);
  b.adapter_rank = r.integer("adapter_rank", 0, kMaxWidth);
  b.attention_adapters =
      sourced_bool(r.require("attention_adapters", "required"), file, "shared_blocks.attention_adapters");
  b.mlp_adapters = sourced_bool(r.require("mlp_adapters", "required"), file, "shared_blocks.mlp_adapters");
  r.finish();
  if ((b.attention_adapters || b.mlp_adapters) && b.adapter_rank == 0) {
    throw InvalidInput(file + ": shared_blocks.adapter_rank", "must be > 0 when a block has adapters");
  }
  if (m.intermediate_size == 0) {
    throw InvalidInput(file + ": intermediate_size", "must be > 0: a shared block has an MLP");
  }
  return b;
}

// Hugging Face's layer type names (transformers configuration_utils ALLOWED_LAYER_TYPES).
LayerAttention parse_layer_type(const std::string& text, const std::string& where) {
  if (text == "sliding_attention") return LayerAttention::local;
  if (text == "full_attention") return LayerAttention::global;
  throw InvalidInput(where, "unknown layer type '" + text + "'; allowed: sliding_attention, full_attention");
}

// The repeating unit comes either as Hugging Face's explicit `layer_types` or as Gemma's
// `local_per_global` (transformers Gemma3TextConfig: layer i is full when (i + 1) % pattern == 0,
// pattern = local_per_global + 1), never both.
AttentionPattern read_attention_pattern(const toml::node& node, const std::string& file) {
  Reader r(sub_table(node, file, "attention_pattern"), file, "attention_pattern.");
  AttentionPattern p;
  p.sliding_window = r.integer("sliding_window", 1, std::int64_t{1} << 40);
  const toml::node* types = r.find("layer_types");
  const toml::node* ratio = r.find("local_per_global");
  if ((types != nullptr) == (ratio != nullptr)) {
    throw InvalidInput(file + ": attention_pattern.layer_types",
                       "give exactly one of layer_types and local_per_global (see " + std::string(kSchema) + ")");
  }
  if (types) {
    const std::string where = toml_where(file, *types, "attention_pattern.layer_types");
    for (const std::string& text : sourced_strings(*types, file, "attention_pattern.layer_types")) {
      p.layer_types.push_back(parse_layer_type(text, where));
    }
  } else {
    const std::int64_t local = sourced_integer(*ratio, file, "attention_pattern.local_per_global", 0, 100000);
    p.layer_types.assign(std::size_t(local), LayerAttention::local);
    p.layer_types.push_back(LayerAttention::global);
  }
  if (const toml::node* sinks = r.find("attention_sinks")) {
    p.attention_sinks = sourced_bool(*sinks, file, "attention_pattern.attention_sinks");
  }
  r.finish();
  return p;
}

void read_attention(Reader& r, ModelConfig& m) {
  const std::string why = "mixer '" + capacity::mixer_name(m.mixer) + "' has attention";
  m.heads = r.integer("heads", 1, 65536, why);
  m.kv_heads = r.integer("kv_heads", 1, 65536, why);
  if (const toml::node* mla = r.find("mla")) {
    if (m.mixer != Mixer::attention) {
      throw InvalidInput(toml_where(r.file(), *mla, "mla"), "latent attention is modelled for mixer 'attention' only");
    }
    m.mla = read_mla(*mla, r.file());
    if (const toml::node* node = r.find("head_dim")) {
      throw InvalidInput(toml_where(r.file(), *node, "head_dim"),
                         "an [mla] model's head dim is qk_nope_head_dim + qk_rope_head_dim; remove this field");
    }
    m.head_dim = m.mla->qk_nope_head_dim + m.mla->qk_rope_head_dim;
    // Every head has its own up-projected key and value (num_key_value_heads = num_attention_heads).
    if (m.kv_heads != m.heads) {
      throw InvalidInput(r.file() + ": kv_heads", "must equal heads for latent attention (" +
                                                      std::to_string(m.kv_heads) + " != " + std::to_string(m.heads) +
                                                      ")");
    }
  } else {
    m.head_dim = r.integer("head_dim", 1, 1024, why);
  }
  if (m.heads % m.kv_heads != 0) {
    throw InvalidInput(r.file() + ": kv_heads",
                       "must divide heads (" + std::to_string(m.heads) + " % " + std::to_string(m.kv_heads) + " != 0)");
  }
  if (const toml::node* node = r.find("qkv_bias")) m.qkv_bias = sourced_bool(*node, r.file(), "qkv_bias");
  if (const toml::node* node = r.find("fused_qkv")) m.fused_qkv = sourced_bool(*node, r.file(), "fused_qkv");
  if (m.fused_qkv && m.mla)
    throw InvalidInput(r.file() + ": fused_qkv", "latent attention has no single q, k, v projection");
  if (const toml::node* node = r.find("rotary_concatenates_pass_through")) {
    m.rotary_concatenates_pass_through = sourced_bool(*node, r.file(), "rotary_concatenates_pass_through");
  }
  if (m.qkv_bias && m.mla)
    throw InvalidInput(r.file() + ": qkv_bias", "latent attention's projections have no q, k, v biases");
  m.sliding_window = r.optional_integer("sliding_window", 1, std::int64_t{1} << 40);
  if (const toml::node* node = r.find("attention_pattern")) {
    if (m.sliding_window) {
      throw InvalidInput(r.file() + ": sliding_window",
                         "a model with [attention_pattern] gives its window there; remove this field");
    }
    if (m.mla) throw InvalidInput(r.file() + ": attention_pattern", "is not modelled with latent attention ([mla])");
    m.attention_pattern = read_attention_pattern(*node, r.file());
  }
}

}  // namespace

std::filesystem::path models_dir() { return locate_data_folder({"models", "ATTNSIM_MODELS", "model files"}); }

ModelConfig parse_model_config(std::string_view toml_text, const std::string& file) {
  toml::table root;
  try {
    root = toml::parse(toml_text, file);
  } catch (const toml::parse_error& e) {
    throw InvalidInput(file + ":" + std::to_string(e.source().begin.line),
                       "malformed TOML: " + std::string(e.description()));
  }
  Reader r(root, file, "");
  ModelConfig m;
  m.id = r.text("id");
  m.name = r.text("name");
  m.mixer = parse_mixer(r.text("mixer"), file + ": mixer");
  m.layers = r.integer("layers", 1, 100000);
  m.hidden_size = r.integer("hidden_size", 1, kMaxWidth);
  m.intermediate_size = r.integer("intermediate_size", 0, kMaxWidth);
  m.vocab_size = r.integer("vocab_size", 1, kMaxWidth);
  m.tied_embeddings = sourced_bool(r.require("tied_embeddings", "required"), file, "tied_embeddings");
  if (m.has_attention()) read_attention(r, m);
  if (const toml::node* node = r.find("fused_gate_up")) m.fused_gate_up = sourced_bool(*node, file, "fused_gate_up");
  if (m.fused_gate_up && m.intermediate_size == 0) {
    throw InvalidInput(file + ": fused_gate_up", "needs a dense MLP (intermediate_size > 0)");
  }
  if (const toml::node* node = r.find("lm_head_multiplier")) {
    m.lm_head_multiplier = sourced_number(*node, file, "lm_head_multiplier", -1e6, 1e6);
  }
  if (const toml::node* node = r.find("published_parameters")) {
    m.published_parameters = sourced_number(*node, file, "published_parameters", 1e3, 1e14);
  }
  const toml::node* ssm = r.find("ssm");
  if (m.has_ssm()) m.ssm = read_ssm(ssm, file, m);
  if (const toml::node* moe = r.find("moe")) m.moe = read_moe(*moe, file, m);
  const toml::node* shared = r.find("shared_blocks");
  if (m.mixer == Mixer::shared_hybrid) {
    m.shared_blocks = read_shared_blocks(shared, file, m);
    if (m.moe || m.mla || m.attention_pattern || m.sliding_window) {
      throw InvalidInput(file + ": mixer",
                         "a shared hybrid is modelled without [moe], [mla], [attention_pattern] or a window");
    }
  } else if (shared) {
    throw InvalidInput(toml_where(file, *shared, "shared_blocks"),
                       "only mixer 'shared-hybrid' has shared blocks; remove it");
  }
  if (!m.has_attention()) {
    for (const char* key : {"heads", "kv_heads", "head_dim", "sliding_window", "qkv_bias", "fused_qkv",
                            "rotary_concatenates_pass_through", "mla", "attention_pattern"}) {
      if (const toml::node* node = root.get(key)) {
        throw InvalidInput(toml_where(file, *node, key), "mixer 'ssm' has no attention; remove this field");
      }
    }
  }
  if (!m.has_ssm() && ssm)
    throw InvalidInput(toml_where(file, *ssm, "ssm"), "mixer 'attention' has no SSM layers; remove [ssm]");
  r.finish();
  return m;
}

ModelConfig load_model_config(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidInput("model", "cannot read model file '" + path.string() + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_model_config(text.str(), path.string());
}

std::vector<std::string> builtin_model_ids() { return toml_ids_in(models_dir()); }

std::vector<ModelConfig> builtin_models() {
  std::vector<ModelConfig> models;
  for (const std::string& id : builtin_model_ids()) models.push_back(load_model_config(models_dir() / (id + ".toml")));
  return models;
}

ModelConfig find_model(const std::string& name_or_path) {
  if (names_an_hf_config(name_or_path)) return model_from_hf_config(name_or_path, "model");
  if (names_a_file(name_or_path)) return load_model_config(name_or_path);
  const std::vector<std::string> ids = builtin_model_ids();
  const std::optional<std::string> id = matching_id(name_or_path, ids);
  if (!id) throw_unknown_id("model", "model", name_or_path, ids, "model file or a Hugging Face config.json");
  return load_model_config(models_dir() / (*id + ".toml"));
}

}  // namespace attnsim
