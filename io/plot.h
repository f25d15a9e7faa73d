// Plots through gnuplot (Debian package gnuplot-nox): log-log lines whose points that do not fit in
// GPU memory are drawn hollow on a dashed line, from the first one that does not; scatter against
// the diagonal; a heatmap of discrete cells; stacked areas. Series that coincide are merged and at
// most 8 series share a panel (io/plot_panels.h). SVG or PNG chosen by the file extension.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace attnsim {

struct PlotPoint {
  double x = 0;
  double y = 0;
  bool fits = true;
};

struct PlotSeries {
  std::string title;
  std::vector<PlotPoint> points;
  // Series of one group (measured and predicted of one shape) share a colour and a panel and differ
  // in marker; empty: a group of its own.
  std::string group = {};
};

struct PlotSpec {
  std::string title;
  std::string x_label;
  std::string y_label;
};

// Titles longer than this many characters are broken over lines, so none runs off the canvas.
inline constexpr std::size_t kMaxTitleLineChars = 72;

// The gnuplot script (data inline), exposed for tests.
std::string loglog_script(const std::vector<PlotSeries>& series, const PlotSpec& spec, const std::string& terminal,
                          const std::filesystem::path& output);
// Throws InvalidInput("plot", ...) for a missing folder or an extension other than .svg/.png, so a
// command can refuse a bad path before it computes anything.
void check_plot_path(const std::filesystem::path& output);
// Runs gnuplot; throws std::runtime_error if it is missing or fails. The output appears whole or not at all.
void plot_loglog(const std::vector<PlotSeries>& series, const PlotSpec& spec, const std::filesystem::path& output);

// Predicted (y) against measured (x) on log-log axes with the y = x diagonal; one colour per series.
std::string scatter_script(const std::vector<PlotSeries>& series, const PlotSpec& spec, const std::string& terminal,
                           const std::filesystem::path& output);
void plot_scatter(const std::vector<PlotSeries>& series, const PlotSpec& spec, const std::filesystem::path& output);

// A grid of values over two categorical axes (block M x block N), each cell coloured by its value
// and labelled; an absent value leaves the cell blank with its label (why it is missing).
struct Heatmap {
  std::vector<std::string> x_labels;
  std::vector<std::string> y_labels;
  std::vector<std::vector<double>> values;      // [y][x]; NaN: no value
  std::vector<std::vector<std::string>> labels;  // [y][x]
  std::string value_label;                      // colour bar title
};
std::string heatmap_script(const Heatmap& map, const PlotSpec& spec, const std::string& terminal,
                           const std::filesystem::path& output);
void plot_heatmap(const Heatmap& map, const PlotSpec& spec, const std::filesystem::path& output);

}  // namespace attnsim

namespace attnsim {

// One panel of a stacked-area plot: the layers' values at each x, drawn bottom to top.
struct StackedLayer {
  std::string title;
  std::vector<double> y;
  std::string color;  // "#rrggbb", so one part keeps its colour across panels
};
struct StackedPanel {
  std::string title;
  std::vector<double> x;
  std::vector<StackedLayer> layers;
  std::optional<double> marker_x;  // a vertical line (e.g. the longest context that fits)
};

// Panels one above the other, log2 x axis, linear y up to twice `limit_y` (the region around the
// wall), a dashed horizontal line at `limit_y` (a card's capacity) in every panel.
std::string stacked_script(const std::vector<StackedPanel>& panels, double limit_y, const std::string& limit_title,
                           const PlotSpec& spec, const std::string& terminal, const std::filesystem::path& output);
void plot_stacked(const std::vector<StackedPanel>& panels, double limit_y, const std::string& limit_title,
                  const PlotSpec& spec, const std::filesystem::path& output);

}  // namespace attnsim
