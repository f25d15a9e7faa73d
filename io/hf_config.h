// Imports a Hugging Face config.json (or mamba_ssm's own config.json) as the ModelConfig a model
// file (models/SCHEMA.md) would give, keeping where each value came from, so `--model config.json`
// and `attnsim import-model` read the same shapes the hand-written models/*.toml carry.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capacity/model_config.h"

namespace attnsim {

// The imported shapes and, per model-file key ("layers", "ssm.state_size", "moe.routed_experts"),
// the source text the written TOML gives that key. `model_type` is the config's (or "mamba_ssm").
struct ImportedModel {
  capacity::ModelConfig model;
  std::map<std::string, std::string> sources;
  std::string model_type;
  std::string file_name;  // the config file's name, for the written TOML's header
};

// `option` is the command-line option errors name ("model", "hf-config"); `id` the model id to
// give (else derived from the file name: its stem, or its folder's name for a file named
// config.json). Throws InvalidInput(option, "<file>: ...") for malformed JSON, an unknown
// model_type, a missing key or a shape the model files cannot describe.
ImportedModel parse_hf_config(std::string_view json_text, const std::string& file, const std::string& option,
                              const std::optional<std::string>& id = std::nullopt);
ImportedModel load_hf_config(const std::filesystem::path& file, const std::string& option,
                             const std::optional<std::string>& id = std::nullopt);

// A name ending in .json: a config.json to import rather than a model id or a .toml file.
bool names_an_hf_config(const std::string& name_or_path);

// `--model path/config.json`: imported, written as a model file and read back by the model-file
// reader, so it passes the same checks (and gives the same ModelConfig) as the file import-model writes.
capacity::ModelConfig model_from_hf_config(const std::filesystem::path& file, const std::string& option);

}  // namespace attnsim
