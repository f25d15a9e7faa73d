#include "io/hf_fields.h"

namespace attnsim::hf {

using capacity::ModelConfig;

std::string class_default(const std::string& config_class, const std::string& value) {
  return "transformers " + config_class + " default " + value;
}

// The transformers configuration class of each type, named in the sources of defaults.
std::string config_class(const std::string& type) {
  static const std::map<std::string, std::string> classes = {
      {"llama", "LlamaConfig"},       {"mistral", "MistralConfig"},
      {"mixtral", "MixtralConfig"},   {"qwen2", "Qwen2Config"},
      {"qwen3", "Qwen3Config"},       {"qwen3_moe", "Qwen3MoeConfig"},
      {"phi3", "Phi3Config"},         {"gemma3_text", "Gemma3TextConfig"},
      {"gpt_oss", "GptOssConfig"},    {"deepseek_v3", "DeepseekV3Config"},
      {"mamba", "MambaConfig"},       {"mamba2", "Mamba2Config"},
      {"falcon_h1", "FalconH1Config"}};
  const auto it = classes.find(type);
  return it == classes.end() ? type : it->second;
}

namespace {

// tie_word_embeddings when the config leaves it out: the class's default (PretrainedConfig's true
// unless the class sets its own; transformers configuration_*.py of each type).
bool tied_by_default(const std::string& type) { return type == "gemma3_text" || type == "mamba"; }

}  // namespace

void read_embeddings(Fields& f, ModelConfig& m, const std::string& type) {
  m.layers = f.integer("layers", "num_hidden_layers");
  m.hidden_size = f.integer("hidden_size", "hidden_size");
  const bool tied = tied_by_default(type);
  m.tied_embeddings = f.flag_or("tied_embeddings", "tie_word_embeddings", tied,
                                class_default(config_class(type), tied ? "true" : "false"));
}

void read_heads(Fields& f, ModelConfig& m, const std::string& type) {
  m.heads = f.integer("heads", "num_attention_heads");
  m.kv_heads = f.integer_or("kv_heads", "num_key_value_heads", m.heads,
                            class_default(config_class(type), "num_attention_heads (no grouped-query attention)"));
  if (f.has("head_dim")) {
    m.head_dim = f.integer("head_dim", "head_dim");
    return;
  }
  if (m.heads <= 0 || m.hidden_size % m.heads != 0) {
    f.context().fail("hidden_size " + std::to_string(m.hidden_size) + " is not a multiple of num_attention_heads " +
                     std::to_string(m.heads) + " and there is no head_dim key");
  }
  m.head_dim = m.hidden_size / m.heads;
  f.note("head_dim", "from config.json: " + f.name("hidden_size") + " / " + f.name("num_attention_heads") + " = " +
                         std::to_string(m.hidden_size) + " / " + std::to_string(m.heads) +
                         " (no head_dim key; the attention module's default)");
}

}  // namespace attnsim::hf
