#include "validate/whole_model_records.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "validate/fccp_csv.h"

namespace attnsim {
namespace {

using CsvReader6 = io::CSVReader<6, io::trim_chars<' ', '\t', '\r'>, io::double_quote_escape<',', '"'>>;
using CsvReader4 = io::CSVReader<4, io::trim_chars<' ', '\t', '\r'>, io::double_quote_escape<',', '"'>>;

// The upper median (of an even count, the higher middle value).
double upper_median(std::vector<double> values) {
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

}  // namespace

std::vector<WholeModelRun> small_model_prefill_runs(const std::filesystem::path& data) {
  std::vector<WholeModelRun> runs;
  struct File {
    const char* gpu;
    const char* path;
    bool kv_cache;
  };
  for (const File& file : {File{"h100-sxm", "h100-sxm/capacity/prefill_time.csv", true},
                           File{"h200", "h200/capacity/prefill_mechanisms.csv", false}}) {
    CsvReader6 in((data / file.path).string());
    // prefill_mechanisms.csv also times CUDA-graph replays; the per-call event timings are the rows.
    in.read_header(io::ignore_extra_column | io::ignore_missing_column, "model", "impl", "seq", "timing", "status",
                   "median_seconds");
    WholeModelRun r;
    r.gpu = file.gpu;
    r.machine = std::string(file.gpu) + "/capacity";
    r.kv_cache = file.kv_cache;
    std::string timing = "cuda-events-per-call", status = "ok";
    while (in.read_row(r.model, r.impl, r.seq, timing, status, r.measured_seconds)) {
      if (timing != "cuda-events-per-call" || status != "ok") continue;
      runs.push_back(r);
    }
  }
  CsvReader4 in((data / "h100-sxm/host_dispatch/forwards.csv").string());
  in.read_header(io::ignore_extra_column, "model", "impl", "seq", "events_seconds");
  std::map<std::tuple<std::string, std::string, std::int64_t>, std::vector<double>> times;
  std::string model, impl;
  std::int64_t seq = 0;
  double seconds = 0;
  while (in.read_row(model, impl, seq, seconds)) times[{model, impl, seq}].push_back(seconds);
  for (const auto& [key, t] : times) {
    runs.push_back({"h100-sxm/host_dispatch", "h100-sxm", std::get<0>(key), std::get<1>(key), std::get<2>(key), false,
                    upper_median(t)});
  }
  return runs;
}

capacity::Scenario scenario_of(const WholeModelRun& run) {
  capacity::Scenario s;
  s.phase = capacity::Phase::prefill;
  s.context = run.seq;
  s.kv_cache = run.kv_cache;
  s.all_logits = false;
  s.attention = run.impl == "eager" ? "eager" : "sdpa";
  return s;
}

std::vector<WholeModelRun> back_to_back_prefill_runs(const std::filesystem::path& data, const std::string& folder) {
  io::CSVReader<3, io::trim_chars<' ', '\t', '\r'>, io::double_quote_escape<',', '"'>> in(
      (data / folder / "forward_times.csv").string());
  in.read_header(io::ignore_extra_column, "model", "seq", "events_seconds");
  std::map<std::pair<std::string, std::int64_t>, std::vector<double>> times;
  std::string model;
  std::int64_t seq = 0;
  double seconds = 0;
  while (in.read_row(model, seq, seconds)) times[{model, seq}].push_back(seconds);
  std::vector<WholeModelRun> runs;
  for (const auto& [key, t] : times) {
    const std::string gpu = std::filesystem::path(folder).begin()->generic_string();
    runs.push_back({folder, gpu, key.first, "sdpa", key.second, false, upper_median(t)});
  }
  return runs;
}

}  // namespace attnsim
