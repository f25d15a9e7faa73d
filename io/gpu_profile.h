// Reads a GPU profile (hw_profiles/<id>.toml, schema in hw_profiles/SCHEMA.md) strictly: every
// field present with a value and a source, no unknown keys, physical ranges checked.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "model/gpu.h"

namespace attnsim {

// The folder of built-in profiles: $ATTNSIM_PROFILES if set, else <prefix>/share/attnsim/hw_profiles
// beside the installed executable, else the source tree's (io/data_location.h); throws DataNotFound.
std::filesystem::path profiles_dir();

Gpu load_gpu_profile(const std::filesystem::path& file);
Gpu parse_gpu_profile(std::string_view toml_text, const std::string& file_name);

// `name_or_path` is a built-in id in any case ("h100-sxm", "H100-SXM") or a path to a .toml file.
// Unknown ids throw InvalidInput("gpu", ...) with the nearest id and the list.
Gpu find_gpu(const std::string& name_or_path);
// The file find_gpu reads for `name_or_path`.
std::filesystem::path gpu_profile_path(const std::string& name_or_path);
std::vector<std::string> builtin_gpu_ids();
std::vector<Gpu> builtin_gpus();

}  // namespace attnsim
