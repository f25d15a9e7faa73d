// The folders of built-in data files (hw_profiles/, models/): one <id>.toml per entry, looked up by
// id or given as a path, unknown ids answered with the nearest one.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace attnsim {

// The ids (file stems) of the .toml files in `dir`, sorted.
std::vector<std::string> toml_ids_in(const std::filesystem::path& dir);
// The id in `ids` that `typed` names, in any case ("H100-SXM" is h100-sxm); an exact match wins.
std::optional<std::string> matching_id(const std::string& typed, const std::vector<std::string>& ids);
// A name the user typed is a path (contains '/' or ends in .toml) rather than a built-in id.
bool names_a_file(const std::string& name_or_path);
// Throws InvalidInput(field, "unknown <what> '<typed>' (did you mean '<nearest>'?); allowed: ...").
[[noreturn]] void throw_unknown_id(const std::string& field, const std::string& what, const std::string& typed,
                                   const std::vector<std::string>& ids, const std::string& file_kind);

}  // namespace attnsim
