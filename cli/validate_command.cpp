// attnsim validate: every measured run beside its prediction, errors per variant, slopes.
#include <fmt/format.h>
#include <map>

#include "cli/app.h"
#include "cli/options.h"
#include "io/gpu_profile.h"
#include "io/plot.h"
#include "io/report.h"
#include "model/error.h"
#include "validate/comparison.h"

namespace attnsim::cli {
namespace {

constexpr const char* kHelp = R"(attnsim validate: measured runs beside attnsim's predictions.

example:
  attnsim validate --measured validate/data/h100-sxm/pytorch_attention.csv --gpu h100-sxm
  attnsim validate --measured runs.csv --gpu h100-sxm --format csv --out comparison.csv --plot scatter.svg

The CSV schema is in validate/README.md (validate/pytorch_attention_bench.py writes it). Each `ok`
row naming an attnsim variant is predicted with the given GPU profile; time_error is
predicted / measured - 1 (negative: attnsim predicts too fast); memory_error compares the
predicted workspace plus the output O with the measured peak (which includes O). The summary
gives, per (variant, backend), the mean and worst absolute percentage error; slopes compare
measured and predicted log-log slopes of time against N over prefill runs (Nq = Nk).
)";

Record row_record(const RunComparison& c) {
  const Workload& w = c.run.workload;
  return {{"line", double(c.run.line)},
          {"variant", c.run.variant},
          {"backend", c.run.backend},
          {"batch", double(w.batch)},
          {"heads", double(w.heads)},
          {"kv_heads", double(w.kv_heads)},
          {"seq_q", double(w.seq_q)},
          {"seq_kv", double(w.seq_kv)},
          {"head_dim", double(w.head_dim)},
          {"causal", w.causal},
          {"measured_seconds", c.run.median_seconds},
          {"predicted_seconds", c.prediction.predicted_seconds},
          {"time_error_percent", 100.0 * c.time_error},
          {"memory_error_percent", c.memory_error ? fmt::format("{:.1f}", 100.0 * *c.memory_error) : std::string("-")},
          {"bound", c.prediction.bound}};
}

Record summary_record(const VariantSummary& s) {
  return {{"variant", s.variant},
          {"backend", s.backend},
          {"points", double(s.points)},
          {"mape_percent", s.mean_abs_percentage_error},
          {"max_error_percent", s.max_abs_percentage_error},
          {"median_ratio", s.median_ratio}};
}

Record slope_record(const SlopeSummary& s) {
  return {{"variant", s.variant},
          {"backend", s.backend},
          {"family", s.family},
          {"points", double(s.points)},
          {"measured_slope", s.measured_slope},
          {"predicted_slope", s.predicted_slope}};
}

template <typename T, typename F>
std::vector<Record> records(const std::vector<T>& items, F make) {
  std::vector<Record> out;
  for (const T& item : items) out.push_back(make(item));
  return out;
}

std::string fixed(const std::vector<Record>& rows, const std::vector<std::string>& columns) {
  // Percentages and ratios read better with one or two decimals than with the generic units.
  std::vector<Record> shown = rows;
  for (Record& r : shown) {
    for (Field& f : r) {
      if (const double* d = std::get_if<double>(&f.value)) {
        if (f.key.find("percent") != std::string::npos) f.value = fmt::format("{:.1f}", *d);
        if (f.key.find("ratio") != std::string::npos || f.key.find("slope") != std::string::npos) {
          f.value = fmt::format("{:.3f}", *d);
        }
      }
    }
  }
  return render_table(shown, columns);
}

}  // namespace

int validate_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
  po::options_description options("attnsim validate");
  options.add_options()
      ("measured", po::value<std::string>(), "CSV of measured runs (schema: validate/README.md)")
      ("gpu", po::value<std::string>(), "GPU profile the runs were measured on (id or .toml path)")
      ("fit-min-seq", po::value<std::string>()->default_value("4096"), "slopes over prefill runs with N >= this")
      ("plot", po::value<std::string>(), "predicted-vs-measured scatter to FILE (.svg or .png)");
  options.add(output_options());
  const po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    out << kHelp << "\n" << options;
    return 0;
  }
  if (!vm.count("measured")) throw InvalidInput("measured", "is required: the CSV of measured runs");
  if (!vm.count("gpu")) throw InvalidInput("gpu", "is required: the profile of the GPU the runs were measured on");
  const Format format = format_from(vm);
  const std::int64_t fit_min_seq = parse_integer(vm["fit-min-seq"].as<std::string>(), "fit-min-seq");
  const Gpu gpu = find_gpu(vm["gpu"].as<std::string>());
  const std::string out_path = out_path_from(vm);
  const std::string plot_path = plot_path_from(vm);
  const ValidationReport report = compare_runs(read_measured_runs(vm["measured"].as<std::string>()), gpu, fit_min_seq);

  const std::vector<Record> rows = records(report.rows, row_record);
  const std::vector<Record> summary = records(report.summary, summary_record);
  const std::vector<Record> slopes = records(report.slopes, slope_record);
  std::string text;
  if (format == Format::csv) {
    text = render_csv(rows);
  } else if (format == Format::json) {
    nlohmann::json j;
    for (const auto& [key, list] : {std::pair{"rows", &rows}, {"summary", &summary}, {"slopes", &slopes}}) {
      j[key] = nlohmann::json::array();
      for (const Record& r : *list) j[key].push_back(to_json(r));
    }
    j["skipped"] = report.skipped;
    text = j.dump(2) + "\n";
  } else {
    text = fixed(rows, {"line", "variant", "backend", "batch", "heads", "kv_heads", "seq_q", "seq_kv", "head_dim",
                        "causal", "measured_seconds", "predicted_seconds", "time_error_percent",
                        "memory_error_percent", "bound"});
    text += "\nper variant and backend (time):\n" +
            fixed(summary, {"variant", "backend", "points", "mape_percent", "max_error_percent", "median_ratio"});
    if (!slopes.empty()) {
      text += fmt::format("\nlog-log slope of time vs N, prefill runs with N >= {}:\n", fit_min_seq) +
              fixed(slopes, {"variant", "backend", "family", "points", "measured_slope", "predicted_slope"});
    }
    text += fmt::format("\n{} runs compared, {} not compared (oom, unsupported, or no attnsim variant)\n",
                        report.rows.size(), report.skipped.size());
  }
  if (!plot_path.empty()) {
    std::map<std::string, PlotSeries> by_variant;
    for (const RunComparison& c : report.rows) {
      PlotSeries& s = by_variant[c.run.variant + " (" + c.run.backend + ")"];
      s.title = c.run.variant + " (" + c.run.backend + ")";
      s.points.push_back({c.run.median_seconds, c.prediction.predicted_seconds, true});
    }
    std::vector<PlotSeries> series;
    for (auto& [name, s] : by_variant) series.push_back(std::move(s));
    plot_scatter(series, {"attnsim on " + gpu.id + ": predicted vs measured time", "measured (s)", "predicted (s)"},
                 plot_path);
  }
  emit(text, out_path, out);
  return 0;
}

}  // namespace attnsim::cli
