#include "validate/error_bands.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "model/efficiency.h"
#include "validate/accuracy_checks.h"
#include "validate/comparison.h"
#include "validate/measured_clocks.h"

namespace attnsim {
namespace {

constexpr double kBandQuantile = 0.9;

bool counts_for_bands(const MeasuredRun& run) {
  if (run.backend.rfind("attnsim-", 0) == 0 || run.backend.rfind("cublas-", 0) == 0) return false;
  return run.timing != kProfiledTiming;
}

// Calls issued eagerly back to back carry host dispatch: their own bands.
Dispatch dispatch_of(const MeasuredRun& run) {
  return run.timing.rfind(kHostInclusiveTiming, 0) == 0 ? Dispatch::eager : Dispatch::graph;
}

double quantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const double position = q * double(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(values.size() - 1, below + 1);
  return values[below] + (position - double(below)) * (values[above] - values[below]);
}

}  // namespace

std::vector<ErrorBand> compute_error_bands(const std::vector<ValidationRecordFile>& files) {
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  std::map<Key, std::vector<double>> errors;
  std::map<Key, std::set<std::string>> gpus;
  for (const ValidationRecordFile& f : files) {
    for (const RunComparison& c : compare_runs(read_measured_runs(f.file), f.gpu, 4096).rows) {
      if (!counts_for_bands(c.run) || (!f.every_row_held_out && !in_test_split(c.run))) continue;
      const Key key{c.run.variant, arch_family(f.gpu), std::string(pass_name(c.run.workload.pass)),
                    std::string(dispatch_name(dispatch_of(c.run)))};
      errors[key].push_back(100.0 * std::fabs(c.time_error));
      gpus[key].insert(f.gpu.id);
    }
  }
  std::vector<ErrorBand> bands;
  for (const auto& [key, values] : errors) {
    bands.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), std::get<3>(key), band_percent(values),
                     int(values.size()), gpu_list(gpus[key])});
  }
  return bands;
}

std::string gpu_list(const std::set<std::string>& gpu_ids) {
  std::string list;
  for (const std::string& id : gpu_ids) list += (list.empty() ? "" : ", ") + id;
  return list;
}

double band_percent(std::vector<double> absolute_errors_percent) {
  return std::round(quantile(std::move(absolute_errors_percent), kBandQuantile) * 10.0) / 10.0;
}

std::vector<ValidationRecordFile> committed_validation_records(const std::filesystem::path& data,
                                                               Gpu (*load_gpu)(const std::string& id)) {
  // Each file priced at the clock it was measured at (validate/data/measured_clocks.csv).
  const auto record = [&](const std::string& file, const std::string& gpu, bool every_row_held_out) {
    return ValidationRecordFile{data / file, gpu_as_measured(load_gpu(gpu), data, file), every_row_held_out};
  };
  std::vector<ValidationRecordFile> files = {
      record("h100-sxm/pytorch_attention.csv", "h100-sxm", false),
      record("h200/pytorch_attention.csv", "h200", false),
      record("h200/mechanisms/training.csv", "h200", false),
      record("h100-sxm/random_shapes/training.csv", "h100-sxm", true),  // drawn at random: every row held out
  };
  for (const char* gpu : {"a100-sxm-80gb", "h100-sxm", "b200", "rtx3090", "rtx4090", "rtx5090"}) {
    files.push_back(record("published/" + std::string(gpu) + ".csv", gpu, true));
  }
  return files;
}

std::string error_band_table_source(const std::vector<ErrorBand>& bands) {
  std::string out;
  for (const ErrorBand& b : bands) {
    out += fmt::format("      {{\"{}\", \"{}\", \"{}\", \"{}\", {:.1f}, {}, \"{}\"}},\n", b.variant, b.arch_family,
                       b.pass, b.dispatch, b.percent, b.runs, b.gpus);
  }
  return out;
}

}  // namespace attnsim
