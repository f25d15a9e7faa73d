// attnsim sweep: predictions over sequence lengths x variants x GPUs, the fitted log-log slope per
// (GPU, variant) over the long-sequence end, and an optional log-log plot.
#include <fmt/format.h>
#include <set>

#include "cli/app.h"
#include "cli/options.h"
#include "cli/sweep_rows.h"
#include "io/gpu_profile.h"
#include "io/plot.h"
#include "io/report.h"
#include "model/error.h"
#include "model/loglog_fit.h"
#include "model/variant.h"

namespace attnsim::cli {
namespace {

constexpr const char* kHelp = R"(attnsim sweep: predictions over sequence lengths, variants and GPUs.

Without options it runs the built-in study: eager vs flash2 vs flash3, H100 SXM and RTX 4090,
N = 512 ... 131072 (x2), 32 heads, head dim 128, bf16, forward.

example:
  attnsim sweep
  attnsim sweep --gpu h100-sxm --variant flash2,sliding-window,ssm-scan --seq 1024:1048576:x2 --plot lin.svg
  attnsim sweep --variant flash2 --seq 16384:131072:x2 --causal --format csv --out flash2.csv

For every (GPU, variant) the slope of log(time) against log(N) is fitted by least squares over the
points with N >= --fit-min-seq: about 2 for attention (O(N^2)), 1 for linear-time variants. In the
plot, dashed hollow points are sequence lengths whose footprint exceeds the GPU's memory; lines that
coincide (flash3 falling back to flash2 on an RTX 4090) are one entry naming both, and more than 8
lines are split into panels of at most 8 on the same axes.
)";

Record fit_record(const SweepSeries& s, std::int64_t fit_min_seq) {
  std::vector<double> x;
  std::vector<double> y;
  for (std::size_t i = 0; i < s.seq.size(); ++i) {
    if (s.seq[i] >= double(fit_min_seq)) {
      x.push_back(s.seq[i]);
      y.push_back(s.seconds[i]);
    }
  }
  if (x.size() < 2 && s.seq.size() >= 2) {  // too few long points: use the last two
    x.assign(s.seq.end() - 2, s.seq.end());
    y.assign(s.seconds.end() - 2, s.seconds.end());
  }
  Record r{{"gpu", s.gpu}, {"variant", s.variant}, {"complexity", s.complexity}};
  if (x.size() < 2) {  // one point fits no line: the fit's fields are null
    for (const char* key : {"slope", "r_squared", "fit_from_seq", "fit_to_seq", "fit_points"}) {
      r.push_back({key, Value()});
    }
    return r;
  }
  const PowerLawFit fit = fit_power_law(x, y);
  r.push_back({"slope", fit.exponent});
  r.push_back({"r_squared", fit.r_squared});
  r.push_back({"fit_from_seq", std::int64_t(x.front())});
  r.push_back({"fit_to_seq", std::int64_t(x.back())});
  r.push_back({"fit_points", std::int64_t{fit.points}});
  return r;
}

Column slope_column() { return null_means("slope", "n/a (one point)"); }

}  // namespace

po::options_description sweep_options() {
  po::options_description options("attnsim sweep");
  options.add_options()
      ("gpu", po::value<std::string>()->default_value("h100-sxm,rtx4090"), "comma list of GPU ids or .toml paths")
      ("variant", po::value<std::string>()->default_value("eager,flash2,flash3"), "comma list of variants")
      ("seq", po::value<std::string>()->default_value("512:131072:x2"), "START:END:xFACTOR, START:END:+STEP or list")
      ("fit-min-seq", po::value<std::string>()->default_value("16384"), "fit the log-log slope over N >= this")
      ("plot", po::value<std::string>(), "draw time vs N on log-log axes to FILE (.svg or .png, via gnuplot)");
  po::options_description workload = workload_options(false);
  options.add(workload).add(knob_options()).add(runtime_options("graph")).add(output_options());
  return options;
}

SweepRows sweep_rows(const po::variables_map& vm, const PointSink& sink) {
  SweepRows rows;
  const std::vector<std::int64_t> seqs = parse_seq_range(vm["seq"].as<std::string>(), "seq");
  rows.fit_min_seq = parse_integer(vm["fit-min-seq"].as<std::string>(), "fit-min-seq");
  const Workload base = workload_from(vm);
  const VariantKnobs knobs = knobs_from(vm);
  const HostDispatch host = host_dispatch_from(vm);
  std::vector<const Variant*> variants;
  for (const std::string& id : split_list(vm["variant"].as<std::string>())) variants.push_back(&find_variant(id));
  std::vector<Gpu> gpus;
  for (const std::string& id : split_list(vm["gpu"].as<std::string>())) gpus.push_back(at_clock_from(vm, find_gpu(id)));
  if (variants.empty()) throw InvalidInput("variant", "is empty; name at least one (attnsim variants)");
  if (gpus.empty()) throw InvalidInput("gpu", "is empty; name at least one (attnsim gpus)");
  const std::size_t predictions = seqs.size() * variants.size() * gpus.size();
  if (predictions > kMaxSweepPredictions) {
    throw InvalidInput(
        "seq", fmt::format("{} points x {} variants x {} GPUs = {} predictions; allowed: at most {}", seqs.size(),
                           variants.size(), gpus.size(), predictions, kMaxSweepPredictions));
  }
  const bool fixed_seq_q = vm.count("seq-q") > 0;
  rows.scenario = attention_scenario_label(base, host, false);
  if (fixed_seq_q) rows.scenario = fmt::format("Nq={} ", base.seq_q) + rows.scenario;

  std::set<std::string> seen_notes;
  if (!sink) rows.points.reserve(predictions);
  for (const Gpu& gpu : gpus) {
    for (const Variant* variant : variants) {
      SweepSeries s{gpu.id, variant->id, variant->complexity, {}, {}, {}};
      for (const std::int64_t n : seqs) {
        Workload w = base;
        w.seq_kv = n;
        if (!fixed_seq_q) w.seq_q = n;
        const Prediction p = predict(w, gpu, *variant, knobs, host);
        for (const std::string& note : p.cost.notes) {
          const std::string line = fmt::format("{} on {}: {}", variant->id, gpu.id, note);
          if (seen_notes.insert(line).second) rows.notes.push_back(line);
        }
        if (sink) {
          sink(prediction_record(p));
        } else {
          rows.points.push_back(prediction_record(p));
        }
        s.seq.push_back(double(n));
        s.seconds.push_back(p.predicted_seconds);
        s.fits.push_back(p.fits_in_memory);
      }
      rows.series.push_back(std::move(s));
    }
  }
  for (const SweepSeries& s : rows.series) rows.fits.push_back(fit_record(s, rows.fit_min_seq));
  return rows;
}

SweepRows sweep_rows(const std::vector<std::string>& args, const PointSink& sink) {
  return sweep_rows(parse(args, sweep_options()), sink);
}

int sweep_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const po::options_description options = sweep_options();
  const po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    out << kHelp << "\n" << options;
    return 0;
  }
  const Format format = format_from(vm);
  const std::string out_path = out_path_from(vm);
  const std::string plot_path = plot_path_from(vm);
  const SweepRows rows = sweep_rows(vm);
  const std::vector<Record>& points = rows.points;
  const std::vector<Record>& fits = rows.fits;
  const std::vector<std::string>& notes = rows.notes;
  const std::int64_t fit_min_seq = rows.fit_min_seq;

  std::string text;
  if (format == Format::json) {
    nlohmann::json j;
    j["scenario"] = rows.scenario;
    j["points"] = nlohmann::json::array();
    for (const Record& r : points) j["points"].push_back(to_json(r));
    j["fits"] = nlohmann::json::array();
    for (const Record& r : fits) j["fits"].push_back(to_json(r));
    j["notes"] = notes;
    text = j.dump(2) + "\n";
  } else if (format == Format::csv) {
    text = render_csv(points);
  } else {
    text = rows.scenario + "\n\n";
    // The mask each variant modelled (sliding-window: causal with its window), not the options typed.
    text += render_table(
        points, {"gpu", "variant", yes_no("causal"), null_means("window", "none"), "seq_kv", "predicted_seconds",
                 "achieved_tflops", "hbm_read_bytes", "workspace_bytes", "footprint_bytes", "fits_in_memory", "bound"});
    text += fmt::format("\nlog-log slope of predicted time vs N (least squares over N >= {}):\n", fit_min_seq);
    text += render_table(fits, {"gpu", "variant", "complexity", slope_column(), "fit_from_seq", "fit_to_seq"});
    for (const std::string& note : notes) text += "note: " + note + "\n";
  }
  if (format == Format::csv) {
    for (const Record& r : fits) {
      err << "slope " << std::get<std::string>(r[0].value) << " " << std::get<std::string>(r[1].value) << ": "
          << (std::holds_alternative<std::monostate>(r[3].value) ? slope_column().null_text
                                                                 : human_value("slope", r[3].value))
          << "\n";
    }
  }
  if (!plot_path.empty()) {
    std::vector<PlotSeries> lines;
    for (const SweepSeries& s : rows.series) {
      PlotSeries line{fmt::format("{} on {}", s.variant, s.gpu), {}};
      for (std::size_t i = 0; i < s.seq.size(); ++i) line.points.push_back({s.seq[i], s.seconds[i], s.fits[i]});
      lines.push_back(std::move(line));
    }
    plot_loglog(lines, {"Predicted attention time: " + rows.scenario, "sequence length N (tokens)", "predicted time (s)"},
                plot_path);
  }
  emit(text, out_path, out);
  return 0;
}

}  // namespace attnsim::cli
