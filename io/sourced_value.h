// Reading `{ value = ..., source = "..." }` entries of the data files (models/*.toml) strictly:
// the value's type and range checked, a non-empty source required, errors naming file:line: key.
#pragma once

#include <toml++/toml.h>
#include <set>
#include <string>
#include <vector>
#include <string_view>

namespace attnsim {

std::string toml_where(const std::string& file, const toml::node& node, std::string_view key);

double sourced_number(const toml::node& node, const std::string& file, std::string_view key, double min, double max);
// A whole number in [min, max].
std::int64_t sourced_integer(const toml::node& node, const std::string& file, std::string_view key, std::int64_t min,
                             std::int64_t max);
bool sourced_bool(const toml::node& node, const std::string& file, std::string_view key);
// A non-empty list of non-empty strings (Hugging Face's `layer_types`).
std::vector<std::string> sourced_strings(const toml::node& node, const std::string& file, std::string_view key);
// The entry's source text (after one of the readers above accepted it).
std::string source_of(const toml::node& node);

// Throws InvalidInput for the first key of `table` not in `known`, with the nearest known key.
void reject_unknown_keys(const toml::table& table, const std::set<std::string>& known, const std::string& file,
                         const std::string& prefix, const std::string& schema);

}  // namespace attnsim
