#include "validate/accuracy_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <string_view>

#include "model/error.h"
#include "model/variant.h"
#include "validate/comparison.h"
#include "validate/measured_clocks.h"
#include "validate/ncu_report.h"

namespace attnsim {
namespace {

// Validation issue: time MAPE <= 10% per variant and every point within 25%; flash kernels' DRAM
// bytes within 15% of ncu; peak extra memory within 5%; tile-ranking Spearman >= 0.8.
constexpr double kTimeMapePercent = 10.0;
constexpr double kTimeWorstPercent = 25.0;
constexpr double kDramWorstPercent = 15.0;
constexpr double kMemoryWorstPercent = 5.0;
constexpr double kTileSpearman = 0.8;
// Transfer issue: published numbers within 15% per (GPU, kernel, pass).
constexpr double kPublishedMapePercent = 15.0;

bool is_flash_kernel(const std::string& variant) {
  return variant == "flash2" || variant == "flash-decode" || variant == "mem-efficient";
}

std::vector<double> ranks(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> r(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    for (std::size_t k = i; k <= j; ++k) r[order[k]] = 0.5 * double(i + j) + 1.0;
    i = j + 1;
  }
  return r;
}

std::string shape_key(const MeasuredRun& r) {
  const Workload& w = r.workload;
  return fmt::format("B={} H={} Hkv={} Nq={} Nk={} d={}{}", w.batch, w.heads, w.kv_heads, w.seq_q, w.seq_kv,
                     w.head_dim, w.causal ? " causal" : "");
}

enum class Rows { test_split, every_row };

void time_and_memory_checks(const ValidationReport& report, Rows counted, std::vector<AccuracyCheck>& checks) {
  const std::string group_prefix = counted == Rows::every_row ? "held-out/" : "";
  const std::string points = counted == Rows::every_row ? "held-out points" : "test points";
  std::map<std::string, std::vector<const RunComparison*>> by_backend;
  for (const RunComparison& c : report.rows) {
    if (counted == Rows::every_row || in_test_split(c.run)) by_backend[group_prefix + check_group(c.run)].push_back(&c);
  }
  for (const auto& [backend, rows] : by_backend) {
    double sum = 0, worst = 0, worst_memory = 0;
    int memory_points = 0;
    for (const RunComparison* c : rows) {
      sum += 100.0 * std::fabs(c->time_error);
      worst = std::max(worst, 100.0 * std::fabs(c->time_error));
      if (c->memory_error) {
        ++memory_points;
        worst_memory = std::max(worst_memory, 100.0 * std::fabs(*c->memory_error));
      }
    }
    const std::string variant = rows.front()->run.variant;
    const std::string n = fmt::format("{} {}", rows.size(), points);
    checks.push_back({"time-mape/" + backend, variant + " time MAPE, %, " + n, kTimeMapePercent,
                      sum / double(rows.size()), AccuracyCheck::Goal::at_most});
    checks.push_back({"time-worst/" + backend, variant + " worst time error, %, " + n, kTimeWorstPercent, worst,
                      AccuracyCheck::Goal::at_most});
    if (memory_points > 0) {
      checks.push_back({"memory-worst/" + backend,
                        fmt::format("{} worst peak-extra-memory error, %, {} {}", variant, memory_points, points),
                        kMemoryWorstPercent, worst_memory, AccuracyCheck::Goal::at_most});
    }
  }
}

// The own flash2 kernel at every tile: per test shape, Spearman of predicted vs measured time.
void tile_ranking_check(const ValidationReport& report, std::vector<AccuracyCheck>& checks) {
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> by_shape;
  for (const RunComparison& c : report.rows) {
    if (c.run.backend != "attnsim-flash2" || !c.run.tile_block_m || !in_test_split(c.run)) continue;
    auto& [measured, predicted] = by_shape[shape_key(c.run)];
    measured.push_back(c.run.median_seconds);
    predicted.push_back(c.prediction.predicted_seconds);
  }
  double sum = 0;
  int shapes = 0;
  for (const auto& [shape, times] : by_shape) {
    const double rho = spearman(times.first, times.second);
    if (std::isnan(rho)) continue;
    sum += rho;
    ++shapes;
  }
  if (shapes == 0) return;
  checks.push_back({"tile-spearman/attnsim-flash2",
                    fmt::format("own flash2 tile ranking: mean Spearman over {} test shapes x 6 tiles", shapes),
                    kTileSpearman, sum / shapes, AccuracyCheck::Goal::at_least});
}

// A `<backend>+kv-repeated` row (validate/pytorch_attention_bench.py) ran on K and V expanded to H heads
// after `<backend>` refused the grouped call; the grouped K and V it was expanded from stay allocated
// through the call, so the card holds both. Their bytes, from the refused row's Hkv; 0 for other rows.
constexpr std::string_view kKvRepeatedSuffix = "+kv-repeated";

std::string shape_without_kv_heads(const std::string& backend, const Workload& w) {
  return fmt::format("{} B={} H={} Nq={} Nk={} d={} dv={}{} {} {}", backend, w.batch, w.heads, w.seq_q, w.seq_kv,
                     w.head_dim, w.head_dim_v, w.causal ? " causal" : "", dtype_name(w.dtype), pass_name(w.pass));
}

double grouped_kv_resident_bytes(const MeasuredRun& run, const std::map<std::string, std::int64_t>& refused_kv_heads) {
  const std::string& backend = run.backend;
  if (!backend.ends_with(kKvRepeatedSuffix)) return 0;
  const std::string base = backend.substr(0, backend.size() - kKvRepeatedSuffix.size());
  const auto refused = refused_kv_heads.find(shape_without_kv_heads(base, run.workload));
  if (refused == refused_kv_heads.end()) return 0;
  Workload grouped = run.workload;
  grouped.kv_heads = refused->second;
  return k_bytes(grouped) + v_bytes(grouped);
}

// Per (backend, shape family over N) with an out-of-memory wall: the largest measured N that ran
// against the largest N of the same family that attnsim says fits in the card's memory.
void largest_n_checks(const std::vector<MeasuredRun>& runs, const Gpu& gpu, const std::string& file,
                      std::vector<AccuracyCheck>& checks) {
  struct Wall {
    double measured = 0, predicted = 0;
    bool any_oom = false;
  };
  std::map<std::string, std::int64_t> refused_kv_heads;
  for (const MeasuredRun& r : runs) {
    if (r.status.starts_with("unsupported") && r.workload.kv_heads < r.workload.heads) {
      refused_kv_heads[shape_without_kv_heads(r.backend, r.workload)] = r.workload.kv_heads;
    }
  }
  std::map<std::string, Wall> walls;
  for (const MeasuredRun& r : runs) {
    if ((r.status != "ok" && r.status != "oom") || r.tile_block_m) continue;
    const Variant* variant = nullptr;
    for (const Variant& v : all_variants()) {
      if (v.id == r.variant) variant = &v;
    }
    if (variant == nullptr) continue;
    const Workload& w = r.workload;
    const std::string family = fmt::format("{}/{}/B={},H={},Hkv={},d={}{},{}", file, r.backend, w.batch, w.heads,
                                           w.kv_heads, w.head_dim, w.causal ? ",causal" : "",
                                           w.seq_q == 1 ? "decode" : "prefill");
    Wall& wall = walls[family];
    const double n = double(w.seq_kv);
    if (r.status == "ok") wall.measured = std::max(wall.measured, n);
    if (r.status == "oom") wall.any_oom = true;
    try {
      const Prediction p = predict(w, gpu, *variant, knobs_of(r));
      const double resident_bytes = p.footprint_bytes + grouped_kv_resident_bytes(r, refused_kv_heads);
      if (resident_bytes <= gpu.memory_capacity_bytes) wall.predicted = std::max(wall.predicted, n);
    } catch (const InvalidInput&) {
    }
  }
  for (const auto& [family, wall] : walls) {
    if (!wall.any_oom) continue;
    checks.push_back({"largest-n/" + family, "largest N that ran (achieved) vs predicted to fit (target)",
                      wall.predicted, wall.measured, AccuracyCheck::Goal::equal});
  }
}

}  // namespace

std::string check_group(const MeasuredRun& run) {
  const bool host_inclusive = run.timing.rfind(kHostInclusiveTiming, 0) == 0;
  const bool graph = run.timing.rfind(kGraphReplayTiming, 0) == 0;
  return fmt::format("{}{}{}{}", run.backend, run.workload.pass == Pass::forward ? "" : "/",
                     run.workload.pass == Pass::forward ? "" : pass_name(run.workload.pass),
                     host_inclusive ? "/host-inclusive"
                     : graph        ? "/graph"
                                    : "");
}

std::vector<AccuracyCheck> published_checks(const std::filesystem::path& file, const Gpu& gpu) {
  std::map<std::string, std::vector<double>> errors;
  for (const RunComparison& c : compare_runs(read_measured_runs(file), gpu, 4096).rows) {
    errors[fmt::format("{}/{}", c.run.variant, pass_name(c.run.workload.pass))].push_back(100.0 *
                                                                                          std::fabs(c.time_error));
  }
  std::vector<AccuracyCheck> checks;
  for (const auto& [group, values] : errors) {
    double sum = 0;
    for (double v : values) sum += v;
    checks.push_back(
        {"published-mape/" + gpu.id + "/" + group,
         fmt::format("published {} on {}: time MAPE, %, {} points (none fitted)", group, gpu.id, values.size()),
         kPublishedMapePercent, sum / double(values.size()), AccuracyCheck::Goal::at_most});
  }
  return checks;
}

bool in_test_split(const MeasuredRun& run) {
  const double exponent = std::log2(double(run.workload.seq_kv));
  const double rounded = std::round(exponent);
  return std::fabs(exponent - rounded) < 1e-9 && std::fmod(rounded, 2.0) == 0.0;
}

bool AccuracyCheck::met() const {
  switch (goal) {
    case Goal::at_most:
      return achieved <= target;
    case Goal::at_least:
      return achieved >= target;
    case Goal::equal:
      return achieved == target;
  }
  return false;
}

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size() || a.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> ra = ranks(a), rb = ranks(b);
  const double n = double(a.size());
  const double mean = (n + 1.0) / 2.0;
  double cov = 0, va = 0, vb = 0;
  for (std::size_t i = 0; i < ra.size(); ++i) {
    cov += (ra[i] - mean) * (rb[i] - mean);
    va += (ra[i] - mean) * (ra[i] - mean);
    vb += (rb[i] - mean) * (rb[i] - mean);
  }
  if (va == 0 || vb == 0) return std::numeric_limits<double>::quiet_NaN();
  return cov / std::sqrt(va * vb);
}

std::vector<AccuracyCheck> run_accuracy_checks(const AccuracyInputs& inputs, const Gpu& gpu) {
  std::vector<AccuracyCheck> checks;
  // Each timed file at the clock it was measured at (validate/data/measured_clocks.csv).
  const auto as_measured = [&](const std::filesystem::path& file) {
    return gpu_as_measured(gpu, inputs.data_root, file.lexically_relative(inputs.data_root).generic_string());
  };
  for (const std::filesystem::path& file : inputs.timed) {
    const std::vector<MeasuredRun> runs = read_measured_runs(file);
    const ValidationReport report = compare_runs(runs, as_measured(file), 4096);
    time_and_memory_checks(report, Rows::test_split, checks);
    tile_ranking_check(report, checks);
    largest_n_checks(runs, gpu, file.filename().string(), checks);
  }
  for (const std::filesystem::path& file : inputs.held_out) {
    time_and_memory_checks(compare_runs(read_measured_runs(file), as_measured(file), 4096), Rows::every_row, checks);
  }
  std::map<std::string, double> worst_dram;
  for (const auto& [runs_file, ncu_file] : inputs.ncu) {
    const ValidationReport report = compare_runs(read_measured_runs(runs_file), gpu, 4096,
                                                 group_ncu_calls(read_ncu_csv(ncu_file), ncu_file.string()));
    for (const RunComparison& c : report.rows) {
      if (!c.ncu || !is_flash_kernel(c.run.variant)) continue;
      double& worst = worst_dram[c.run.backend];
      worst = std::max(worst, 100.0 * std::fabs(c.ncu->dram_error));
    }
  }
  for (const auto& [backend, worst] : worst_dram) {
    checks.push_back({"dram-worst/" + backend, "worst |predicted HBM bytes / ncu DRAM bytes - 1|, %, every profiled run",
                      kDramWorstPercent, worst, AccuracyCheck::Goal::at_most});
  }
  return checks;
}

}  // namespace attnsim
