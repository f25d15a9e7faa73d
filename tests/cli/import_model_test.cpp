// --model path/config.json and attnsim import-model end to end, in-process: a config.json gives the
// numbers of its hand-written model id, the written model file gives them too, and bad input exits 2
// with one line and no output file.
#include <gtest/gtest.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/app.h"
#include "tests/cli/cli_support.h"

namespace attnsim::cli {
namespace {

using testing::attnsim;
using testing::Result;

const std::string kFixtures = std::string(ATTNSIM_SOURCE_DIR) + "/tests/data/hf_configs/";

std::filesystem::path scratch(const std::string& name) { return testing::scratch("attnsim_import_model_test", name); }

// The per-implementation results of `capacity --format json`, without the model's id (a file may give another).
nlohmann::json capacity_results(const std::string& model) {
  const Result r =
      attnsim({"capacity", "--model", model, "--gpu", "h100-sxm", "--impl", "eager,flash2", "--format", "json"});
  EXPECT_EQ(r.status, 0) << r.err;
  if (r.status != 0) return nlohmann::json();
  nlohmann::json results = nlohmann::json::parse(r.out)["results"];
  for (nlohmann::json& one : results) one.erase("model");
  return results;
}

TEST(ModelFromHfConfig, CapacityOfAConfigJsonEqualsCapacityOfItsModelId) {
  for (const std::string id : {"llama-3.1-8b", "qwen2.5-7b", "deepseek-v3", "gpt-oss-20b"}) {
    const nlohmann::json from_json = capacity_results(kFixtures + id + ".json");
    ASSERT_EQ(from_json.size(), 2u) << id;
    EXPECT_EQ(from_json, capacity_results(id)) << id;
  }
  // Not a table of zeros: Llama-3.1-8B's eager prompt fits thousands of tokens on an H100.
  EXPECT_GT(capacity_results(kFixtures + "llama-3.1-8b.json")[0]["longest_context"].get<double>(), 1000);
}

TEST(ImportModelCommand, WritesAModelFileThatGivesTheSameNumbers) {
  const auto out = scratch("qwen.toml");
  const Result r =
      attnsim({"import-model", "--hf-config", kFixtures + "qwen2.5-7b.json", "--id", "my-qwen", "--out", out.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::ifstream in(out);
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("id = \"my-qwen\""), std::string::npos);
  EXPECT_NE(text.str().find("layers = { value = 28, source = \"from config.json key num_hidden_layers\" }"),
            std::string::npos)
      << text.str();
  EXPECT_EQ(capacity_results(out.string()), capacity_results("qwen2.5-7b"));
}

TEST(ImportModelCommand, BadInputIsOneLineWithExitTwoAndNoFile) {
  const auto bert = scratch("bert.json");
  std::ofstream(bert) << R"({"model_type": "bert", "hidden_size": 768})";
  const auto out = scratch("never.toml");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"import-model", "--hf-config", bert.string(), "--out", out.string()},
        std::vector<std::string>{"import-model", "--out", out.string()},
        std::vector<std::string>{"import-model", "--hf-config", kFixtures + "absent.json", "--out", out.string()},
        std::vector<std::string>{"import-model", "--hf-config", kFixtures + "llama-3.1-8b.json", "--id", "a b", "--out",
                                 out.string()}}) {
    const Result r = attnsim(args);
    EXPECT_EQ(r.status, 2) << args[2];
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out));
  }
  const Result unknown = attnsim({"capacity", "--model", bert.string()});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_EQ(
      unknown.err.rfind("attnsim: error: --model: " + bert.string() + ": unknown model_type 'bert'; supported: ", 0),
      0u)
      << unknown.err;
}

TEST(ImportModelCommand, HelpShowsAnExample) {
  const Result r = attnsim({"import-model", "--help"});
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("attnsim import-model --hf-config"), std::string::npos);
  EXPECT_NE(attnsim({"--help"}).out.find("import-model"), std::string::npos);
}

}  // namespace
}  // namespace attnsim::cli
