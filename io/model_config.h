// Reads a model file (models/<id>.toml, schema in models/SCHEMA.md) strictly: every number with a
// value and a source, no unknown keys, the fields a mixer needs present, shapes consistent.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "capacity/model_config.h"

namespace attnsim {

// The folder of built-in models: $ATTNSIM_MODELS if set, else <prefix>/share/attnsim/models beside the
// installed executable, else the source tree's (io/data_location.h); throws DataNotFound.
std::filesystem::path models_dir();

capacity::ModelConfig parse_model_config(std::string_view toml_text, const std::string& file_name);
capacity::ModelConfig load_model_config(const std::filesystem::path& file);

// A built-in id in any case ("llama-3.1-8b", "Llama-3.1-8B"), a path to a .toml file, or a path to a
// Hugging Face config.json (io/hf_config.h: imported, then read as the model file it gives); unknown ids throw
// InvalidInput("model", ...) with the nearest id and the list.
capacity::ModelConfig find_model(const std::string& name_or_path);
std::vector<std::string> builtin_model_ids();
std::vector<capacity::ModelConfig> builtin_models();

}  // namespace attnsim
