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

TEST(ModelFiles, AllTwelveBuiltInModelsLoadWithTheirShapes) {
  const std::vector<std::string> expected = {"falcon-h1-0.5b", "llama-3.1-70b", "llama-3.1-8b", "llama-3.2-1b",
                                             "mamba-790m",     "mamba2-2.7b",   "mamba2-780m",  "mistral-7b",
                                             "phi-3-mini",     "qwen2.5-0.5b",  "qwen2.5-1.5b", "qwen2.5-7b"};
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
