// docs/json-schema.md lists, per command, every key its JSON holds, with the type and when it may be
// null. Each command is run (tests/cli/json_runs.h) and what it writes is checked against the page
// in both directions: no key the page lacks, no type or null it does not allow, no key it lists that
// the command never writes.
#include <gtest/gtest.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/cli/json_runs.h"

namespace attnsim::cli {
namespace {

using testing::json_runs;
using testing::JsonRun;
using testing::Result;
using testing::run_as;

struct KeyDoc {
  std::string type;  // integer, number, boolean or string
  bool nullable = false;
};
using Schema = std::map<std::string, KeyDoc>;  // path ("gpus[].fits") -> documented type

std::string trim(const std::string& text, const char* strip = " ") {
  const auto first = text.find_first_not_of(strip);
  const auto last = text.find_last_not_of(strip);
  return first == std::string::npos ? "" : text.substr(first, last - first + 1);
}

std::vector<std::string> table_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::size_t at = 1;
  for (std::size_t bar = line.find('|', at); bar != std::string::npos; bar = line.find('|', at)) {
    cells.push_back(line.substr(at, bar - at));
    at = bar + 1;
  }
  return cells;
}

// `*` or `points[].*` with the type "[Prediction record](#prediction-record) except `kernels`":
// every key of that section under the path's prefix, but the ones named after `except`.
void include(Schema& into, const std::string& path, const std::string& type,
             const std::map<std::string, Schema>& sections) {
  const std::string name = type.substr(1, type.find(']') - 1);
  const auto section = sections.find(name);
  ASSERT_NE(section, sections.end()) << "docs/json-schema.md links to a section it lacks: " << name;
  std::set<std::string> except;
  if (const std::size_t from = type.find("except"); from != std::string::npos) {
    for (std::size_t open = type.find('`', from); open != std::string::npos;) {
      const std::size_t close = type.find('`', open + 1);
      except.insert(type.substr(open + 1, close - open - 1));
      open = type.find('`', close + 1);
    }
  }
  const std::string prefix = path.substr(0, path.size() - 1);  // drop the `*`
  for (const auto& [key, doc] : section->second) {
    if (!except.count(key)) into[prefix + key] = doc;
  }
}

// Sections by heading: the command names, and the records they share.
std::map<std::string, Schema> read_schema_page() {
  std::ifstream in(std::string(ATTNSIM_SOURCE_DIR) + "/docs/json-schema.md");
  std::map<std::string, Schema> sections;
  std::string section;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) section = line.substr(3);
    if (line.rfind("| `", 0) != 0) continue;
    const std::vector<std::string> cells = table_cells(line);
    if (cells.size() != 4) {
      ADD_FAILURE() << "docs/json-schema.md: a key row needs 4 cells: " << line;
      continue;
    }
    const std::string path = trim(cells[0], " `");
    const std::string type = trim(cells[1]);
    if (type.rfind('[', 0) == 0) {
      include(sections[section], path, type, sections);
    } else {
      sections[section][path] = {type, !trim(cells[3]).empty()};
    }
  }
  return sections;
}

std::string type_of(const nlohmann::json& value) {
  if (value.is_null()) return "null";
  if (value.is_boolean()) return "boolean";
  if (value.is_number_integer()) return "integer";
  if (value.is_number_float()) return "number";
  return "string";
}

void collect(const nlohmann::json& value, const std::string& path, std::map<std::string, std::set<std::string>>& seen) {
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) collect(item, path.empty() ? key : path + "." + key, seen);
  } else if (value.is_array()) {
    for (const auto& item : value) collect(item, path + "[]", seen);
  } else {
    seen[path].insert(type_of(value));
  }
}

TEST(JsonSchema, EveryCommandWritesExactlyTheKeysThePageLists) {
  const std::map<std::string, Schema> page = read_schema_page();
  std::map<std::string, std::map<std::string, std::set<std::string>>> written;  // command -> path -> types
  for (const JsonRun& run : json_runs()) {
    const Result r = run_as(run, "json");
    ASSERT_EQ(r.status, 0) << run.command << ": " << r.err;
    collect(nlohmann::json::parse(r.out), "", written[run.command]);
  }
  for (const auto& [command, paths] : written) {
    const auto section = page.find(command);
    ASSERT_NE(section, page.end()) << "docs/json-schema.md has no section ## " << command;
    const Schema& schema = section->second;
    for (const auto& [path, types] : paths) {
      const auto doc = schema.find(path);
      if (doc == schema.end()) {
        ADD_FAILURE() << command << " writes " << path << ", which docs/json-schema.md does not list";
        continue;
      }
      for (const std::string& type : types) {
        if (type == "null") {
          EXPECT_TRUE(doc->second.nullable) << command << ": " << path << " is null, which the page does not allow";
        } else {
          EXPECT_EQ(type, doc->second.type) << command << ": " << path;
        }
      }
    }
    for (const auto& [path, doc] : schema) {
      EXPECT_TRUE(paths.count(path)) << "docs/json-schema.md lists " << command << " " << path
                                     << ", which it never writes";
    }
  }
}

}  // namespace
}  // namespace attnsim::cli
