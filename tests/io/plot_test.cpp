// Plots a reader can trust, checked on the gnuplot scripts: out-of-memory points hollow from the
// first one, coinciding series merged, at most 8 series a panel, discrete heatmap cells, titles
// that fit the canvas.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "io/plot.h"
#include "io/plot_panels.h"

namespace attnsim {
namespace {

// The inline data blocks of a script ('-' data, each ended by "e"), as lists of x values.
std::vector<std::vector<double>> data_blocks(const std::string& script) {
  std::vector<std::vector<double>> blocks;
  std::istringstream in(script);
  std::string line;
  bool in_data = false;
  while (std::getline(in, line)) {
    if (line.rfind("plot ", 0) == 0) {
      in_data = true;
      blocks.emplace_back();
      continue;
    }
    if (!in_data) continue;
    if (line == "e") {
      blocks.emplace_back();
      continue;
    }
    if (line.rfind("set ", 0) == 0 || line.rfind("unset ", 0) == 0) {
      in_data = false;
      continue;
    }
    std::istringstream row(line);
    double x = 0;
    if (row >> x && std::isfinite(x)) blocks.back().push_back(x);
  }
  while (!blocks.empty() && blocks.back().empty()) blocks.pop_back();
  return blocks;
}

std::vector<std::string> plot_lines(const std::string& script) {
  std::vector<std::string> lines;
  std::istringstream in(script);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("plot ", 0) == 0) lines.push_back(line);
  }
  return lines;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

PlotSeries line_of(const std::string& title, double scale, std::size_t points = 4) {
  PlotSeries s{title, {}};
  for (std::size_t i = 0; i < points; ++i) s.points.push_back({1024.0 * double(1 << i), scale * double(1 + i), true});
  return s;
}

TEST(Plot, TheFirstLengthThatExceedsMemoryIsDrawnHollowNotFilled) {
  const PlotSeries eager{"eager on rtx4090",
                         {{4096, 1e-3, true}, {8192, 4e-3, true}, {16384, 16e-3, false}, {32768, 64e-3, false}}};
  const std::string script = loglog_script({eager}, {"t", "x", "y"}, "svg", "o.svg");
  const std::vector<std::vector<double>> blocks = data_blocks(script);
  ASSERT_EQ(blocks.size(), 3u) << script;
  EXPECT_EQ(blocks[0], (std::vector<double>{4096, 8192}));          // filled: only the lengths that fit
  EXPECT_EQ(blocks[1], (std::vector<double>{8192, 16384, 32768}));  // the dashed line from the last that fits
  EXPECT_EQ(blocks[2], (std::vector<double>{16384, 32768}));        // hollow: from the first that does not
  const std::string plot = plot_lines(script).front();
  EXPECT_NE(plot.find("with linespoints lc 1 lw 2 pt 7 title \"eager on rtx4090\""), std::string::npos) << plot;
  EXPECT_NE(plot.find("with points lc 1 pt 6 notitle"), std::string::npos) << plot;
  EXPECT_NE(plot.find("exceeds GPU memory"), std::string::npos);
}

TEST(Plot, CoincidingSeriesAreMergedIntoOneEntryThatNamesBoth) {
  const std::vector<PlotSeries> merged = merge_coinciding(
      {line_of("flash2 on rtx4090", 1e-3), line_of("flash3 on rtx4090", 1e-3), line_of("eager", 2e-3)});
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].title, "flash2 on rtx4090 = flash3 on rtx4090");
  EXPECT_EQ(merged[1].title, "eager");
  // One fits and the other does not at one length: different lines.
  PlotSeries oom = line_of("b", 1e-3);
  oom.points.back().fits = false;
  EXPECT_EQ(merge_coinciding({line_of("a", 1e-3), oom}).size(), 2u);
  EXPECT_EQ(merge_coinciding({line_of("a", 1e-3), line_of("b", 1.001e-3)}).size(), 2u);
  const std::string script =
      loglog_script({line_of("flash2", 1), line_of("flash3", 1)}, {"t", "x", "y"}, "svg", "o.svg");
  EXPECT_NE(script.find("title \"flash2 = flash3\""), std::string::npos);
}

TEST(Plot, NoPanelHasMoreThanEightSeries) {
  std::vector<PlotSeries> series;
  for (int family = 0; family < 12; ++family) {  // 24 series: measured and predicted of 12 shapes
    const std::string name = "shape " + std::to_string(family);
    series.push_back({"measured " + name, line_of("", 1.0 + family).points, name});
    series.push_back({"predicted " + name, line_of("", 1.1 + family).points, name});
  }
  const std::vector<std::vector<PlotSeries>> panels = facet(series);
  ASSERT_EQ(panels.size(), 3u);
  for (const std::vector<PlotSeries>& panel : panels) {
    EXPECT_LE(panel.size(), kMaxSeriesPerPanel);
    for (std::size_t i = 0; i < panel.size(); i += 2) EXPECT_EQ(panel[i].group, panel[i + 1].group);  // pairs kept
  }
  for (const std::string& script : {loglog_script(series, {"t", "x", "y"}, "svg", "o.svg"),
                                    scatter_script(series, {"t", "x", "y"}, "svg", "o.svg")}) {
    EXPECT_NE(script.find("set multiplot layout 3,1"), std::string::npos);
    const std::vector<std::string> plots = plot_lines(script);
    ASSERT_EQ(plots.size(), 3u);
    for (const std::string& plot : plots) {
      EXPECT_LE(count(plot, " title \""), kMaxSeriesPerPanel) << plot;
      // Measured and predicted of one shape: one colour, two markers.
      EXPECT_EQ(count(plot, "lc 1 "), count(plot, "lc 2 ")) << plot;
      EXPECT_EQ(count(plot, "lc 5 "), 0u) << plot;
    }
  }
  // 9 ungrouped series: two even panels, not 8 and 1.
  std::vector<PlotSeries> nine_series;
  for (int i = 0; i < 9; ++i) nine_series.push_back(line_of("s" + std::to_string(i), 1.0 + i));
  const std::vector<std::vector<PlotSeries>> nine = facet(nine_series);
  ASSERT_EQ(nine.size(), 2u);
  EXPECT_EQ(nine[0].size(), 5u);
  EXPECT_EQ(facet({line_of("a", 1), line_of("b", 2)}).size(), 1u);
}

TEST(Plot, TheHeatmapDrawsOneDiscreteCellPerTileNotAnImage) {
  Heatmap map;
  map.x_labels = {"32", "64"};
  map.y_labels = {"64", "128"};
  map.values = {{1.0, 2.0}, {std::nan(""), 3.0}};
  map.labels = {{"1 ms", "2 ms"}, {"no: shared memory", "3 ms"}};
  map.value_label = "time (ms)";
  const std::string script = heatmap_script(map, {"tiles", "block N", "block M"}, "svg", "o.svg");
  EXPECT_EQ(script.find("with image"), std::string::npos);
  EXPECT_NE(script.find("with boxxyerror fc palette"), std::string::npos);
  EXPECT_NE(script.find("$blank << EOD\n0 1\nEOD"), std::string::npos) << script;  // the cell without a value
  EXPECT_NE(script.find("\"no: shared memory\""), std::string::npos);
}

TEST(Plot, LongTitlesAreBrokenIntoLinesThatFitTheCanvas) {
  const std::string title =
      "Decode throughput: llama-3.1-8b on h100-sxm (decode, batch 1, bf16, KV bf16 in blocks of 16, logits: last "
      "position, bf16)";
  const std::string script = loglog_script({line_of("a", 1)}, {title, "x", "y"}, "svg", "o.svg");
  const std::size_t at = script.find("set title \"");
  ASSERT_NE(at, std::string::npos);
  const std::string set_title = script.substr(at + 11, script.find('\n', at) - at - 12);
  std::size_t lines = 0;
  for (std::size_t start = 0; start != std::string::npos;) {
    const std::size_t end = set_title.find("\\n", start);
    EXPECT_LE((end == std::string::npos ? set_title.size() : end) - start, kMaxTitleLineChars) << set_title;
    ++lines;
    start = end == std::string::npos ? end : end + 2;
  }
  EXPECT_EQ(lines, 2u) << set_title;
}

}  // namespace
}  // namespace attnsim
