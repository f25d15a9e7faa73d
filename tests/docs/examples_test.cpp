// Runs every `$ attnsim ...` (or `$ build/attnsim ...`) command in the console blocks of
// the pages listed in pages() and compares its output with the text that follows it:
// whole when the block is complete, line by line in order where `[...]` marks omitted lines. The
// pages cannot drift from the model.
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

#include "cli/app.h"
#include "tests/test_support.h"

namespace attnsim {
namespace {

struct Example {
  std::string file;
  std::vector<std::string> args;
  std::string expected;
};

// The pages whose console blocks are checked: every walkthrough and variant page, the
// simulator page, the capacity-planning guide and the validation page.
std::vector<std::filesystem::path> pages() {
  const std::string root = ATTNSIM_SOURCE_DIR;
  std::vector<std::filesystem::path> paths = {root + "/docs/simulator.md", root + "/docs/capacity-planning.md",
                                               root + "/docs/validation.md"};
  for (const std::string folder : {"/docs/examples", "/docs/variants"}) {
    for (const auto& entry : std::filesystem::directory_iterator(root + folder)) paths.push_back(entry.path());
  }
  return paths;
}

std::vector<Example> examples() {
  std::vector<Example> found;
  for (const std::filesystem::path& page : pages()) {
    std::ifstream in(page);
    std::string line;
    Example* current = nullptr;
    bool in_console = false;
    while (std::getline(in, line)) {
      if (line == "```console") {
        in_console = true;
        current = nullptr;
      } else if (line == "```") {
        in_console = false;
        current = nullptr;
      } else if (in_console && (line.rfind("$ attnsim ", 0) == 0 || line.rfind("$ build/attnsim ", 0) == 0)) {
        std::vector<std::string> words = testing::split_words(line.substr(line.find("attnsim ") + 8));
        found.push_back({page.filename().string(), words, ""});
        current = &found.back();
      } else if (current) {
        current->expected += line + "\n";
      }
    }
  }
  return found;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// Every expected line except `[...]` appears in the output, in order.
bool appears_in_order(const std::string& expected, const std::string& output) {
  const std::vector<std::string> out = lines_of(output);
  std::size_t at = 0;
  for (const std::string& line : lines_of(expected)) {
    if (line == "[...]") continue;
    while (at < out.size() && out[at] != line) ++at;
    if (at == out.size()) return false;
    ++at;
  }
  return true;
}

TEST(DocsExamples, OutputMatchesThePage) {
  const std::vector<Example> all = examples();
  ASSERT_FALSE(all.empty());
  // Pages show commands run from the repository root, as a reader runs them.
  const std::filesystem::path previous = std::filesystem::current_path();
  std::filesystem::current_path(ATTNSIM_SOURCE_DIR);
  for (const Example& e : all) {
    std::ostringstream out;
    std::ostringstream err;
    EXPECT_EQ(cli::run(e.args, out, err), 0) << e.file << ": " << err.str();
    if (e.expected.find("[...]") == std::string::npos) {
      EXPECT_EQ(out.str(), e.expected) << e.file;
    } else {
      EXPECT_TRUE(appears_in_order(e.expected, out.str())) << e.file << "\nexpected:\n" << e.expected << "\ngot:\n" << out.str();
    }
  }
  std::filesystem::current_path(previous);
}

}  // namespace
}  // namespace attnsim
