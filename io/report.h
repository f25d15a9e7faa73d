// One ordered list of named values per prediction, rendered as a table, CSV or JSON, so the three
// formats can never disagree. Keys are snake_case with the unit in the name.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "model/prediction.h"

namespace attnsim {

enum class Format { table, csv, json };
Format parse_format(const std::string& name);  // throws InvalidInput("format", ...)

// A command's rows hold values of these types and nothing pre-formatted: JSON writes an integer
// as an integer, a double as a number, a boolean as true/false; CSV writes doubles so they read back
// bit for bit. std::monostate is a missing value: null in JSON, empty in CSV, "-" in tables.
// Counts that can exceed 2^63 (FLOPs, bytes, CTAs at N = 10^9) stay doubles.
using Value = std::variant<std::monostate, std::int64_t, double, std::string, bool>;
struct Field {
  std::string key;
  Value value;
};
using Record = std::vector<Field>;

template <typename T>
Value value_or_null(const std::optional<T>& v) {
  return v ? Value(*v) : Value(std::monostate{});
}

// One table column: the key it shows and, where the key's unit rule is not the friendliest
// reading, how. Only tables use it; CSV and JSON carry the values as they are.
struct Column {
  Column(const char* key_name) : key(key_name) {}
  Column(std::string key_name) : key(std::move(key_name)) {}
  std::string key;
  std::optional<int> decimals;  // a double shown with this many decimals (a rate: "1234.5")
  std::string null_text = "-";  // what a missing value means in this column ("unbounded")
  bool yes_no = false;          // a boolean shown as yes/no instead of true/false
};
Column fixed_decimals(std::string key, int decimals);
Column null_means(std::string key, std::string text);
Column yes_no(std::string key);

Record prediction_record(const Prediction& p);
nlohmann::json to_json(const Record& record);
nlohmann::json kernels_json(const Prediction& p);

// Header: every key of the records, in the order first met; a record without a key leaves its
// cell empty. Doubles are written in the shortest form that reads back to the same double.
std::string render_csv(const std::vector<Record>& records);
// Aligned columns; `columns` picks and orders keys; values shown with human units.
std::string render_table(const std::vector<Record>& records, const std::vector<Column>& columns);

std::string human_bytes(double bytes);
std::string human_seconds(double seconds);
std::string human_count(double count, const std::string& unit);
std::string human_value(const std::string& key, const Value& value);

}  // namespace attnsim
