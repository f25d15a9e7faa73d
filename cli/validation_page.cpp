#include "cli/validation_page.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "io/atomic_file.h"
#include "io/plot.h"
#include "io/report.h"

namespace attnsim::cli {
namespace {

std::string label(const RunComparison& c) { return c.run.variant + " (" + c.run.backend + ")"; }

std::string shape_of(const RunComparison& c) {
  const Workload& w = c.run.workload;
  std::string s = fmt::format("B={} H={} Hkv={} Nq={} Nk={} d={}", w.batch, w.heads, w.kv_heads, w.seq_q, w.seq_kv,
                              w.head_dim);
  if (w.causal) s += " causal";
  if (c.run.tile_block_m) s += fmt::format(" tile {}x{}", *c.run.tile_block_m, *c.run.tile_block_n);
  return s;
}

std::string percent(double fraction) { return fmt::format("{:+.1f}%", 100.0 * fraction); }

std::vector<PlotSeries> by_label(const ValidationReport& report, bool dram) {
  std::map<std::string, PlotSeries> series;
  for (const RunComparison& c : report.rows) {
    if (dram && !c.ncu) continue;
    PlotSeries& s = series[label(c)];
    s.title = label(c);
    if (dram) {
      s.points.push_back({c.ncu->measured_dram_read_bytes + c.ncu->measured_dram_write_bytes,
                          c.ncu->predicted_hbm_bytes, true});
    } else {
      s.points.push_back({c.run.median_seconds, c.prediction.predicted_seconds, true});
    }
  }
  std::vector<PlotSeries> out;
  for (auto& [name, s] : series) out.push_back(std::move(s));
  return out;
}

}  // namespace

void plot_time_scatter(const ValidationReport& report, const Gpu& gpu, const std::filesystem::path& output) {
  plot_scatter(by_label(report, false),
               {"attnsim on " + gpu.id + ": predicted vs measured time", "measured (s)", "predicted (s)"}, output);
}

bool plot_dram_scatter(const ValidationReport& report, const Gpu& gpu, const std::filesystem::path& output) {
  const std::vector<PlotSeries> series = by_label(report, true);
  if (series.empty()) return false;
  plot_scatter(series, {"attnsim on " + gpu.id + ": predicted HBM bytes vs ncu DRAM bytes", "ncu DRAM bytes",
                        "predicted HBM bytes"},
               output);
  return true;
}

bool plot_time_vs_n(const ValidationReport& report, const Gpu& gpu, const std::filesystem::path& output) {
  std::vector<PlotSeries> series;
  for (const SlopeSummary& slope : report.slopes) {
    // Measured and predicted of one shape family: one colour, one panel, circles and squares.
    const std::string family = slope.variant + " (" + slope.backend + ") " + slope.family;
    PlotSeries measured{"measured " + family, {}, family};
    PlotSeries predicted{"predicted " + family, {}, family};
    std::map<std::int64_t, std::pair<double, double>> by_n;  // one point per N (the first row: tiles repeat N)
    for (const RunComparison& c : report.rows) {
      const Workload& w = c.run.workload;
      if (c.run.variant != slope.variant || c.run.backend != slope.backend || w.seq_q != w.seq_kv) continue;
      if (slope_family(c.run) != slope.family) continue;
      by_n.emplace(w.seq_kv, std::pair{c.run.median_seconds, c.prediction.predicted_seconds});
    }
    for (const auto& [n, times] : by_n) {
      measured.points.push_back({double(n), times.first, true});
      predicted.points.push_back({double(n), times.second, true});
    }
    if (measured.points.size() < 2) continue;
    series.push_back(std::move(measured));
    series.push_back(std::move(predicted));
  }
  if (series.empty()) return false;
  plot_loglog(series, {"attnsim on " + gpu.id + ": time vs N, measured and predicted", "N (tokens)", "time (s)"},
              output);
  return true;
}

std::string validation_markdown(const ValidationReport& report, const Gpu& gpu, const PageInputs& inputs,
                                const std::vector<std::string>& plot_names) {
  std::string md = fmt::format("# attnsim validation on {}\n\n", gpu.id);
  md += fmt::format("Measured runs: `{}`", inputs.measured_file);
  if (!inputs.ncu_file.empty()) md += fmt::format("; Nsight Compute export: `{}`", inputs.ncu_file);
  md += fmt::format(".\nWritten by `{}`.\n\n", inputs.command);
  md += fmt::format("{} runs compared, {} not compared (oom, unsupported, no attnsim variant, or timed under a "
                    "profiler without --ncu). Errors are predicted / measured - 1: negative means attnsim predicts "
                    "too fast (time) or too few bytes.\n\n",
                    report.rows.size(), report.skipped.size());

  md += "## Per variant and backend\n\n| variant | backend | points | time MAPE | worst time error | median ratio | "
        "DRAM points | DRAM MAPE | worst DRAM error |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const VariantSummary& s : report.summary) {
    md += fmt::format("| {} | {} | {} | {:.1f}% | {:.1f}% | {:.3f} | {} | {} | {} |\n", s.variant, s.backend, s.points,
                      s.mean_abs_percentage_error, s.max_abs_percentage_error, s.median_ratio, s.dram_points,
                      s.dram_points ? fmt::format("{:.1f}%", s.dram_mean_abs_percentage_error) : "-",
                      s.dram_points ? fmt::format("{:.1f}%", s.dram_max_abs_percentage_error) : "-");
  }
  for (const std::string& plot : plot_names) md += fmt::format("\n![{}]({})\n", plot, plot);

  if (!report.slopes.empty()) {
    md += fmt::format("\n## Log-log slope of time against N (prefill, N >= {})\n\n| variant | backend | family | "
                      "points | measured | predicted |\n|---|---|---|---:|---:|---:|\n",
                      inputs.fit_min_seq);
    for (const SlopeSummary& s : report.slopes) {
      md += fmt::format("| {} | {} | {} | {} | {:.3f} | {:.3f} |\n", s.variant, s.backend, s.family, s.points,
                        s.measured_slope, s.predicted_slope);
    }
  }
  const bool any_ncu = std::any_of(report.rows.begin(), report.rows.end(), [](const RunComparison& c) { return c.ncu; });
  if (any_ncu) {
    md += "\n## HBM bytes: attnsim vs Nsight Compute\n\nDRAM bytes are `dram__bytes_read.sum + "
          "dram__bytes_write.sum` over the kernels between the call's two `attnsim_run_marker` kernels; ncu "
          "flushes the caches before every kernel it profiles.\n\n| line | variant | backend | shape | kernels | "
          "ncu DRAM read | ncu DRAM write | predicted HBM | error | ncu kernel time | predicted time |\n"
          "|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const RunComparison& c : report.rows) {
      if (!c.ncu) continue;
      const NcuComparison& n = *c.ncu;
      md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", c.run.line, c.run.variant,
                        c.run.backend, shape_of(c), n.kernels, human_bytes(n.measured_dram_read_bytes),
                        human_bytes(n.measured_dram_write_bytes), human_bytes(n.predicted_hbm_bytes),
                        percent(n.dram_error), human_seconds(n.kernel_seconds),
                        human_seconds(c.prediction.predicted_seconds));
    }
  }
  md += "\n## Every run\n\n<details><summary>" + std::to_string(report.rows.size()) +
        " rows</summary>\n\n| line | variant | backend | shape | measured | predicted | time error | memory error | "
        "bound |\n|---:|---|---|---|---:|---:|---:|---:|---|\n";
  for (const RunComparison& c : report.rows) {
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", c.run.line, c.run.variant, c.run.backend,
                      shape_of(c), human_seconds(c.run.median_seconds), human_seconds(c.prediction.predicted_seconds),
                      percent(c.time_error), c.memory_error ? percent(*c.memory_error) : "-", c.prediction.bound);
  }
  md += "\n</details>\n";
  if (!report.skipped.empty()) {
    md += "\n## Not compared\n\n";
    for (const std::string& s : report.skipped) md += "- " + s + "\n";
  }
  return md;
}

void write_validation_page(const ValidationReport& report, const Gpu& gpu, const PageInputs& inputs,
                           const std::filesystem::path& page) {
  check_output_path(page, "report");
  const std::string stem = page.stem().string();
  const std::filesystem::path folder = page.parent_path();
  std::vector<std::string> plots;
  const std::string time_plot = stem + "-time.svg";
  plot_time_scatter(report, gpu, folder / time_plot);
  plots.push_back(time_plot);
  const std::string dram_plot = stem + "-dram.svg";
  if (plot_dram_scatter(report, gpu, folder / dram_plot)) plots.push_back(dram_plot);
  const std::string n_plot = stem + "-vs-n.svg";
  if (plot_time_vs_n(report, gpu, folder / n_plot)) plots.push_back(n_plot);
  write_file_atomically(page, validation_markdown(report, gpu, inputs, plots), "report");
}

}  // namespace attnsim::cli
