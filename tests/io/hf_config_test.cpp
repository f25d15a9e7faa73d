// Importing Hugging Face config.json files: each real config in tests/data/hf_configs/ gives the shapes of
// the hand-written models/<id>.toml, the model file import-model writes reads back the same, and what
// cannot be imported is refused with one line naming the option and the key.
#include "io/hf_config.h"

#include <gtest/gtest.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "capacity/parameters.h"
#include "io/model_config.h"
#include "io/model_toml.h"
#include "model/error.h"

namespace attnsim {
namespace {

using capacity::ModelConfig;

const std::filesystem::path kFixtures = std::filesystem::path(ATTNSIM_SOURCE_DIR) / "tests/data/hf_configs";

std::vector<std::filesystem::path> fixtures() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string text_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every shape field a model file carries (id, name and the model card's count apart).
void expect_same_shapes(const ModelConfig& a, const ModelConfig& b, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(a.mixer, b.mixer);
  EXPECT_EQ(a.layers, b.layers);
  EXPECT_EQ(a.hidden_size, b.hidden_size);
  EXPECT_EQ(a.intermediate_size, b.intermediate_size);
  EXPECT_EQ(a.vocab_size, b.vocab_size);
  EXPECT_EQ(a.tied_embeddings, b.tied_embeddings);
  EXPECT_EQ(a.heads, b.heads);
  EXPECT_EQ(a.kv_heads, b.kv_heads);
  EXPECT_EQ(a.head_dim, b.head_dim);
  EXPECT_EQ(a.qkv_bias, b.qkv_bias);
  EXPECT_EQ(a.fused_qkv, b.fused_qkv);
  EXPECT_EQ(a.fused_gate_up, b.fused_gate_up);
  EXPECT_EQ(a.rotary_concatenates_pass_through, b.rotary_concatenates_pass_through);
  EXPECT_EQ(a.sliding_window, b.sliding_window);
  ASSERT_EQ(a.attention_pattern.has_value(), b.attention_pattern.has_value());
  if (a.attention_pattern) {
    EXPECT_EQ(a.attention_pattern->sliding_window, b.attention_pattern->sliding_window);
    EXPECT_EQ(a.attention_pattern->layer_types, b.attention_pattern->layer_types);
    EXPECT_EQ(a.attention_pattern->attention_sinks, b.attention_pattern->attention_sinks);
  }
  ASSERT_EQ(a.ssm.has_value(), b.ssm.has_value());
  if (a.ssm) {
    EXPECT_EQ(a.ssm->kind, b.ssm->kind);
    EXPECT_EQ(a.ssm->state_size, b.ssm->state_size);
    EXPECT_EQ(a.ssm->inner_size, b.ssm->inner_size);
    EXPECT_EQ(a.ssm->conv_kernel, b.ssm->conv_kernel);
    EXPECT_EQ(a.ssm->heads, b.ssm->heads);
    EXPECT_EQ(a.ssm->head_dim, b.ssm->head_dim);
    EXPECT_EQ(a.ssm->groups, b.ssm->groups);
    EXPECT_EQ(a.ssm->dt_rank, b.ssm->dt_rank);
  }
  ASSERT_EQ(a.moe.has_value(), b.moe.has_value());
  if (a.moe) {
    EXPECT_EQ(a.moe->routed_experts, b.moe->routed_experts);
    EXPECT_EQ(a.moe->experts_per_token, b.moe->experts_per_token);
    EXPECT_EQ(a.moe->shared_experts, b.moe->shared_experts);
    EXPECT_EQ(a.moe->moe_intermediate_size, b.moe->moe_intermediate_size);
    EXPECT_EQ(a.moe->first_dense_layers, b.moe->first_dense_layers);
  }
  ASSERT_EQ(a.mla.has_value(), b.mla.has_value());
  if (a.mla) {
    EXPECT_EQ(a.mla->q_lora_rank, b.mla->q_lora_rank);
    EXPECT_EQ(a.mla->kv_lora_rank, b.mla->kv_lora_rank);
    EXPECT_EQ(a.mla->qk_rope_head_dim, b.mla->qk_rope_head_dim);
    EXPECT_EQ(a.mla->qk_nope_head_dim, b.mla->qk_nope_head_dim);
    EXPECT_EQ(a.mla->v_head_dim, b.mla->v_head_dim);
  }
  EXPECT_EQ(capacity::count_parameters(a).total(), capacity::count_parameters(b).total());
}

std::string error_of(const std::string& json_text) {
  try {
    parse_hf_config(json_text, "x/config.json", "model");
  } catch (const InvalidInput& e) {
    return e.field() + ": " + e.what();
  }
  return "no error";
}

TEST(HfConfigImport, EveryFixtureEqualsItsHandWrittenModelFile) {
  const auto files = fixtures();
  ASSERT_GE(files.size(), 6u) << "tests/data/hf_configs/ lost its fixtures";
  for (const auto& file : files) {
    const std::string id = file.stem().string();
    const ModelConfig imported = find_model(file.string());
    EXPECT_EQ(imported.id, id);
    expect_same_shapes(imported, find_model(id), id);
  }
}

TEST(HfConfigImport, TheWrittenModelFileReadsBackTheSameModel) {
  for (const auto& file : fixtures()) {
    const ImportedModel imported = load_hf_config(file, "model");
    const std::string text = model_file_text(imported);
    const ModelConfig back = parse_model_config(text, file.stem().string() + ".toml");
    EXPECT_EQ(back.id, imported.model.id);
    EXPECT_EQ(back.name, imported.model.name);
    expect_same_shapes(back, imported.model, file.string());
    EXPECT_NE(text.find("layers = { value = " + std::to_string(back.layers) + ", source = \"from config.json key "),
              std::string::npos)
        << text;
  }
}

TEST(HfConfigImport, SourcesNameTheKeyOrTheDefault) {
  const ImportedModel llama = load_hf_config(kFixtures / "llama-3.1-8b.json", "model");
  EXPECT_EQ(llama.sources.at("kv_heads"), "from config.json key num_key_value_heads");
  EXPECT_NE(llama.sources.at("head_dim").find("hidden_size / num_attention_heads = 4096 / 32"), std::string::npos);
  const ImportedModel gemma = parse_hf_config(
      R"({"model_type": "gemma3", "text_config": {"model_type": "gemma3_text", "num_hidden_layers": 62,
          "hidden_size": 5376, "intermediate_size": 21504, "num_attention_heads": 32, "num_key_value_heads": 16,
          "head_dim": 128, "sliding_window": 1024}})",
      "gemma/config.json", "model");
  EXPECT_EQ(gemma.model.id, "gemma");
  EXPECT_EQ(gemma.model.vocab_size, 262208);
  EXPECT_TRUE(gemma.model.tied_embeddings);
  EXPECT_EQ(gemma.sources.at("layers"), "from config.json key text_config.num_hidden_layers");
  EXPECT_NE(gemma.sources.at("vocab_size").find("Gemma3TextConfig default 262208"), std::string::npos);
  expect_same_shapes(parse_model_config(model_file_text(gemma), "gemma.toml"), find_model("gemma-3-27b"), "gemma");
}

TEST(HfConfigImport, LayerTypesBecomeTheirRepeatingUnit) {
  const ImportedModel oss = load_hf_config(kFixtures / "gpt-oss-20b.json", "model");
  ASSERT_TRUE(oss.model.attention_pattern.has_value());
  EXPECT_EQ(oss.model.attention_pattern->layer_types.size(), 2u);
  EXPECT_NE(model_file_text(oss).find(R"(layer_types = { value = ["sliding_attention", "full_attention"])"),
            std::string::npos);
}

TEST(HfConfigImport, MambaSsmConfigsUseTheLayerDefaultsAndPadTheVocabulary) {
  const ImportedModel mamba = parse_hf_config(
      R"({"d_model": 1536, "n_layer": 48, "vocab_size": 50277, "ssm_cfg": {}, "pad_vocab_size_multiple": 8})",
      "mamba-790m.json", "model");
  expect_same_shapes(mamba.model, find_model("mamba-790m"), "mamba-790m");
  const ImportedModel mamba2 = parse_hf_config(
      R"({"d_model": 1536, "d_intermediate": 0, "n_layer": 48, "vocab_size": 50277, "ssm_cfg": {"layer": "Mamba2"},
          "attn_layer_idx": [], "pad_vocab_size_multiple": 16, "tie_embeddings": true})",
      "mamba2-780m.json", "model");
  expect_same_shapes(mamba2.model, find_model("mamba2-780m"), "mamba2-780m");
  EXPECT_EQ(mamba2.model_type, "mamba_ssm");
}

// The types without a real file in tests/data/hf_configs/: each reader fed the config.json keys its
// hand-written model file cites gives that file's shapes.
TEST(HfConfigImport, EveryTypeReadsTheKeysItsModelFileCites) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"mistral-7b", R"({"model_type": "mistral", "num_hidden_layers": 32, "hidden_size": 4096,
          "intermediate_size": 14336, "vocab_size": 32000, "tie_word_embeddings": false, "num_attention_heads": 32,
          "num_key_value_heads": 8, "sliding_window": 4096})"},
      {"mixtral-8x7b", R"({"model_type": "mixtral", "num_hidden_layers": 32, "hidden_size": 4096,
          "intermediate_size": 14336, "vocab_size": 32000, "tie_word_embeddings": false, "num_attention_heads": 32,
          "num_key_value_heads": 8, "sliding_window": null, "num_local_experts": 8, "num_experts_per_tok": 2})"},
      {"phi-3-mini", R"({"model_type": "phi3", "num_hidden_layers": 32, "hidden_size": 3072,
          "intermediate_size": 8192, "vocab_size": 32064, "tie_word_embeddings": false, "num_attention_heads": 32,
          "num_key_value_heads": 32, "sliding_window": 262144})"},
      {"qwen2.5-0.5b", R"({"model_type": "qwen2", "num_hidden_layers": 24, "hidden_size": 896,
          "intermediate_size": 4864, "vocab_size": 151936, "tie_word_embeddings": true, "num_attention_heads": 14,
          "num_key_value_heads": 2, "sliding_window": 32768, "use_sliding_window": false})"},
      {"qwen3-30b-a3b", R"({"model_type": "qwen3_moe", "num_hidden_layers": 48, "hidden_size": 2048,
          "intermediate_size": 6144, "vocab_size": 151936, "tie_word_embeddings": false, "num_attention_heads": 32,
          "num_key_value_heads": 4, "head_dim": 128, "num_experts": 128, "num_experts_per_tok": 8,
          "moe_intermediate_size": 768, "decoder_sparse_step": 1, "mlp_only_layers": []})"},
      {"falcon-h1-0.5b", R"({"model_type": "falcon_h1", "num_hidden_layers": 36, "hidden_size": 1024,
          "intermediate_size": 2048, "vocab_size": 32784, "tie_word_embeddings": false, "num_attention_heads": 8,
          "num_key_value_heads": 2, "head_dim": 64, "mamba_d_state": 128, "mamba_d_ssm": 1536, "mamba_n_heads": 24,
          "mamba_d_head": 64, "mamba_n_groups": 1, "mamba_d_conv": 4})"},
      {"mamba-790m", R"({"model_type": "mamba", "num_hidden_layers": 48, "hidden_size": 1536, "vocab_size": 50280,
          "tie_word_embeddings": true, "state_size": 16, "expand": 2, "conv_kernel": 4, "time_step_rank": 96})"},
      {"mamba2-780m", R"({"model_type": "mamba2", "num_hidden_layers": 48, "hidden_size": 1536, "vocab_size": 50288,
          "tie_word_embeddings": true, "state_size": 128, "expand": 2, "num_heads": 48, "head_dim": 64,
          "n_groups": 1, "conv_kernel": 4})"}};
  for (const auto& [id, text] : cases) {
    const ImportedModel imported = parse_hf_config(text, id + ".json", "model");
    EXPECT_EQ(imported.model.id, id);
    expect_same_shapes(parse_model_config(model_file_text(imported), id + ".toml"), find_model(id), id);
  }
}

TEST(HfConfigImport, UnknownModelTypeIsOneLineNamingTheOptionAndTheSupportedTypes) {
  const std::string e = error_of(R"({"model_type": "bert", "hidden_size": 768})");
  EXPECT_EQ(e.rfind("model: x/config.json: unknown model_type 'bert'; supported: llama, ", 0), 0u) << e;
  EXPECT_NE(e.find("deepseek_v3"), std::string::npos);
  EXPECT_EQ(e.find('\n'), std::string::npos);
  EXPECT_NE(error_of(R"({"hidden_size": 768})").find("missing key 'model_type'"), std::string::npos);
  EXPECT_NE(error_of("{not json").find("malformed JSON"), std::string::npos);
}

TEST(HfConfigImport, MissingKeyIsNamed) {
  std::string text = text_of(kFixtures / "llama-3.1-8b.json");
  const std::string key = R"("num_hidden_layers": 32,)";
  text.erase(text.find(key), key.size());
  EXPECT_EQ(error_of(text), "model: x/config.json: missing key 'num_hidden_layers' (model_type llama)");
  EXPECT_EQ(error_of(R"({"model_type": "gemma3"})"),
            "model: x/config.json: missing key 'text_config' (model_type gemma3)");
}

TEST(HfConfigImport, ShapesTheModelFilesCannotDescribeAreRefused) {
  std::string qwen = text_of(kFixtures / "qwen2.5-7b.json");
  const std::string off = R"("use_sliding_window": false)";
  qwen.replace(qwen.find(off), off.size(), R"("use_sliding_window": true)");
  EXPECT_NE(error_of(qwen).find("use_sliding_window is true"), std::string::npos);
  EXPECT_NE(error_of(R"({"model_type": "llama", "num_hidden_layers": 2.5})").find("must be a whole number in [0, 2^31), not 2.5"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"model_type": "mamba2", "num_hidden_layers": -4})").find("num_hidden_layers' must be a whole"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"d_model": 64, "n_layer": 2, "vocab_size": 100, "ssm_cfg": {}, "attn_layer_idx": [1]})")
                .find("attn_layer_idx is not empty"),
            std::string::npos);
}

TEST(HfConfigImport, OnlyNamesEndingInJsonAreConfigs) {
  EXPECT_TRUE(names_an_hf_config("config.json"));
  EXPECT_TRUE(names_an_hf_config("a/b/CONFIG.JSON"));
  EXPECT_FALSE(names_an_hf_config("llama-3.1-8b"));
  EXPECT_FALSE(names_an_hf_config("models/llama-3.1-8b.toml"));
}

}  // namespace
}  // namespace attnsim
