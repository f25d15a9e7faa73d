// attnsim validate: every measured run beside its prediction, errors per variant, slopes.
#include <fmt/format.h>
#include <map>

#include "cli/app.h"
#include "cli/options.h"
#include "cli/validation_page.h"
#include "io/atomic_file.h"
#include "io/gpu_profile.h"
#include "io/plot.h"
#include "io/report.h"
#include "model/error.h"
#include "validate/comparison.h"
#include "validate/ncu_report.h"

namespace attnsim::cli {
namespace {

constexpr const char* kHelp = R"(attnsim validate: measured runs beside attnsim's predictions.

example:
  attnsim validate --measured validate/data/h100-sxm/pytorch_attention.csv --gpu h100-sxm
  attnsim validate --measured runs.csv --gpu h100-sxm --format csv --out comparison.csv --plot scatter.svg
  attnsim validate --measured validate/data/h100-sxm/ncu/ncu_bench_runs.csv \
      --ncu validate/data/h100-sxm/ncu/ncu_bench.csv --gpu h100-sxm
  attnsim validate --measured validate/data/h100-sxm/attnsim_bench_extended.csv --gpu h100-sxm --report page.md

The CSV schema is in validate/README.md (validate/pytorch_attention_bench.py writes it). Each `ok`
row naming an attnsim variant is predicted with the given GPU profile; time_error is
predicted / measured - 1 (negative: attnsim predicts too fast); memory_error compares the
predicted workspace plus the output O with the measured peak (which includes O). The summary
gives, per (variant, backend), the mean and worst absolute percentage error; slopes compare
measured and predicted log-log slopes of time against N over prefill runs (Nq = Nk). A row's
`tile` column (BMxBN) sets the tile of its prediction (attnsim predict --tile).

--ncu FILE reads Nsight Compute's CSV export (ncu -i REPORT --csv --page raw --print-units base) of
a run made with attnsim-bench --profile or pytorch_attention_bench.py --profile: the kernels
between each pair of attnsim_run_marker kernels are one call, paired in order with the `ok` rows
of --measured (the CSV that same run wrote). Each run then shows ncu's DRAM bytes (read + write)
beside attnsim's predicted HBM bytes, with dram_error = predicted / measured - 1, and takes ncu's
summed kernel time as its measured time. The ncu command is in validate/README.md.

--report FILE.md writes the comparison as a Markdown page with its plots beside it
(FILE-time.svg, FILE-dram.svg with --ncu, FILE-vs-n.svg).
)";

Record row_record(const RunComparison& c) {
  const Workload& w = c.run.workload;
  return {{"line", std::int64_t(c.run.line)},
          {"variant", c.run.variant},
          {"backend", c.run.backend},
          {"batch", w.batch},
          {"heads", w.heads},
          {"kv_heads", w.kv_heads},
          {"seq_q", w.seq_q},
          {"seq_kv", w.seq_kv},
          {"head_dim", w.head_dim},
          {"causal", w.causal},
          {"measured_seconds", c.run.median_seconds},
          {"predicted_seconds", c.prediction.predicted_seconds},
          {"time_error_percent", 100.0 * c.time_error},
          {"memory_error_percent", c.memory_error ? Value(100.0 * *c.memory_error) : Value()},
          {"bound", c.prediction.bound}};
}

Record ncu_record(const RunComparison& c) {
  Record r = row_record(c);
  r.insert(r.begin() + 3,
           Field{"tile",
                 c.run.tile_block_m ? Value(fmt::format("{}x{}", *c.run.tile_block_m, *c.run.tile_block_n)) : Value()});
  r.push_back({"ncu_line", std::int64_t(c.ncu->ncu_line)});
  r.push_back({"ncu_kernels", std::int64_t(c.ncu->kernels)});
  r.push_back({"ncu_dram_read_bytes", c.ncu->measured_dram_read_bytes});
  r.push_back({"ncu_dram_write_bytes", c.ncu->measured_dram_write_bytes});
  r.push_back({"predicted_hbm_bytes", c.ncu->predicted_hbm_bytes});
  r.push_back({"dram_error_percent", 100.0 * c.ncu->dram_error});
  return r;
}

Record summary_record(const VariantSummary& s) {
  return {{"variant", s.variant},
          {"backend", s.backend},
          {"points", std::int64_t{s.points}},
          {"mape_percent", s.mean_abs_percentage_error},
          {"max_error_percent", s.max_abs_percentage_error},
          {"median_ratio", s.median_ratio},
          {"dram_points", std::int64_t{s.dram_points}},
          // Without runs measured by ncu there is no DRAM error: null, not 0.
          {"dram_mape_percent", s.dram_points > 0 ? Value(s.dram_mean_abs_percentage_error) : Value()},
          {"dram_max_error_percent", s.dram_points > 0 ? Value(s.dram_max_abs_percentage_error) : Value()}};
}

Record slope_record(const SlopeSummary& s) {
  return {{"variant", s.variant},
          {"backend", s.backend},
          {"family", s.family},
          {"points", std::int64_t{s.points}},
          {"measured_slope", s.measured_slope},
          {"predicted_slope", s.predicted_slope}};
}

template <typename T, typename F>
std::vector<Record> records(const std::vector<T>& items, F make) {
  std::vector<Record> out;
  for (const T& item : items) out.push_back(make(item));
  return out;
}

std::string fixed(const std::vector<Record>& rows, const std::vector<Column>& columns) {
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
      ("plot", po::value<std::string>(), "predicted-vs-measured scatter to FILE (.svg or .png)")
      ("ncu", po::value<std::string>(), "Nsight Compute CSV export of a --profile run of --measured (see above)")
      ("report", po::value<std::string>(), "write the comparison as a Markdown page FILE.md, plots beside it");
  options.add(clock_options()).add(output_options());
  const po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    out << kHelp << "\n" << options;
    return 0;
  }
  if (!vm.count("measured")) throw InvalidInput("measured", "is required: the CSV of measured runs");
  if (!vm.count("gpu")) throw InvalidInput("gpu", "is required: the profile of the GPU the runs were measured on");
  const Format format = format_from(vm);
  const std::int64_t fit_min_seq = parse_integer(vm["fit-min-seq"].as<std::string>(), "fit-min-seq");
  const Gpu gpu = at_clock_from(vm, find_gpu(vm["gpu"].as<std::string>()));
  const std::string out_path = out_path_from(vm);
  const std::string plot_path = plot_path_from(vm);
  if (vm.count("report")) check_output_path(vm["report"].as<std::string>(), "report");
  std::vector<NcuCall> ncu_calls;
  if (vm.count("ncu")) {
    const std::string ncu_file = vm["ncu"].as<std::string>();
    ncu_calls = group_ncu_calls(read_ncu_csv(ncu_file), ncu_file);
  }
  const ValidationReport report =
      compare_runs(read_measured_runs(vm["measured"].as<std::string>()), gpu, fit_min_seq, ncu_calls);
  std::vector<RunComparison> with_ncu;
  for (const RunComparison& c : report.rows) {
    if (c.ncu) with_ncu.push_back(c);
  }

  const std::vector<Record> rows = records(report.rows, row_record);
  const std::vector<Record> summary = records(report.summary, summary_record);
  const std::vector<Record> slopes = records(report.slopes, slope_record);
  const std::vector<Record> ncu_rows = records(with_ncu, ncu_record);
  std::string text;
  if (format == Format::csv) {
    text = render_csv(with_ncu.empty() ? rows : ncu_rows);
  } else if (format == Format::json) {
    nlohmann::json j;
    for (const auto& [key, list] :
         {std::pair{"rows", &rows}, {"summary", &summary}, {"slopes", &slopes}, {"ncu", &ncu_rows}}) {
      j[key] = nlohmann::json::array();
      for (const Record& r : *list) j[key].push_back(to_json(r));
    }
    j["skipped"] = report.skipped;
    text = j.dump(2) + "\n";
  } else {
    text = fixed(rows, {"line", "variant", "backend", "batch", "heads", "kv_heads", "seq_q", "seq_kv", "head_dim",
                        "causal", "measured_seconds", "predicted_seconds", "time_error_percent",
                        "memory_error_percent", "bound"});
    if (!with_ncu.empty()) {
      text += "\nHBM bytes against Nsight Compute (ncu kernel time is the measured time of these runs):\n" +
              fixed(ncu_rows, {"line", "variant", "backend", "tile", "batch", "seq_q", "seq_kv", "head_dim", "causal",
                               "ncu_kernels", "ncu_dram_read_bytes", "ncu_dram_write_bytes", "predicted_hbm_bytes",
                               "dram_error_percent", "measured_seconds", "predicted_seconds"});
    }
    text += "\nper variant and backend (time):\n" +
            fixed(summary, {"variant", "backend", "points", "mape_percent", "max_error_percent", "median_ratio"});
    if (!with_ncu.empty()) {
      text += "\nper variant and backend (HBM bytes vs ncu):\n" +
              fixed(summary, {"variant", "backend", "dram_points", "dram_mape_percent", "dram_max_error_percent"});
    }
    if (!slopes.empty()) {
      text += fmt::format("\nlog-log slope of time vs N, prefill runs with N >= {}:\n", fit_min_seq) +
              fixed(slopes, {"variant", "backend", "family", "points", "measured_slope", "predicted_slope"});
    }
    text += fmt::format("\n{} runs compared, {} not compared (oom, unsupported, or no attnsim variant)\n",
                        report.rows.size(), report.skipped.size());
  }
  if (!plot_path.empty()) plot_time_scatter(report, gpu, plot_path);
  if (vm.count("report")) {
    std::string command = "attnsim validate";
    for (const std::string& a : args) command += " " + a;
    const PageInputs inputs{vm["measured"].as<std::string>(), vm.count("ncu") ? vm["ncu"].as<std::string>() : "",
                            command, fit_min_seq};
    write_validation_page(report, gpu, inputs, vm["report"].as<std::string>());
  }
  emit(text, out_path, out);
  return 0;
}

}  // namespace attnsim::cli
