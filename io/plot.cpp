#include "io/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>

#include "io/atomic_file.h"
#include "model/error.h"

namespace attnsim {
namespace {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
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

}  // namespace

std::string loglog_script(const std::vector<PlotSeries>& series, const PlotSpec& spec, const std::string& terminal,
                          const std::filesystem::path& output) {
  std::ostringstream s;
  s.precision(10);
  s << "set terminal " << terminal << "\n";
  s << "set output " << quoted(output.string()) << "\n";
  s << "set title " << quoted(spec.title) << "\n";
  s << "set xlabel " << quoted(spec.x_label) << "\nset ylabel " << quoted(spec.y_label) << "\n";
  s << "set logscale xy 2\nset format x '%.0f'\nset format y '10^{%L}'\nset logscale y 10\n";
  s << "set grid\nset key outside right top noenhanced\nset title noenhanced\n";
  s << "plot ";
  for (std::size_t i = 0; i < series.size(); ++i) {
    const int color = int(i % 8) + 1;
    const bool any_oom = std::any_of(series[i].points.begin(), series[i].points.end(), [](const PlotPoint& p) { return !p.fits; });
    if (i) s << ", ";
    s << "'-' using 1:2 with linespoints lc " << color << " lw 2 pt 7 title " << quoted(series[i].title);
    s << ", '-' using 1:2 with linespoints lc " << color << " lw 1 dt 2 pt 6 "
      << (any_oom ? "title " + quoted(series[i].title + ": exceeds GPU memory") : std::string("notitle"));
  }
  s << "\n";
  for (const PlotSeries& one : series) {
    // First block: points that fit, plus the first one that does not, so the solid line reaches it.
    bool crossed = false;
    for (const PlotPoint& p : one.points) {
      if (p.fits || !crossed) s << p.x << " " << p.y << "\n";
      if (!p.fits) crossed = true;
    }
    s << "e\n";
    bool any = false;
    for (const PlotPoint& p : one.points) {
      if (!p.fits) {
        s << p.x << " " << p.y << "\n";
        any = true;
      }
    }
    if (!any) s << "NaN NaN\n";
    s << "e\n";
  }
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

std::string scatter_script(const std::vector<PlotSeries>& series, const PlotSpec& spec, const std::string& terminal,
                           const std::filesystem::path& output) {
  std::ostringstream s;
  s.precision(10);
  s << "set terminal " << terminal << "\nset output " << quoted(output.string()) << "\n";
  s << "set title " << quoted(spec.title) << " noenhanced\n";
  s << "set xlabel " << quoted(spec.x_label) << "\nset ylabel " << quoted(spec.y_label) << "\n";
  s << "set logscale xy 10\nset format x '10^{%L}'\nset format y '10^{%L}'\n";
  s << "set grid\nset key outside right top noenhanced\nset size ratio -1\n";
  s << "plot x with lines lc 'gray' dt 2 title 'predicted = measured'";
  for (std::size_t i = 0; i < series.size(); ++i) {
    s << ", '-' using 1:2 with points pt 7 ps 0.8 lc " << int(i % 8) + 1 << " title " << quoted(series[i].title);
  }
  s << "\n";
  for (const PlotSeries& one : series) {
    for (const PlotPoint& p : one.points) s << p.x << " " << p.y << "\n";
    if (one.points.empty()) s << "NaN NaN\n";
    s << "e\n";
  }
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
  s << "$cells << EOD\n";
  for (std::size_t y = 0; y < map.y_labels.size(); ++y) {
    for (std::size_t x = 0; x < map.x_labels.size(); ++x) {
      const double v = map.values[y][x];
      s << x << " " << y << " " << (std::isfinite(v) ? std::to_string(v) : std::string("NaN")) << " "
        << quoted(map.labels[y][x]) << "\n";
    }
  }
  s << "EOD\n";
  s << "plot $cells using 1:2:3 with image, $cells using 1:2:4 with labels font ',10'\n";
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
  s << "set multiplot layout " << panels.size() << ",1 title " << quoted(spec.title) << " noenhanced\n";
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
