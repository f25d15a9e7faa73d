#include "io/hf_config.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/hf_fields.h"
#include "io/hf_ssm_config.h"
#include "io/model_config.h"
#include "io/model_toml.h"
#include "model/error.h"

namespace attnsim {
namespace {

using capacity::AttentionPattern;
using capacity::LayerAttention;
using capacity::Mixer;
using capacity::MlaConfig;
using capacity::ModelConfig;
using capacity::MoeConfig;
using hf::class_default;
using hf::config_class;
using hf::Context;
using hf::Fields;
using hf::json;

// The mamba_ssm checkpoints (state-spaces/mamba-790m, mamba2-780m, ...) ship their own config.json:
// no model_type, the layer's settings in `ssm_cfg` (mamba_ssm models/config_mamba.py MambaConfig).
constexpr const char* kMambaSsm = "mamba_ssm";

const std::vector<std::string>& model_types() {
  static const std::vector<std::string> types = {"llama",       "mistral", "mixtral", "qwen2",       "qwen3",
                                                 "qwen3_moe",   "phi3",    "gemma3",  "gemma3_text", "gpt_oss",
                                                 "deepseek_v3", "mamba",   "mamba2",  "falcon_h1"};
  return types;
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

// The period of Hugging Face's per-layer `layer_types` list: the shortest unit that, laid over the
// layers from layer 0, gives the list (gpt-oss's 24 entries are ["sliding_attention", "full_attention"]).
std::vector<LayerAttention> repeating_unit(const std::vector<LayerAttention>& types) {
  for (std::size_t period = 1; period < types.size(); ++period) {
    bool repeats = true;
    for (std::size_t i = period; i < types.size() && repeats; ++i) repeats = types[i] == types[i % period];
    if (repeats) return {types.begin(), types.begin() + std::ptrdiff_t(period)};
  }
  return types;
}

// `layer_types` (gpt-oss, newer Gemma 3 files) as the model file's repeating unit; nullopt when absent.
std::optional<std::vector<LayerAttention>> layer_types(Fields& f) {
  const json* list = f.find("layer_types");
  if (!list) return std::nullopt;
  if (!list->is_array() || list->empty()) f.context().fail("key '" + f.name("layer_types") + "' must be a list");
  std::vector<LayerAttention> types;
  for (const json& item : *list) {
    const std::string text = item.is_string() ? item.get<std::string>() : item.dump();
    if (text == "sliding_attention") {
      types.push_back(LayerAttention::local);
    } else if (text == "full_attention") {
      types.push_back(LayerAttention::global);
    } else {
      f.context().fail("key '" + f.name("layer_types") + "' holds '" + text +
                       "'; the model files know sliding_attention and full_attention");
    }
  }
  return repeating_unit(types);
}

void read_pattern(Fields& f, ModelConfig& m, const std::string& type) {
  AttentionPattern p;
  if (auto unit = layer_types(f)) {
    p.layer_types = std::move(*unit);
    f.note("attention_pattern.layer_types", "from config.json key " + f.name("layer_types") +
                                                " (its repeating unit, laid over the layers from layer 0)");
  } else {
    // Gemma3TextConfig: layer i is global when (i + 1) % sliding_window_pattern == 0 (default 6).
    const std::int64_t pattern = f.integer_or("attention_pattern.local_per_global", "sliding_window_pattern", 6,
                                              class_default(config_class(type), "6"));
    if (pattern < 1) f.context().fail("key '" + f.name("sliding_window_pattern") + "' must be at least 1");
    p.layer_types.assign(std::size_t(pattern - 1), LayerAttention::local);
    p.layer_types.push_back(LayerAttention::global);
    f.note("attention_pattern.local_per_global", f.context().sources["attention_pattern.local_per_global"] +
                                                     " (sliding_window_pattern " + std::to_string(pattern) + ": " +
                                                     std::to_string(pattern - 1) + " local layers per global one)");
  }
  p.sliding_window = type == "gemma3_text" ? f.integer_or("attention_pattern.sliding_window", "sliding_window", 4096,
                                                          class_default(config_class(type), "4096"))
                                           : f.integer("attention_pattern.sliding_window", "sliding_window");
  if (type == "gpt_oss") {
    p.attention_sinks = true;
    f.note("attention_pattern.attention_sinks",
           "model_type gpt_oss: transformers GptOssAttention's sinks, one learned logit per head joining the softmax");
  }
  m.attention_pattern = std::move(p);
}

// Biases on q, k, v: always in Qwen2 (transformers Qwen2Attention: bias=True), else `attention_bias`.
void read_qkv_bias(Fields& f, ModelConfig& m, const std::string& type) {
  if (type == "qwen2") {
    m.qkv_bias = true;
    f.note("qkv_bias", "model_type qwen2: transformers Qwen2Attention's q_proj, k_proj, v_proj carry biases");
    return;
  }
  m.qkv_bias = f.flag_or("qkv_bias", "attention_bias", false, class_default(config_class(type), "false"));
}

// Mistral's, Mixtral's and Phi-3's window covers every layer; Qwen's applies only with
// use_sliding_window, and then to the layers past max_window_layers, which no model file describes.
void read_window(Fields& f, ModelConfig& m, const std::string& type) {
  if (type == "mistral" || type == "mixtral" || type == "phi3") {
    if (f.has("sliding_window")) m.sliding_window = f.integer("sliding_window", "sliding_window");
    return;
  }
  if (f.flag("use_sliding_window", false)) {
    f.context().fail(
        "use_sliding_window is true: windows on the layers past max_window_layers only are not "
        "modelled (models/SCHEMA.md)");
  }
}

// mixtral, gpt_oss: every layer's MLP is E experts of intermediate_size, no shared one.
MoeConfig read_mixtral_moe(Fields& f, const std::string& type) {
  MoeConfig e;
  e.routed_experts = f.integer("moe.routed_experts", "num_local_experts");
  e.experts_per_token = f.integer("moe.experts_per_token", "num_experts_per_tok");
  e.moe_intermediate_size = f.integer("moe.moe_intermediate_size", "intermediate_size");
  const std::string block = type == "mixtral" ? "MixtralSparseMoeBlock" : "GptOssMLP";
  f.note("moe.shared_experts", "model_type " + type + ": transformers " + block + " has no shared expert");
  f.note("moe.first_dense_layers", "model_type " + type + ": transformers " + block + " in every layer");
  return e;
}

// Qwen3-MoE: experts in the layers that are not in mlp_only_layers, every decoder_sparse_step-th one.
MoeConfig read_qwen3_moe(Fields& f, const ModelConfig& m) {
  MoeConfig e;
  e.routed_experts = f.integer("moe.routed_experts", "num_experts");
  e.experts_per_token = f.integer("moe.experts_per_token", "num_experts_per_tok");
  e.moe_intermediate_size = f.integer("moe.moe_intermediate_size", "moe_intermediate_size");
  f.note("moe.shared_experts", "model_type qwen3_moe: transformers Qwen3MoeSparseMoeBlock has no shared expert");
  if (f.has("decoder_sparse_step") && f.whole("decoder_sparse_step", f.require("decoder_sparse_step")) != 1) {
    f.context().fail("decoder_sparse_step other than 1 (MoE every few layers) is not modelled");
  }
  // mlp_only_layers must be the leading layers 0..k-1: the model files' first_dense_layers.
  std::int64_t leading = 0;
  if (const json* dense = f.find("mlp_only_layers")) {
    if (!dense->is_array()) f.context().fail("key 'mlp_only_layers' must be a list of layer indices");
    for (const json& index : *dense) {
      if (f.whole("mlp_only_layers", index) != leading) {
        f.context().fail("mlp_only_layers other than the leading layers 0, 1, ... is not modelled");
      }
      ++leading;
    }
  }
  e.first_dense_layers = leading;
  f.note("moe.first_dense_layers", "from config.json keys decoder_sparse_step (1) and mlp_only_layers (" +
                                       std::to_string(leading) + " leading dense layers; " +
                                       std::to_string(m.layers - leading) + " MoE layers)");
  return e;
}

MoeConfig read_deepseek_moe(Fields& f) {
  MoeConfig e;
  e.routed_experts = f.integer("moe.routed_experts", "n_routed_experts");
  e.experts_per_token = f.integer("moe.experts_per_token", "num_experts_per_tok");
  e.shared_experts = f.integer_or("moe.shared_experts", "n_shared_experts", 0, "no shared expert");
  e.moe_intermediate_size = f.integer("moe.moe_intermediate_size", "moe_intermediate_size");
  e.first_dense_layers = f.integer("moe.first_dense_layers", "first_k_dense_replace");
  if (f.has("moe_layer_freq") && f.whole("moe_layer_freq", f.require("moe_layer_freq")) != 1) {
    f.context().fail("moe_layer_freq other than 1 (MoE every few layers) is not modelled");
  }
  return e;
}

MlaConfig read_mla(Fields& f) {
  MlaConfig a;
  if (f.has("q_lora_rank")) {
    a.q_lora_rank = f.integer("mla.q_lora_rank", "q_lora_rank");
  }
  a.kv_lora_rank = f.integer("mla.kv_lora_rank", "kv_lora_rank");
  a.qk_rope_head_dim = f.integer("mla.qk_rope_head_dim", "qk_rope_head_dim");
  a.qk_nope_head_dim = f.integer("mla.qk_nope_head_dim", "qk_nope_head_dim");
  a.v_head_dim = f.integer("mla.v_head_dim", "v_head_dim");
  return a;
}

// Every attention model: embeddings, heads, the MLP, and what its type adds.
ModelConfig read_transformer(Fields& f, const std::string& type) {
  ModelConfig m;
  m.mixer = Mixer::attention;
  read_embeddings(f, m, type);
  m.intermediate_size = f.integer("intermediate_size", "intermediate_size");
  m.vocab_size = type == "gemma3_text"
                     ? f.integer_or("vocab_size", "vocab_size", 262208, class_default(config_class(type), "262208"))
                     : f.integer("vocab_size", "vocab_size");
  if (type == "deepseek_v3") {
    m.heads = f.integer("heads", "num_attention_heads");
    m.kv_heads = f.integer("kv_heads", "num_key_value_heads");
    m.mla = read_mla(f);
    m.head_dim = m.mla->qk_nope_head_dim + m.mla->qk_rope_head_dim;
    read_qkv_bias(f, m, type);
    m.moe = read_deepseek_moe(f);
    return m;
  }
  read_heads(f, m, type);
  read_qkv_bias(f, m, type);
  if (type == "phi3") {  // transformers' modeling_phi3.py, whatever config.json says
    m.fused_qkv = m.fused_gate_up = m.rotary_concatenates_pass_through = true;
    f.note("fused_qkv", "model_type phi3: transformers Phi3Attention's one qkv_proj, sliced into q, k, v");
    f.note("fused_gate_up", "model_type phi3: transformers Phi3MLP's one gate_up_proj, chunked into gate and up");
    f.note("rotary_concatenates_pass_through",
           "model_type phi3: transformers' Phi-3 apply_rotary_pos_emb concatenates the rotated part with the rest");
  }
  if (type == "gemma3_text" || type == "gpt_oss") {
    read_pattern(f, m, type);
  } else {
    read_window(f, m, type);
  }
  if (type == "mixtral" || type == "gpt_oss") m.moe = read_mixtral_moe(f, type);
  if (type == "qwen3_moe") m.moe = read_qwen3_moe(f, m);
  return m;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

std::string derived_id(const std::string& file) {
  const std::filesystem::path path(file);
  std::string stem = path.stem().string();
  if (stem == "config" && path.has_parent_path()) stem = path.parent_path().filename().string();
  return stem.empty() || stem == "config" ? "imported" : lower(stem);
}

}  // namespace

bool names_an_hf_config(const std::string& name_or_path) {
  return name_or_path.size() > 5 && lower(name_or_path.substr(name_or_path.size() - 5)) == ".json";
}

ImportedModel parse_hf_config(std::string_view json_text, const std::string& file, const std::string& option,
                              const std::optional<std::string>& id) {
  Context context{file, option, "", {}};
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::parse_error& e) {
    context.fail(std::string("malformed JSON: ") + e.what());
  }
  if (!root.is_object()) context.fail("a config.json is one JSON object");
  const auto type_it = root.find("model_type");
  const bool mamba_ssm = type_it == root.end() && root.contains("ssm_cfg");
  if (type_it == root.end() && !mamba_ssm) {
    context.fail("missing key 'model_type'; supported: " + joined(model_types()) + ", or mamba_ssm's own config.json");
  }
  std::string type = mamba_ssm ? kMambaSsm : (type_it->is_string() ? type_it->get<std::string>() : type_it->dump());
  context.model_type = type;
  if (!mamba_ssm && std::find(model_types().begin(), model_types().end(), type) == model_types().end()) {
    context.fail("unknown model_type '" + type + "'; supported: " + joined(model_types()) +
                 ", or mamba_ssm's own config.json (ssm_cfg, no model_type)");
  }
  // Multimodal wrappers keep the language model's keys in text_config (Gemma 3 with its vision tower).
  const json* object = &root;
  std::string prefix;
  if (type == "gemma3") {
    const auto text = root.find("text_config");
    if (text == root.end() || !text->is_object()) context.fail("missing key 'text_config' (model_type gemma3)");
    object = &*text;
    prefix = "text_config.";
    type = "gemma3_text";
  }
  Fields f(*object, prefix, context);
  ImportedModel imported;
  if (mamba_ssm) {
    imported.model = hf::read_mamba_ssm(f, root);
  } else if (type == "mamba") {
    imported.model = hf::read_mamba(f);
  } else if (type == "mamba2") {
    imported.model = hf::read_mamba2(f);
  } else if (type == "falcon_h1") {
    imported.model = hf::read_falcon_h1(f);
  } else {
    imported.model = read_transformer(f, type);
  }
  imported.model.id = id ? *id : derived_id(file);
  const auto name_it = root.find("_name_or_path");
  const bool named = name_it != root.end() && name_it->is_string() && !name_it->get<std::string>().empty();
  imported.model.name = named ? name_it->get<std::string>() : imported.model.id;
  imported.model_type = context.model_type;
  imported.sources = std::move(context.sources);
  imported.file_name = std::filesystem::path(file).filename().string();
  return imported;
}

ImportedModel load_hf_config(const std::filesystem::path& file, const std::string& option,
                             const std::optional<std::string>& id) {
  std::ifstream in(file, std::ios::binary);
  if (!in || std::filesystem::is_directory(file)) throw InvalidInput(option, "cannot read '" + file.string() + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_hf_config(text.str(), file.string(), option, id);
}

capacity::ModelConfig model_from_hf_config(const std::filesystem::path& file, const std::string& option) {
  return parse_model_config(model_file_text(load_hf_config(file, option)), file.string());
}

}  // namespace attnsim
