// attnsim import-model: a Hugging Face config.json written as a model file (models/SCHEMA.md), each
// value with the config.json key it came from, so it can be read, checked and edited like models/*.toml.
#include "cli/app.h"
#include "cli/options.h"
#include "io/hf_config.h"
#include "io/model_config.h"
#include "io/model_toml.h"
#include "model/error.h"

namespace attnsim::cli {
namespace {

constexpr const char* kHelp = R"(attnsim import-model: a Hugging Face config.json as a model file (models/SCHEMA.md).

Reads the config.json of a checkpoint whose model_type the model files cover (llama, mistral,
mixtral, qwen2, qwen3, qwen3_moe, phi3, gemma3 and gemma3_text, gpt_oss, deepseek_v3, mamba,
mamba2, falcon_h1, and mamba_ssm's own config.json) and writes the equivalent model file: every
value with the config.json key it came from, or the library default it falls back to. The file is
read back before it is written, so what --out holds loads with --model and gives the same numbers
as --model path/config.json. Not in config.json, so left out: published_parameters (the model
card's count). The id is --id, else the file's name (its folder's for a file named config.json);
the name is the config's _name_or_path, else the id.

examples:
  attnsim import-model --hf-config tests/data/hf_configs/llama-3.1-8b.json
  attnsim import-model --hf-config ~/models/Qwen2.5-7B/config.json --id qwen2.5-7b --out qwen2.5-7b.toml
  attnsim capacity --model ~/models/Qwen2.5-7B/config.json --gpu h100-sxm
)";

}  // namespace

int import_model_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
  po::options_description options("attnsim import-model");
  options.add_options()
      ("hf-config", po::value<std::string>(), "the Hugging Face config.json to import (required)")
      ("id", po::value<std::string>(), "model id to give (default: from the file's name)")
      ("out", po::value<std::string>(), "write the model file to FILE (whole or not at all) instead of standard output")
      ("help,h", "show this help");
  const po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    out << kHelp << "\n" << options;
    return 0;
  }
  if (!vm.count("hf-config")) throw InvalidInput("hf-config", "is required: the path of a Hugging Face config.json");
  std::optional<std::string> id;
  if (vm.count("id")) {
    id = vm["id"].as<std::string>();
    if (id->empty() || id->find_first_of(" \t\"\\/") != std::string::npos) {
      throw InvalidInput("id", "must be a non-empty name without spaces, quotes or slashes (e.g. llama-3.1-8b)");
    }
  }
  const std::string out_path = out_path_from(vm);
  const std::string file = vm["hf-config"].as<std::string>();
  const std::string text = model_file_text(load_hf_config(file, "hf-config", id));
  // Read back as a model file: a shape the model files refuse is refused here, before anything is written.
  try {
    parse_model_config(text, file);
  } catch (const InvalidInput& e) {
    throw InvalidInput("hf-config", e.field() + ": " + e.what());
  }
  emit(text, out_path, out);
  return 0;
}

}  // namespace attnsim::cli
