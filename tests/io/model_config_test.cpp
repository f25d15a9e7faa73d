#include "io/model_config.h"

#include <gtest/gtest.h>
#include <fstream>
#include <sstream>

#include "model/error.h"

namespace attnsim {
namespace {

std::string model_text(const std::string& id) {
  std::ifstream in(models_dir() / (id + ".toml"));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string error_of(const std::string& text) {
  try {
    parse_model_config(text, "test.toml");
  } catch (const InvalidInput& e) {
    return e.field() + ": " + e.what();
  }
  return "no error";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(ModelFiles, AllNineteenBuiltInModelsLoadWithTheirShapes) {
  const std::vector<std::string> expected = {
      "deepseek-v3",  "falcon-h1-0.5b", "gemma-3-27b", "gpt-oss-20b",   "llama-3.1-70b", "llama-3.1-8b", "llama-3.2-1b",
      "mamba-1.4b",   "mamba-790m",     "mamba2-2.7b", "mamba2-780m",   "mistral-7b",    "mixtral-8x7b", "phi-3-mini",
      "qwen2.5-0.5b", "qwen2.5-1.5b",   "qwen2.5-7b",  "qwen3-30b-a3b", "zamba2-1.2b"};
  EXPECT_EQ(builtin_model_ids(), expected);
  const capacity::ModelConfig llama = find_model("llama-3.1-8b");
  EXPECT_EQ(llama.layers, 32);
  EXPECT_EQ(llama.kv_heads, 8);
  EXPECT_FALSE(llama.tied_embeddings);
  EXPECT_EQ(find_model("mistral-7b").sliding_window, 4096);
  EXPECT_TRUE(find_model("qwen2.5-0.5b").qkv_bias);
  const capacity::ModelConfig mamba = find_model("mamba-790m");
  EXPECT_EQ(mamba.mixer, capacity::Mixer::ssm);
  EXPECT_EQ(mamba.ssm->kind, capacity::SsmKind::mamba1);
  EXPECT_EQ(mamba.ssm->state_size, 16);
  const capacity::ModelConfig hybrid = find_model("falcon-h1-0.5b");
  EXPECT_EQ(hybrid.mixer, capacity::Mixer::parallel_hybrid);
  EXPECT_EQ(hybrid.ssm->heads * hybrid.ssm->head_dim, hybrid.ssm->inner_size);
  const capacity::ModelConfig zamba = find_model("zamba2-1.2b");
  EXPECT_EQ(zamba.mixer, capacity::Mixer::shared_hybrid);
  ASSERT_TRUE(zamba.shared_blocks.has_value());
  EXPECT_EQ(zamba.shared_blocks->applications, 6);
  EXPECT_DOUBLE_EQ(zamba.attention_layers(capacity::LayerAttention::global), 6.0);
  const capacity::ModelConfig mixtral = find_model("mixtral-8x7b");
  ASSERT_TRUE(mixtral.moe.has_value());
  EXPECT_EQ(mixtral.moe->routed_experts, 8);
  EXPECT_EQ(mixtral.moe->experts_per_token, 2);
  EXPECT_FALSE(mixtral.sliding_window.has_value());
  const capacity::ModelConfig deepseek = find_model("deepseek-v3");
  ASSERT_TRUE(deepseek.mla.has_value());
  EXPECT_EQ(deepseek.head_dim, 192);  // qk_nope_head_dim 128 + qk_rope_head_dim 64
  EXPECT_EQ(deepseek.value_head_dim(), 128);
  EXPECT_EQ(deepseek.moe->first_dense_layers, 3);
  EXPECT_DOUBLE_EQ(deepseek.moe_layers(), 58.0);
  EXPECT_EQ(find_model("qwen3-30b-a3b").moe->moe_intermediate_size, 768);
}

TEST(ModelFiles, SharedBlocksAreCheckedToo) {
  const std::string zamba = model_text("zamba2-1.2b");
  ASSERT_EQ(error_of(zamba), "no error");
  EXPECT_NE(error_of(replaced(zamba, "[shared_blocks]", "[shared_block]")).find("shared_blocks"), std::string::npos);
  EXPECT_NE(error_of(replaced(zamba, "applications = { value = 6", "applications = { value = 60"))
                .find("shared_blocks.applications"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(zamba, "adapter_rank = { value = 128", "adapter_rank = { value = 0"))
                .find("shared_blocks.adapter_rank: must be > 0"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(zamba, "mixer = \"shared-hybrid\"", "mixer = \"parallel-hybrid\""))
                .find("only mixer 'shared-hybrid' has shared blocks"),
            std::string::npos);
}

TEST(ModelFiles, ExpertsAndLatentAttentionAreCheckedToo) {
  const std::string deepseek = model_text("deepseek-v3");
  ASSERT_EQ(error_of(deepseek), "no error");
  EXPECT_NE(error_of(replaced(deepseek, "experts_per_token = { value = 8", "experts_per_token = { value = 300"))
                .find("moe.experts_per_token: must be at most routed_experts (300 > 256)"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(deepseek, "first_dense_layers = { value = 3", "first_dense_layers = { value = 61"))
                .find("moe.first_dense_layers"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(deepseek, "[moe]\n", "[moe]\nrouted_expert = { value = 8, source = \"x\" }\n"))
                .find("did you mean 'routed_experts'"),
            std::string::npos);
  // An [mla] model's head dim follows from its table; every head has its own key and value.
  EXPECT_NE(error_of(replaced(deepseek, "[mla]", "head_dim = { value = 192, source = \"x\" }\n[mla]"))
                .find("remove this field"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(deepseek, "kv_heads = { value = 128", "kv_heads = { value = 1"))
                .find("kv_heads: must equal heads for latent attention"),
            std::string::npos);
  const std::string no_ffn =
      replaced(deepseek, "intermediate_size = { value = 18432", "intermediate_size = { value = 0");
  EXPECT_NE(error_of(no_ffn).find("intermediate_size: must be > 0"), std::string::npos) << error_of(no_ffn);
}

TEST(ModelFiles, AttentionPatternsAreCheckedFieldByField) {
  const std::string oss = model_text("gpt-oss-20b");
  ASSERT_EQ(error_of(oss), "no error");
  const capacity::ModelConfig gemma = find_model("gemma-3-27b");
  ASSERT_TRUE(gemma.attention_pattern.has_value());
  // local_per_global = 5: the unit is five local layers then one global (sliding_window_pattern 6).
  EXPECT_EQ(gemma.attention_pattern->layer_types.size(), 6u);
  EXPECT_EQ(gemma.attention_pattern->layer_types.back(), capacity::LayerAttention::global);
  EXPECT_FALSE(gemma.sliding_window.has_value());
  EXPECT_NE(error_of(replaced(oss, "\"full_attention\"]", "\"global_attention\"]"))
                .find("attention_pattern.layer_types: unknown layer type 'global_attention'; allowed: "
                      "sliding_attention, full_attention"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(oss, "sliding_window = { value = 128", "sliding_window = { value = 0"))
                .find("attention_pattern.sliding_window: value 0 is outside the allowed range"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(oss, "sliding_window = { value = 128", "sliding_window = { value = -128"))
                .find("attention_pattern.sliding_window"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(oss, "layer_types = { value = [\"sliding_attention\", \"full_attention\"]",
                              "layer_types = { value = []"))
                .find("attention_pattern.layer_types: needs a non-empty list of strings"),
            std::string::npos);
  // One way to give the unit, not two; the window lives in the pattern, not beside it.
  EXPECT_NE(error_of(replaced(oss, "[attention_pattern]\n",
                              "[attention_pattern]\nlocal_per_global = { value = 1, source = \"x\" }\n"))
                .find("attention_pattern.layer_types: give exactly one of layer_types and local_per_global"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(oss, "[attention_pattern]\n",
                              "sliding_window = { value = 128, source = \"x\" }\n[attention_pattern]\n"))
                .find("sliding_window: a model with [attention_pattern] gives its window there"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(oss, "[attention_pattern]\n", "[attention_pattern]\nwindow = { value = 1, source = \"x\" }\n"))
                .find("did you mean"),
            std::string::npos);
}

TEST(ModelFiles, UnknownNamesSuggestTheNearestAndPathsLoad) {
  try {
    find_model("llama-3.1-8");
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_EQ(e.field(), "model");
    EXPECT_NE(std::string(e.what()).find("did you mean 'llama-3.1-8b'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(find_model((models_dir() / "qwen2.5-7b.toml").string()).id, "qwen2.5-7b");
}

TEST(ModelFiles, IdsMatchInAnyCase) {
  EXPECT_EQ(find_model("Llama-3.1-8B").id, "llama-3.1-8b");
  EXPECT_EQ(find_model("QWEN2.5-7B").id, "qwen2.5-7b");
}

TEST(ModelFiles, StrictParsingNamesFileLineAndField) {
  const std::string llama = model_text("llama-3.2-1b");
  ASSERT_EQ(error_of(llama), "no error");
  // A typo is an error with the nearest key, not a silent default.
  EXPECT_NE(error_of(llama + "kv_head = { value = 8, source = \"x\" }\n").find("did you mean 'kv_heads'"),
            std::string::npos);
  EXPECT_NE(error_of(llama + "kv_head = { value = 8, source = \"x\" }\n").find("test.toml:"), std::string::npos);
  // Missing field, missing source, out of range, fractional count.
  const std::string no_vocab = replaced(llama, "vocab_size = ", "# vocab_size = ");
  EXPECT_NE(error_of(no_vocab).find("test.toml: vocab_size: missing field"), std::string::npos) << error_of(no_vocab);
  EXPECT_NE(error_of(replaced(llama, "value = 16, source", "value = 16, sauce")).find("unknown key 'sauce'"),
            std::string::npos);
  EXPECT_NE(
      error_of(replaced(llama, "layers = { value = 16", "layers = { value = 0")).find("outside the allowed range"),
      std::string::npos);
  EXPECT_NE(error_of(replaced(llama, "layers = { value = 16", "layers = { value = 16.5")).find("whole number"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(llama, "kv_heads = { value = 8", "kv_heads = { value = 5")).find("must divide heads"),
            std::string::npos);
  EXPECT_NE(error_of(replaced(llama, "mixer = \"attention\"", "mixer = \"rnn\""))
                .find("allowed: attention, ssm, parallel-hybrid"),
            std::string::npos);
}

TEST(ModelFiles, MixersRequireTheirFields) {
  const std::string mamba2 = model_text("mamba2-780m");
  ASSERT_EQ(error_of(mamba2), "no error");
  const std::string no_ssm = mamba2.substr(0, mamba2.find("[ssm]"));
  EXPECT_NE(error_of(no_ssm).find("needs an [ssm] table"), std::string::npos) << error_of(no_ssm);
  EXPECT_NE(error_of(replaced(mamba2, "heads = { value = 48", "heads = { value = 47"))
                .find("heads x head_dim must equal inner_size"),
            std::string::npos);
  // An SSM has no attention heads; an attention model no [ssm] table.
  EXPECT_NE(
      error_of(replaced(mamba2, "[ssm]", "heads = { value = 8, source = \"x\" }\n[ssm]")).find("has no attention"),
      std::string::npos);
  const std::string llama = model_text("llama-3.2-1b");
  EXPECT_NE(error_of(llama + "[ssm]\nkind = \"mamba2\"\n").find("has no SSM layers"), std::string::npos);
  EXPECT_NE(error_of(replaced(llama, "heads = { value = 32", "# heads"))
                .find("missing field (mixer 'attention' has attention"),
            std::string::npos);
}

}  // namespace
}  // namespace attnsim
