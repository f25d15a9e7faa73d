// One ordered list of named values per prediction, rendered as a table, CSV or JSON, so the three
// formats can never disagree. Keys are snake_case with the unit in the name.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "model/prediction.h"

namespace attnsim {

enum class Format { table, csv, json };
Format parse_format(const std::string& name);  // throws InvalidInput("format", ...)

// std::monostate is a missing value: null in JSON, empty in CSV, "-" in tables.
using Value = std::variant<std::monostate, double, std::string, bool>;
struct Field {
  std::string key;
  Value value;
};
using Record = std::vector<Field>;

Record prediction_record(const Prediction& p);
nlohmann::json to_json(const Record& record);
nlohmann::json kernels_json(const Prediction& p);

std::string render_csv(const std::vector<Record>& records);
// Aligned columns; `columns` picks and orders keys; values shown with human units.
std::string render_table(const std::vector<Record>& records, const std::vector<std::string>& columns);

std::string human_bytes(double bytes);
std::string human_seconds(double seconds);
std::string human_count(double count, const std::string& unit);
std::string human_value(const std::string& key, const Value& value);

}  // namespace attnsim
