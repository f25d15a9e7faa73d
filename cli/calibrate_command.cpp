// attnsim calibrate: fit efficiency constants on a training split of measured runs, write them into
// a GPU profile with their provenance, and report errors on the held-out runs only.
#include <chrono>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "cli/app.h"
#include "cli/options.h"
#include "io/atomic_file.h"
#include "io/gpu_profile.h"
#include "io/report.h"
#include "model/error.h"
#include "validate/calibration.h"
#include "validate/comparison.h"

namespace attnsim::cli {
namespace {

constexpr const char* kHelp = R"(attnsim calibrate: fit the timing model's efficiencies to measured runs.

example:
  attnsim calibrate --measured validate/data/h100-sxm/pytorch_attention.csv --gpu h100-sxm --out my-h100.toml
  attnsim calibrate --measured train.csv --test test.csv --gpu h100-sxm --out my-h100.toml --format json

Per variant, every training run's predicted time is split into compute-bound kernel time C,
memory-bound kernel time M and launch latency L; t = a*C + b*M + L is fitted by least squares on
relative errors, and the tensor/vector efficiencies are divided by a, the HBM efficiency by b
(kept within 0.02..1). The profile written to --out is the --gpu profile plus [efficiency.<variant>]
tables whose sources name the file, the number of training runs, the split and the date. Errors are
reported on the held-out runs only (--holdout fraction of the rows, or every row of --test), with
the constants before and after the fit. Use the profile with --gpu my-h100.toml.
)";

std::string today() {
  const auto now = std::chrono::system_clock::now();
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(now)};
  return fmt::format("{:04d}-{:02d}-{:02d}", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()));
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const VariantSummary* summary_of(const ValidationReport& r, const std::string& variant, const std::string& backend) {
  for (const VariantSummary& s : r.summary) {
    if (s.variant == variant && s.backend == backend) return &s;
  }
  return nullptr;
}

}  // namespace

int calibrate_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
  po::options_description options("attnsim calibrate");
  options.add_options()
      ("measured", po::value<std::string>(), "CSV of measured runs to fit (schema: validate/README.md)")
      ("gpu", po::value<std::string>(), "profile the runs were measured on (id or .toml path): the starting point")
      ("test", po::value<std::string>(), "CSV of runs to report on (default: hold out part of --measured)")
      ("holdout", po::value<std::string>()->default_value("0.3"), "fraction of --measured held out for the report")
      ("seed", po::value<std::string>()->default_value("1"), "seed of the holdout split")
      ("format", po::value<std::string>()->default_value("table"), "table, csv or json (the report)")
      ("out", po::value<std::string>(), "write the calibrated profile (.toml) here, whole or not at all")
      ("config", po::value<std::string>(), "read options from FILE")
      ("help,h", "show this help");
  options.add(clock_options());
  const po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    out << kHelp << "\n" << options;
    return 0;
  }
  for (const char* required : {"measured", "gpu", "out"}) {
    if (!vm.count(required)) throw InvalidInput(required, "is required (see attnsim calibrate --help)");
  }
  const Format format = format_from(vm);
  const std::string measured = vm["measured"].as<std::string>();
  const std::string out_path = out_path_from(vm);
  const std::string gpu_arg = vm["gpu"].as<std::string>();
  const Gpu gpu = at_clock_from(vm, find_gpu(gpu_arg));
  const std::int64_t seed = parse_integer(vm["seed"].as<std::string>(), "seed");
  double holdout = 0;
  try {
    holdout = std::stod(vm["holdout"].as<std::string>());
  } catch (const std::exception&) {
    throw InvalidInput("holdout", "expects a fraction such as 0.3 (got '" + vm["holdout"].as<std::string>() + "')");
  }

  const std::vector<MeasuredRun> runs = read_measured_runs(measured);
  Split split;
  std::string split_text;
  if (vm.count("test")) {
    split.train = runs;
    split.test = read_measured_runs(vm["test"].as<std::string>());
    split_text = "test file " + vm["test"].as<std::string>();
  } else {
    split = split_runs(runs, holdout, std::uint64_t(seed));
    split_text = fmt::format("holdout {} seed {}", holdout, seed);
  }
  const std::vector<VariantFit> fits = calibrate(split.train, gpu);
  if (fits.empty()) throw InvalidInput("measured", "has no ok runs of an attnsim variant to fit");
  // The efficiencies are per clock: they carry to any --clock, but say at which one they were fitted.
  const std::string source =
      fmt::format("attnsim calibrate: {} ({} training rows; {}; fitted at --clock {}, {:.0f} MHz), {}", measured,
                  split.train.size(), split_text, vm["clock"].as<std::string>(), gpu.priced_clock_hz() / 1e6, today());
  const Gpu calibrated = with_fits(gpu, fits, source);
  const ValidationReport before = compare_runs(split.test, gpu, 4096);
  const ValidationReport after = compare_runs(split.test, calibrated, 4096);

  std::vector<Record> rows;
  for (const VariantSummary& a : after.summary) {
    const VariantSummary* b = summary_of(before, a.variant, a.backend);
    const auto fit = std::find_if(fits.begin(), fits.end(), [&](const VariantFit& f) { return f.variant == a.variant; });
    const bool fitted = fit != fits.end();
    rows.push_back({{"variant", a.variant},
                    {"backend", a.backend},
                    {"train_points", fitted ? std::int64_t(fit->train_points) : std::int64_t{0}},
                    {"test_points", std::int64_t{a.points}},
                    {"tensor", fitted ? value_or_null(fit->tensor) : Value()},
                    {"hbm", fitted ? value_or_null(fit->hbm) : Value()},
                    {"test_mape_before_percent", b ? Value(b->mean_abs_percentage_error) : Value()},
                    {"test_mape_after_percent", a.mean_abs_percentage_error},
                    {"test_max_error_after_percent", a.max_abs_percentage_error}});
  }
  std::string base_text = read_text(gpu_profile_path(gpu_arg).string());
  const std::string profile = calibrated_profile_text(base_text, fits, source);
  parse_gpu_profile(profile, out_path);  // the written profile must load
  write_file_atomically(out_path, profile, "out");

  if (format == Format::csv) {
    out << render_csv(rows);
  } else if (format == Format::json) {
    nlohmann::json j = nlohmann::json::array();
    for (const Record& r : rows) j.push_back(to_json(r));
    out << j.dump(2) << "\n";
  } else {
    out << fmt::format("fitted on {} runs, reported on {} held-out runs ({}); profile written to {}\n\n",
                       split.train.size(), split.test.size(), split_text, out_path)
        << render_table(
               rows, {"variant", "backend", "train_points", "test_points", fixed_decimals("tensor", 3),
                      fixed_decimals("hbm", 3), fixed_decimals("test_mape_before_percent", 1),
                      fixed_decimals("test_mape_after_percent", 1), fixed_decimals("test_max_error_after_percent", 1)});
  }
  return 0;
}

}  // namespace attnsim::cli
