#include "io/sourced_value.h"

#include <cmath>
#include <sstream>
#include <vector>

#include "model/error.h"
#include "model/variant.h"

namespace attnsim {
namespace {

// The entry's `value` node after checking its shape: a table of exactly value and source.
const toml::node& value_node(const toml::node& node, const std::string& file, std::string_view key, const char* kind) {
  const toml::table* entry = node.as_table();
  const std::string shape = std::string("must be { value = <") + kind + ">, source = \"...\" }";
  if (!entry) throw InvalidInput(toml_where(file, node, key), shape);
  for (const auto& [k, v] : *entry) {
    if (k != "value" && k != "source") {
      throw InvalidInput(toml_where(file, v, key),
                         "unknown key '" + std::string(k.str()) + "'; allowed: value, source");
    }
  }
  const auto source = (*entry)["source"].value<std::string>();
  if (!source || source->empty()) throw InvalidInput(toml_where(file, node, key), "needs a non-empty source = \"...\"");
  const toml::node* value = entry->get("value");
  if (!value) throw InvalidInput(toml_where(file, node, key), shape);
  return *value;
}

}  // namespace

std::string toml_where(const std::string& file, const toml::node& node, std::string_view key) {
  return file + ":" + std::to_string(node.source().begin.line) + ": " + std::string(key);
}

double sourced_number(const toml::node& node, const std::string& file, std::string_view key, double min, double max) {
  const auto number = value_node(node, file, key, "number").value<double>();
  if (!number) throw InvalidInput(toml_where(file, node, key), "needs a numeric value");
  if (!(*number >= min && *number <= max)) {
    std::ostringstream range;
    range << "value " << *number << " is outside the allowed range [" << min << ", " << max << "]";
    throw InvalidInput(toml_where(file, node, key), range.str());
  }
  return *number;
}

std::int64_t sourced_integer(const toml::node& node, const std::string& file, std::string_view key, std::int64_t min,
                             std::int64_t max) {
  const double number = sourced_number(node, file, key, double(min), double(max));
  if (number != std::floor(number)) throw InvalidInput(toml_where(file, node, key), "must be a whole number");
  return std::int64_t(number);
}

bool sourced_bool(const toml::node& node, const std::string& file, std::string_view key) {
  const auto flag = value_node(node, file, key, "true|false").value<bool>();
  if (!flag) throw InvalidInput(toml_where(file, node, key), "needs value = true or value = false");
  return *flag;
}

std::vector<std::string> sourced_strings(const toml::node& node, const std::string& file, std::string_view key) {
  const toml::array* list = value_node(node, file, key, "[\"...\", ...]").as_array();
  if (!list || list->empty()) throw InvalidInput(toml_where(file, node, key), "needs a non-empty list of strings");
  std::vector<std::string> texts;
  for (const toml::node& item : *list) {
    const auto text = item.value<std::string>();
    if (!text || text->empty()) throw InvalidInput(toml_where(file, node, key), "every entry must be a non-empty string");
    texts.push_back(*text);
  }
  return texts;
}

std::string source_of(const toml::node& node) {
  return node.as_table()->get("source")->value<std::string>().value_or("");
}

void reject_unknown_keys(const toml::table& table, const std::set<std::string>& known, const std::string& file,
                         const std::string& prefix, const std::string& schema) {
  for (const auto& [k, v] : table) {
    if (known.count(std::string(k.str()))) continue;
    const std::vector<std::string> names(known.begin(), known.end());
    throw InvalidInput(toml_where(file, v, prefix + std::string(k.str())),
                       "unknown key (did you mean '" + nearest_name(k.str(), names) + "'? see " + schema + ")");
  }
}

}  // namespace attnsim
