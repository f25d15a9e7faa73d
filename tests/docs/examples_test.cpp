// Runs every `$ attnsim ...` command in docs/examples/*.md and compares its output with the text
// that follows it in the same ```console block, so the walkthroughs cannot drift from the model.
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

#include "cli/app.h"

namespace attnsim {
namespace {

struct Example {
  std::string file;
  std::vector<std::string> args;
  std::string expected;
};

std::vector<std::string> split_words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

std::vector<Example> examples() {
  std::vector<Example> found;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(ATTNSIM_SOURCE_DIR) + "/docs/examples")) {
    std::ifstream in(entry.path());
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
      } else if (in_console && line.rfind("$ attnsim ", 0) == 0) {
        std::vector<std::string> words = split_words(line.substr(10));
        found.push_back({entry.path().filename().string(), words, ""});
        current = &found.back();
      } else if (current) {
        current->expected += line + "\n";
      }
    }
  }
  return found;
}

TEST(DocsExamples, OutputMatchesThePage) {
  const std::vector<Example> all = examples();
  ASSERT_FALSE(all.empty());
  for (const Example& e : all) {
    std::ostringstream out;
    std::ostringstream err;
    EXPECT_EQ(cli::run(e.args, out, err), 0) << e.file << ": " << err.str();
    EXPECT_EQ(out.str(), e.expected) << e.file;
  }
}

}  // namespace
}  // namespace attnsim
