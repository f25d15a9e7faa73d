#include "io/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "io/atomic_file.h"
#include "io/plot_panels.h"
#include "model/error.h"

namespace attnsim {
namespace {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string terminal_for(const std::filesystem::path& output) {
  const std::string ext = output.extension().string();
  if (ext == ".svg") return "svg size 960,640 dynamic font 'sans,12'";
  if (ext == ".png") return "pngcairo size 1280,860 font 'sans,11'";
  throw InvalidInput("plot", "unsupported plot format '" + ext + "'; allowed: .svg, .png");
}

// `text` broken into lines of at most kMaxTitleLineChars, after a ", ", ": " or space.
std::string wrapped(const std::string& text) {
  std::string out;
  std::string rest = text;
  while (rest.size() > kMaxTitleLineChars) {
    std::size_t cut = std::string::npos;
    for (const char* separator : {", ", ": ", " "}) {
      const std::size_t at = rest.rfind(separator, kMaxTitleLineChars - 1);
      if (at != std::string::npos && at > 0) {
        cut = at + std::string(separator).size();
        break;
      }
    }
    if (cut == std::string::npos) break;
    std::string line = rest.substr(0, cut);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
    rest = rest.substr(cut);
  }
  return out + rest;
}

// Marker pairs (filled, hollow) for the series of one group, in gnuplot's point types: circle,
// square, triangle, diamond, inverted triangle.
constexpr int kFilledPoint[] = {7, 5, 9, 13, 11};
constexpr int kHollowPoint[] = {6, 4, 8, 12, 10};
constexpr std::size_t kMarkers = sizeof kFilledPoint / sizeof kFilledPoint[0];

// Per series of a panel: its colour (one per group, 1..8) and marker (its place in the group).
struct SeriesStyle {
  int color = 1;
  std::size_t marker = 0;
};
std::vector<SeriesStyle> styles_of(const std::vector<PlotSeries>& panel) {
  std::vector<std::string> groups;
  std::vector<std::size_t> members;
  std::vector<SeriesStyle> out;
  for (const PlotSeries& s : panel) {
    const std::string& group = s.group.empty() ? s.title : s.group;
    auto it = std::find(groups.begin(), groups.end(), group);
    if (it == groups.end()) {
      groups.push_back(group);
      members.push_back(0);
      it = groups.end() - 1;
    }
    const std::size_t g = std::size_t(it - groups.begin());
    out.push_back({int(g % kMaxSeriesPerPanel) + 1, members[g]++ % kMarkers});
  }
  return out;
}

// A canvas wide enough for the key beside the plot when its entries are long.
std::string terminal_for_key(std::string terminal, const std::vector<PlotSeries>& series) {
  std::size_t longest = 0;
  for (const PlotSeries& s : series) longest = std::max(longest, s.title.size());
  constexpr std::size_t kLongKeyChars = 44;
  const auto at = terminal.find("size 960,");
  if (longest > kLongKeyChars && at != std::string::npos) terminal.replace(at, 9, "size 1280,");
  return terminal;
}

// Whole powers of `base` around the positive values: shared axes for every panel.
std::pair<double, double> power_range(const std::vector<double>& values, double base) {
  double lo = INFINITY;
  double hi = 0;
  for (const double v : values) {
    if (v > 0 && std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  if (!(hi > 0)) return {1, base};
  const double l = std::log(base);
  double top = std::pow(base, std::ceil(std::log(hi) / l - 1e-9));
  const double bottom = std::pow(base, std::floor(std::log(lo) / l + 1e-9));
  if (top <= bottom) top = bottom * base;
  return {bottom, top};
}

std::string terminal_for_panels(std::string terminal, std::size_t panels);

// Panels share their axes, so they share their place on the canvas too, whatever their own keys'
// widths: the plot ends where the longest key entry of any panel still fits to its right (about 7
// pixels a character at 12 points, plus the line sample).
std::string panel_margins(const std::string& terminal, const std::vector<PlotSeries>& series) {
  constexpr double kPixelsPerChar = 7.0;
  constexpr double kSamplePixels = 90.0;
  const auto at = terminal.find("size ");
  const double width = at == std::string::npos ? 960.0 : std::stod(terminal.substr(at + 5));
  std::size_t longest = 0;
  for (const PlotSeries& s : series) longest = std::max(longest, s.title.size());
  const double right = std::clamp(1.0 - (double(longest) * kPixelsPerChar + kSamplePixels) / width, 0.45, 0.8);
  return fmt::format("set lmargin at screen 0.08\nset rmargin at screen {:.3f}\n", right);
}

// One panel: the title above it. Several: one place on the canvas for all, the title above them.
void write_layout(std::ostream& s, std::size_t panels, const std::string& canvas, const std::vector<PlotSeries>& series,
                  const std::string& title) {
  if (panels < 2) {
    s << "set title " << quoted(wrapped(title)) << "\n";
    return;
  }
  s << panel_margins(canvas, series);
  s << "set multiplot layout " << panels << ",1 title " << quoted(wrapped(title)) << " noenhanced\n";
}

std::string panel_title(std::size_t panel, std::size_t panels, std::size_t first, std::size_t count,
                        std::size_t total) {
  if (panels < 2) return "";
  return fmt::format("panel {} of {}: series {}-{} of {}", panel + 1, panels, first + 1, first + count, total);
}

// Of several panels, each is titled with the series it shows, `first` counting from 0 over all.
void write_panel_title(std::ostream& s, std::size_t panel, std::size_t panels, std::size_t first, std::size_t count,
                       std::size_t total) {
  if (panels > 1) s << "set title " << quoted(panel_title(panel, panels, first, count, total)) << "\n";
}

// The canvas, the output file and the axis labels, the same for every kind of plot.
void write_canvas(std::ostream& s, const std::string& canvas, const std::filesystem::path& output,
                  const PlotSpec& spec) {
  s << "set terminal " << canvas << "\n";
  s << "set output " << quoted(output.string()) << "\n";
  s << "set xlabel " << quoted(spec.x_label) << "\nset ylabel " << quoted(spec.y_label) << "\n";
}

// The coordinates of every point of every series: x, y or both (for axes that share a range).
std::vector<double> coordinates(const std::vector<PlotSeries>& series, bool x, bool y) {
  std::vector<double> values;
  for (const PlotSeries& one : series) {
    for (const PlotPoint& p : one.points) {
      if (x) values.push_back(p.x);
      if (y) values.push_back(p.y);
    }
  }
  return values;
}

}  // namespace

std::string loglog_script(const std::vector<PlotSeries>& input, const PlotSpec& spec, const std::string& terminal,
                          const std::filesystem::path& output) {
  const std::vector<PlotSeries> series = merge_coinciding(input);
  const std::vector<std::vector<PlotSeries>> panels = facet(series);
  std::ostringstream s;
  s.precision(10);
  const std::string canvas = terminal_for_key(terminal_for_panels(terminal, panels.size()), series);
  write_canvas(s, canvas, output, spec);
  s << "set logscale xy 2\nset format x '%.0f'\nset format y '10^{%L}'\nset logscale y 10\n";
  s << "set grid\nset key outside right top noenhanced\nset title noenhanced\n";
  if (panels.size() > 1) {
    const auto [x_lo, x_hi] = power_range(coordinates(series, true, false), 2.0);
    const auto [y_lo, y_hi] = power_range(coordinates(series, false, true), 10.0);
    s << "set xrange [" << x_lo << ":" << x_hi << "]\nset yrange [" << y_lo << ":" << y_hi << "]\n";
  }
  write_layout(s, panels.size(), canvas, series, spec.title);
  std::size_t first = 0;
  for (std::size_t k = 0; k < panels.size(); ++k) {
    const std::vector<PlotSeries>& panel = panels[k];
    write_panel_title(s, k, panels.size(), first, panel.size(), series.size());
    first += panel.size();
    const std::vector<SeriesStyle> styles = styles_of(panel);
    bool any_oom = false;
    s << "plot ";
    for (std::size_t i = 0; i < panel.size(); ++i) {
      const int c = styles[i].color;
      any_oom |=
          std::any_of(panel[i].points.begin(), panel[i].points.end(), [](const PlotPoint& p) { return !p.fits; });
      if (i) s << ", ";
      // Three blocks: the points that fit (filled, solid line), the dashed line from the last one
      // that fits through those that do not, and those that do not (hollow).
      s << "'-' using 1:2 with linespoints lc " << c << " lw 2 pt " << kFilledPoint[styles[i].marker] << " title "
        << quoted(panel[i].title);
      s << ", '-' using 1:2 with lines lc " << c << " lw 1 dt 2 notitle";
      s << ", '-' using 1:2 with points lc " << c << " pt " << kHollowPoint[styles[i].marker] << " notitle";
    }
    if (any_oom) s << ", 1/0 with linespoints lc 'gray40' lw 1 dt 2 pt 6 title 'dashed, hollow: exceeds GPU memory'";
    s << "\n";
    for (const PlotSeries& one : panel) {
      const auto first_oom =
          std::find_if(one.points.begin(), one.points.end(), [](const PlotPoint& p) { return !p.fits; });
      std::string fits_block;
      std::string line_block;
      std::string oom_block;
      for (auto it = one.points.begin(); it != one.points.end(); ++it) {
        std::ostringstream row;
        row.precision(10);
        row << it->x << " " << it->y << "\n";
        if (it->fits) fits_block += row.str();
        if (!it->fits) oom_block += row.str();
        // The dashed line starts at the last point that fits before the first that does not.
        if (!it->fits || (first_oom != one.points.end() && it + 1 == first_oom)) line_block += row.str();
      }
      for (const std::string* block : {&fits_block, &line_block, &oom_block}) {
        s << (block->empty() ? std::string("NaN NaN\n") : *block) << "e\n";
      }
    }
  }
  if (panels.size() > 1) s << "unset multiplot\n";
  return s.str();
}

namespace {

// Writes the script to a temporary file, runs gnuplot on it into a temporary image beside `output`,
// and renames the image over `output` only if gnuplot succeeded.
void run_gnuplot(const std::function<std::string(const std::string&, const std::filesystem::path&)>& script,
                 const std::filesystem::path& output) {
  check_plot_path(output);
  const std::string terminal = terminal_for(output);
  const std::filesystem::path image_tmp = temporary_sibling(output);
  const std::filesystem::path script_tmp = temporary_sibling(std::filesystem::temp_directory_path() / "attnsim.gp");
  {
    std::ofstream file(script_tmp);
    file << script(terminal, image_tmp);
  }
  const std::string command = "gnuplot " + quoted(script_tmp.string()) + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string messages;
  if (pipe) {
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe)) messages += buffer;
  }
  const int status = pipe ? ::pclose(pipe) : -1;
  std::error_code ignored;
  std::filesystem::remove(script_tmp, ignored);
  if (status != 0 || !std::filesystem::exists(image_tmp)) {
    std::filesystem::remove(image_tmp, ignored);
    throw std::runtime_error("gnuplot failed (is the gnuplot-nox package installed?): " + messages);
  }
  std::filesystem::rename(image_tmp, output);
}

}  // namespace

void check_plot_path(const std::filesystem::path& output) {
  check_output_path(output, "plot");
  terminal_for(output);
}

void plot_loglog(const std::vector<PlotSeries>& series, const PlotSpec& spec, const std::filesystem::path& output) {
  run_gnuplot([&](const std::string& terminal, const std::filesystem::path& image) {
    return loglog_script(series, spec, terminal, image);
  }, output);
}

std::string scatter_script(const std::vector<PlotSeries>& input, const PlotSpec& spec, const std::string& terminal,
                           const std::filesystem::path& output) {
  const std::vector<PlotSeries> series = merge_coinciding(input);
  const std::vector<std::vector<PlotSeries>> panels = facet(series);
  std::ostringstream s;
  s.precision(10);
  const std::string canvas = terminal_for_key(terminal_for_panels(terminal, panels.size()), series);
  write_canvas(s, canvas, output, spec);
  s << "set logscale xy 10\nset format x '10^{%L}'\nset format y '10^{%L}'\n";
  s << "set grid\nset key outside right top noenhanced\nset size ratio -1\nset title noenhanced\n";
  if (panels.size() > 1) {
    // One range for both axes of every panel, so the diagonal and the scale are the same in each.
    const auto [lo, hi] = power_range(coordinates(series, true, true), 10.0);
    s << "set xrange [" << lo << ":" << hi << "]\nset yrange [" << lo << ":" << hi << "]\n";
  }
  write_layout(s, panels.size(), canvas, series, spec.title);
  std::size_t first = 0;
  for (std::size_t k = 0; k < panels.size(); ++k) {
    const std::vector<PlotSeries>& panel = panels[k];
    write_panel_title(s, k, panels.size(), first, panel.size(), series.size());
    first += panel.size();
    const std::vector<SeriesStyle> styles = styles_of(panel);
    s << "plot x with lines lc 'gray' dt 2 title 'predicted = measured'";
    for (std::size_t i = 0; i < panel.size(); ++i) {
      s << ", '-' using 1:2 with points pt " << kFilledPoint[styles[i].marker] << " ps 0.8 lc " << styles[i].color
        << " title " << quoted(panel[i].title);
    }
    s << "\n";
    for (const PlotSeries& one : panel) {
      for (const PlotPoint& p : one.points) s << p.x << " " << p.y << "\n";
      if (one.points.empty()) s << "NaN NaN\n";
      s << "e\n";
    }
  }
  if (panels.size() > 1) s << "unset multiplot\n";
  return s.str();
}

void plot_scatter(const std::vector<PlotSeries>& series, const PlotSpec& spec, const std::filesystem::path& output) {
  run_gnuplot([&](const std::string& terminal, const std::filesystem::path& image) {
    return scatter_script(series, spec, terminal, image);
  }, output);
}

std::string heatmap_script(const Heatmap& map, const PlotSpec& spec, const std::string& terminal,
                           const std::filesystem::path& output) {
  std::ostringstream s;
  s.precision(10);
  s << "set terminal " << terminal << "\nset output " << quoted(output.string()) << "\n";
  s << "set title " << quoted(spec.title) << " noenhanced\n";
  s << "set xlabel " << quoted(spec.x_label) << "\nset ylabel " << quoted(spec.y_label) << "\n";
  s << "set cblabel " << quoted(map.value_label) << "\nunset key\nset tics nomirror out\n";
  const auto tics = [&](const char* axis, const std::vector<std::string>& labels) {
    s << "set " << axis << "tics (";
    for (std::size_t i = 0; i < labels.size(); ++i) s << (i ? ", " : "") << quoted(labels[i]) << " " << i;
    s << ")\nset " << axis << "range [-0.5:" << double(labels.size()) - 0.5 << "]\n";
  };
  tics("x", map.x_labels);
  tics("y", map.y_labels);
  // Fast (low) values blue, slow ones red.
  s << "set palette defined (0 '#2c7bb6', 0.5 '#ffffbf', 1 '#d7191c')\n";
  // One filled rectangle per cell (not an image, which viewers stretch and smooth into gradients):
  // cells with a value coloured by it, cells without one light grey; every cell labelled.
  s << "set style fill solid 1.0 border lc 'white'\n";
  s << "$cells << EOD\n";
  for (std::size_t y = 0; y < map.y_labels.size(); ++y) {
    for (std::size_t x = 0; x < map.x_labels.size(); ++x) {
      const double v = map.values[y][x];
      if (std::isfinite(v)) s << x << " " << y << " " << v << "\n";
    }
  }
  s << "EOD\n$blank << EOD\n";
  for (std::size_t y = 0; y < map.y_labels.size(); ++y) {
    for (std::size_t x = 0; x < map.x_labels.size(); ++x) {
      if (!std::isfinite(map.values[y][x])) s << x << " " << y << "\n";
    }
  }
  s << "EOD\n$labels << EOD\n";
  for (std::size_t y = 0; y < map.y_labels.size(); ++y) {
    for (std::size_t x = 0; x < map.x_labels.size(); ++x) s << x << " " << y << " " << quoted(map.labels[y][x]) << "\n";
  }
  s << "EOD\n";
  s << "plot $cells using 1:2:(0.5):(0.5):3 with boxxyerror fc palette, "
       "$blank using 1:2:(0.5):(0.5) with boxxyerror fc rgb '#eeeeee', "
       "$labels using 1:2:3 with labels font ',10'\n";
  return s.str();
}

void plot_heatmap(const Heatmap& map, const PlotSpec& spec, const std::filesystem::path& output) {
  run_gnuplot([&](const std::string& terminal, const std::filesystem::path& image) {
    return heatmap_script(map, spec, terminal, image);
  }, output);
}

}  // namespace attnsim

namespace attnsim {
namespace {

// The terminal's canvas made tall enough for `panels` panels.
std::string terminal_for_panels(std::string terminal, std::size_t panels) {
  const double rows = double(std::max<std::size_t>(panels, 1));
  for (const auto& [size, height] : {std::pair<std::string, double>{"960,640", 420.0}, {"1280,860", 560.0}}) {
    const auto at = terminal.find(size);
    if (at != std::string::npos) {
      terminal.replace(at, size.size(), size.substr(0, size.find(',') + 1) + std::to_string(int(std::max(640.0, height * rows))));
    }
  }
  return terminal;
}

}  // namespace

std::string stacked_script(const std::vector<StackedPanel>& panels, double limit_y, const std::string& limit_title,
                           const PlotSpec& spec, const std::string& terminal, const std::filesystem::path& output) {
  std::ostringstream s;
  s.precision(10);
  s << "set terminal " << terminal_for_panels(terminal, panels.size()) << "\n";
  s << "set output " << quoted(output.string()) << "\n";
  s << "set multiplot layout " << panels.size() << ",1 title " << quoted(wrapped(spec.title)) << " noenhanced\n";
  s << "set xlabel " << quoted(spec.x_label) << "\nset ylabel " << quoted(spec.y_label) << "\n";
  s << "set logscale x 2\nset format x '%.0f'\nset grid\nset key outside right top noenhanced\nset style fill solid 0.6\n";
  for (const StackedPanel& panel : panels) {
    s << "set title " << quoted(panel.title) << " noenhanced\n";
    double top = limit_y;
    for (std::size_t i = 0; i < panel.x.size(); ++i) {
      double sum = 0;
      for (const StackedLayer& layer : panel.layers) sum += layer.y[i];
      top = std::max(top, sum);
    }
    const double y_top = std::min(top * 1.05, 2.0 * limit_y);
    s << "set yrange [0:" << y_top << "]\n";
    s << "unset arrow\n";
    if (panel.marker_x) {
      s << "set arrow from " << *panel.marker_x << ", graph 0 to " << *panel.marker_x << ", graph 1 nohead dt 3 lc 'gray40'\n";
    }
    s << "plot ";
    for (std::size_t i = 0; i < panel.layers.size(); ++i) {
      s << "'-' using 1:2:3 with filledcurves lc rgb " << quoted(panel.layers[i].color) << " title " << quoted(panel.layers[i].title) << ", ";
    }
    s << limit_y << " with lines dt 2 lw 2 lc 'black' title " << quoted(limit_title) << "\n";
    std::vector<double> below(panel.x.size(), 0.0);
    for (const StackedLayer& layer : panel.layers) {
      for (std::size_t i = 0; i < panel.x.size(); ++i) {
        // Clamped to the y range: gnuplot fills clipped areas up to the border otherwise.
        s << panel.x[i] << " " << std::min(below[i], y_top) << " " << std::min(below[i] + layer.y[i], y_top) << "\n";
        below[i] += layer.y[i];
      }
      if (panel.x.empty()) s << "NaN NaN NaN\n";
      s << "e\n";
    }
  }
  s << "unset multiplot\n";
  return s.str();
}

void plot_stacked(const std::vector<StackedPanel>& panels, double limit_y, const std::string& limit_title,
                  const PlotSpec& spec, const std::filesystem::path& output) {
  run_gnuplot([&](const std::string& terminal, const std::filesystem::path& image) {
    return stacked_script(panels, limit_y, limit_title, spec, terminal, image);
  }, output);
}

}  // namespace attnsim
