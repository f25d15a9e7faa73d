#include "validate/whole_model_error_bands.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "capacity/layer_workloads.h"
#include "capacity/phase_time.h"
#include "io/model_config.h"
#include "model/efficiency.h"
#include "validate/error_bands.h"

namespace attnsim {

std::vector<capacity::WholeModelErrorBand> compute_whole_model_error_bands(const std::vector<WholeModelRun>& runs,
                                                                           Gpu (*load_gpu)(const std::string& id)) {
  using Key = std::tuple<std::string, std::string, std::string, std::string>;  // phase, bound, architecture, attention
  std::map<Key, std::vector<double>> errors;
  std::map<Key, std::set<std::string>> gpus;
  for (const WholeModelRun& run : runs) {
    const Gpu gpu = load_gpu(run.gpu);
    const capacity::Scenario s = scenario_of(run);
    const capacity::ModelConfig model = find_model(run.model);
    const capacity::PhaseTime t = capacity::phase_time(model, gpu, s);
    const Key key{std::string(capacity::phase_name(s.phase)), std::string(capacity::time_bound(t)), arch_family(gpu),
                  capacity::attention_backend(model, gpu, s)};
    errors[key].push_back(100.0 * std::fabs(t.total_seconds / run.measured_seconds - 1.0));
    gpus[key].insert(gpu.id);
  }
  std::vector<capacity::WholeModelErrorBand> bands;
  for (const auto& [key, values] : errors) {
    bands.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), std::get<3>(key), band_percent(values),
                     int(values.size()), gpu_list(gpus[key])});
  }
  return bands;
}

std::vector<WholeModelRun> committed_whole_model_runs(const std::filesystem::path& data) {
  std::vector<WholeModelRun> runs = small_model_prefill_runs(data);
  for (const std::string& folder : kBackToBackPrefillFolders) {
    for (const WholeModelRun& r : back_to_back_prefill_runs(data, folder)) runs.push_back(r);
  }
  return runs;
}

std::string whole_model_error_band_table_source(const std::vector<capacity::WholeModelErrorBand>& bands) {
  std::string out;
  for (const capacity::WholeModelErrorBand& b : bands) {
    out += fmt::format("      {{\"{}\", \"{}\", \"{}\", \"{}\", {:.1f}, {}, \"{}\"}},\n", b.phase, b.bound,
                       b.arch_family, b.attention, b.percent, b.runs, b.gpus);
  }
  return out;
}

}  // namespace attnsim
