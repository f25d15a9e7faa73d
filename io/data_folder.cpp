#include "io/data_folder.h"

#include <algorithm>

#include "model/error.h"
#include "model/variant.h"

namespace attnsim {

std::vector<std::string> toml_ids_in(const std::filesystem::path& dir) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".toml") ids.push_back(entry.path().stem().string());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::optional<std::string> matching_id(const std::string& typed, const std::vector<std::string>& ids) {
  if (std::find(ids.begin(), ids.end(), typed) != ids.end()) return typed;
  const auto match =
      std::find_if(ids.begin(), ids.end(), [&](const std::string& id) { return names_match(typed, id); });
  if (match == ids.end()) return std::nullopt;
  return *match;
}

bool names_a_file(const std::string& name_or_path) {
  const bool is_toml = name_or_path.size() > 5 && name_or_path.compare(name_or_path.size() - 5, 5, ".toml") == 0;
  return is_toml || name_or_path.find('/') != std::string::npos;
}

void throw_unknown_id(const std::string& field, const std::string& what, const std::string& typed,
                      const std::vector<std::string>& ids, const std::string& file_kind) {
  std::string allowed;
  for (const std::string& id : ids) allowed += (allowed.empty() ? "" : ", ") + id;
  throw InvalidInput(field, "unknown " + what + " '" + typed + "' (did you mean '" + nearest_name(typed, ids) +
                                "'?); allowed: " + allowed + ", or a path to a .toml " + file_kind);
}

}  // namespace attnsim
