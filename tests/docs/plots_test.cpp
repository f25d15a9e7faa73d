// Every plot committed under docs/ is redrawn from its command in docs/plot-commands.txt into a
// temporary folder and compared with the committed file: text and structure exactly, coordinates to
// within a pixel (gnuplot's rounding of a last digit must not fail the test; a moved point does).
// Pages written beside the plots (validate --report) are compared exactly.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "cli/app.h"
#include "tests/test_support.h"

namespace attnsim {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct PlotCommand {
  std::vector<std::string> args;  // after "attnsim"
  std::size_t output_arg = 0;     // index of the path after --plot or --report
};

std::vector<PlotCommand> plot_commands() {
  std::ifstream in(std::string(ATTNSIM_SOURCE_DIR) + "/docs/plot-commands.txt");
  std::vector<PlotCommand> commands;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> words = testing::split_words(line);
    EXPECT_EQ(words.front(), "attnsim") << line;
    PlotCommand c{{words.begin() + 1, words.end()}, 0};
    for (std::size_t i = 0; i + 1 < c.args.size(); ++i) {
      if (c.args[i] == "--plot" || c.args[i] == "--report") c.output_arg = i + 1;
    }
    EXPECT_GT(c.output_arg, 0u) << "no --plot or --report in: " << line;
    commands.push_back(c);
  }
  return commands;
}

// Text split into runs of non-number characters and numbers; digits that end a name (gpPt6, the
// marker kind; gnuplot_plot_2) stay text.
struct Tokens {
  std::vector<std::string> text;
  std::vector<double> numbers;
};
Tokens tokenize(const std::string& svg) {
  static const std::regex number(R"(-?\d+(\.\d+)?)");
  Tokens t;
  std::string pending;
  std::size_t at = 0;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), number); it != std::sregex_iterator(); ++it) {
    const std::size_t start = std::size_t(it->position());
    pending += svg.substr(at, start - at);
    at = start + std::size_t(it->length());
    const char before = start > 0 ? svg[start - 1] : ' ';
    if (std::isalpha(static_cast<unsigned char>(before)) || before == '_') {
      pending += it->str();
      continue;
    }
    t.text.push_back(pending);
    pending.clear();
    t.numbers.push_back(std::stod(it->str()));
  }
  t.text.push_back(pending + svg.substr(at));
  return t;
}

// Empty when the two SVGs draw the same thing; else where they first differ.
std::string svg_difference(const std::string& committed, const std::string& drawn) {
  constexpr double kPixel = 1.0;
  const Tokens a = tokenize(committed);
  const Tokens b = tokenize(drawn);
  if (a.numbers.size() != b.numbers.size()) {
    return "different structure: " + std::to_string(a.numbers.size()) + " numbers committed, " +
           std::to_string(b.numbers.size()) + " drawn";
  }
  for (std::size_t i = 0; i < a.text.size(); ++i) {
    if (a.text[i] != b.text[i]) return "text differs: committed '" + a.text[i] + "', drawn '" + b.text[i] + "'";
  }
  for (std::size_t i = 0; i < a.numbers.size(); ++i) {
    if (std::abs(a.numbers[i] - b.numbers[i]) > kPixel) {
      return "number " + std::to_string(i) + " after '" + a.text[i].substr(0, 80) + "': committed " +
             std::to_string(a.numbers[i]) + ", drawn " + std::to_string(b.numbers[i]);
    }
  }
  return "";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// Runs from the repository root, as the listed commands are written.
class InSourceRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    before_ = fs::current_path();
    fs::current_path(ATTNSIM_SOURCE_DIR);
  }
  void TearDown() override { fs::current_path(before_); }

 private:
  fs::path before_;
};

TEST_F(InSourceRoot, EveryCommittedDocsPlotIsWhatItsCommandDraws) {
  const std::vector<PlotCommand> commands = plot_commands();
  ASSERT_GE(commands.size(), 11u);
  std::set<fs::path> compared;
  for (const PlotCommand& c : commands) {
    const fs::path committed = c.args[c.output_arg];
    const fs::path folder = fs::temp_directory_path() / "attnsim_plots_test" / committed.stem();
    fs::remove_all(folder);
    fs::create_directories(folder);
    std::vector<std::string> args = c.args;
    args[c.output_arg] = (folder / committed.filename()).string();
    std::ostringstream out;
    std::ostringstream err;
    ASSERT_EQ(cli::run(args, out, err), 0) << committed << ": " << err.str();
    for (const auto& entry : fs::directory_iterator(folder)) {
      const fs::path beside = committed.parent_path() / entry.path().filename();
      ASSERT_TRUE(fs::exists(beside)) << beside << " is drawn by its command but not committed (scripts/plots.sh)";
      const std::string drawn = replaced(read(entry.path()), args[c.output_arg], committed.string());
      const std::string difference = beside.extension() == ".svg" ? svg_difference(read(beside), drawn)
                                                                  : (read(beside) == drawn ? "" : "text differs");
      EXPECT_EQ(difference, "") << beside << " is stale: regenerate it with scripts/plots.sh";
      compared.insert(beside.lexically_normal());
    }
  }
  // No committed plot lacks its command.
  for (const auto& entry : fs::recursive_directory_iterator("docs")) {
    if (entry.path().extension() != ".svg") continue;
    EXPECT_TRUE(compared.count(entry.path().lexically_normal()))
        << entry.path() << " has no line in docs/plot-commands.txt";
  }
}

TEST(SvgDifference, ToleratesSubPixelRoundingAndCatchesMovedPointsAndChangedText) {
  const std::string svg = "<use xlink:href='#gpPt6' transform='translate(64.14,586.30)'/><text>batch 4</text>";
  EXPECT_EQ(svg_difference(svg, replaced(svg, "64.14", "64.15")), "");
  EXPECT_NE(svg_difference(svg, replaced(svg, "586.30", "580.30")), "");
  EXPECT_NE(svg_difference(svg, replaced(svg, "gpPt6", "gpPt7")), "");
  EXPECT_NE(svg_difference(svg, replaced(svg, "batch 4", "batch 8")), "");
  EXPECT_NE(svg_difference(svg, svg + "<use xlink:href='#gpPt6' transform='translate(1,2)'/>"), "");
}

}  // namespace
}  // namespace attnsim
