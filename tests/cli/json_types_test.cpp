// Every command's JSON carries typed values: numbers as numbers, booleans as booleans, null where a
// value does not exist; never a number, a boolean or a stand-in for "missing" written as text. And
// each CSV row holds exactly the values of its JSON row: a double read back from the CSV is the
// same double.
#include <gtest/gtest.h>
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tests/cli/json_runs.h"

namespace attnsim::cli {
namespace {

using testing::json_runs;
using testing::JsonRun;
using testing::Result;
using testing::run_as;

std::string label(const JsonRun& run) {
  std::string text = run.command;
  for (const std::string& a : run.args) text += " " + a;
  return text;
}

bool reads_as_number(const std::string& text) {
  if (text.empty()) return false;
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return end != text.c_str() && *end == '\0';
}

// Words that stand for a boolean or for a missing value.
bool is_stand_in(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  for (const char* word : {"", "-", "none", "n/a", "null", "nan", "true", "false", "yes", "no"}) {
    if (text == word) return true;
  }
  return false;
}

// Version labels ("9.0") name a release, not a quantity: they keep the form the profiles write.
bool is_version_label(const std::string& key) { return key == "compute_capability"; }

void expect_typed(const nlohmann::json& value, const std::string& path, const std::string& where) {
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      if (!is_version_label(key)) expect_typed(item, path + "." + key, where);
    }
  } else if (value.is_array()) {
    for (const auto& item : value) expect_typed(item, path + "[]", where);
  } else if (value.is_string()) {
    const std::string text = value.get<std::string>();
    EXPECT_FALSE(reads_as_number(text)) << where << ": " << path << " = \"" << text << "\"";
    EXPECT_FALSE(is_stand_in(text)) << where << ": " << path << " = \"" << text << "\"";
  }
}

TEST(JsonTypes, NoCommandWritesANumberABooleanOrAMissingValueAsText) {
  for (const JsonRun& run : json_runs()) {
    const Result r = run_as(run, "json");
    ASSERT_EQ(r.status, 0) << label(run) << ": " << r.err;
    expect_typed(nlohmann::json::parse(r.out), "", label(run));
  }
}

// RFC 4180 fields: quoted where they hold a comma, a quote or a newline.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row(1);
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        row.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        row.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.emplace_back();
    } else if (c == '\n') {
      rows.push_back(row);
      row.assign(1, "");
    } else {
      row.back() += c;
    }
  }
  return rows;
}

// The JSON objects a command's CSV rows stand for, in the same order.
std::vector<nlohmann::json> json_rows(const JsonRun& run, const nlohmann::json& j) {
  const auto list = [&](const char* key) { return std::vector<nlohmann::json>(j[key].begin(), j[key].end()); };
  if (run.command == "predict") {  // the scenario heads the JSON and the table; CSV rows hold data only
    nlohmann::json row = j;
    row.erase("scenario");
    return {row};
  }
  if (run.command == "tiles") return list("candidates");
  if (run.command == "sweep" || run.command == "crossover") return list("points");
  if (run.command == "plan") return list("gpus");
  if (run.command == "ring") return list("rows");
  if (run.command == "validate") return j["ncu"].empty() ? list("rows") : list("ncu");
  if (run.command == "serve") {
    std::vector<nlohmann::json> rows = list("grid");
    for (const auto& r : j["largest_batch"]) rows.push_back(r);
    return rows;
  }
  if (run.command == "capacity") {  // the CSV flattens each result's breakdown into its row
    std::vector<nlohmann::json> rows;
    for (nlohmann::json r : j["results"]) {
      for (const auto& [key, value] : r["breakdown"].items()) r[key] = value;
      r.erase("breakdown");
      rows.push_back(r);
    }
    return rows;
  }
  return std::vector<nlohmann::json>(j.begin(), j.end());  // a list of records
}

void expect_same_value(const std::string& cell, const nlohmann::json& value, const std::string& where) {
  if (value.is_null()) {
    EXPECT_EQ(cell, "") << where;
  } else if (value.is_boolean()) {
    EXPECT_EQ(cell, value.get<bool>() ? "true" : "false") << where;
  } else if (value.is_number_integer()) {
    EXPECT_EQ(cell, std::to_string(value.get<std::int64_t>())) << where;
  } else if (value.is_number_float()) {
    char* end = nullptr;
    const double read = std::strtod(cell.c_str(), &end);
    EXPECT_EQ(*end, '\0') << where << ": " << cell;
    EXPECT_EQ(read, value.get<double>()) << where << ": " << cell;  // bit for bit, not approximately
  } else {
    EXPECT_EQ(cell, value.get<std::string>()) << where;
  }
}

TEST(JsonTypes, EveryCsvRowHoldsTheValuesOfItsJsonRow) {
  for (const JsonRun& run : json_runs()) {
    const Result json = run_as(run, "json");
    const Result csv = run_as(run, "csv");
    ASSERT_EQ(json.status, 0) << label(run) << ": " << json.err;
    ASSERT_EQ(csv.status, 0) << label(run) << ": " << csv.err;
    const std::vector<nlohmann::json> expected = json_rows(run, nlohmann::json::parse(json.out));
    const std::vector<std::vector<std::string>> table = parse_csv(csv.out);
    ASSERT_EQ(table.size(), expected.size() + 1) << label(run);
    const std::vector<std::string>& header = table.front();
    for (std::size_t i = 0; i < expected.size(); ++i) {
      ASSERT_EQ(table[i + 1].size(), header.size()) << label(run) << " row " << i;
      for (const auto& [key, value] : expected[i].items()) {
        if (value.is_structured()) continue;  // lists (a prediction's kernels) are JSON only
        const auto column = std::find(header.begin(), header.end(), key);
        ASSERT_NE(column, header.end()) << label(run) << ": no CSV column " << key;
        expect_same_value(table[i + 1][std::size_t(column - header.begin())], value,
                          label(run) + " row " + std::to_string(i) + " " + key);
      }
    }
  }
}

}  // namespace
}  // namespace attnsim::cli
