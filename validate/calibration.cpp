#include "validate/calibration.h"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <sstream>

#include "model/error.h"
#include "model/variant.h"
#include "validate/comparison.h"

namespace attnsim {
namespace {

constexpr double kMinEfficiency = 0.02;
// Each round rescales the efficiencies by the fitted factors and refits: parts of the compute time
// that no efficiency scales (shared-memory operand loads) make one round inexact, and the error
// shrinks by their share (about 0.3 for FA2 on H100) per round.
constexpr int kRefits = 10;
constexpr double kMaxKernelSeconds = 1e-3;  // the profile reader's bound

// splitmix64: a fixed, well-mixed hash so the split does not depend on the standard library.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Features {
  double compute = 0;  // bodies of kernels not bound by memory
  double memory = 0;   // bodies of memory-bound kernels
  double kernels = 0;
  double launch = 0;   // kernels x current per-kernel latency
  double measured = 0;
};

Features features_of(const MeasuredRun& run, const Gpu& gpu) {
  // Fitted as compare_runs reports it: at the clock the run held, where it recorded one (GPU time).
  const Prediction p = predict_as_run(run, gpu, HostDispatch{});
  Features f;
  f.measured = run.median_seconds;
  for (const KernelTime& k : p.kernels) {
    const double body = k.seconds - k.launch_seconds;
    f.launch += k.launch_seconds;
    f.kernels += 1.0;
    (k.bound == "memory" ? f.memory : f.compute) += body;
  }
  return f;
}

struct Factors {
  double compute = 1.0;
  double memory = 1.0;
  double kernel_seconds = 0;
};

// Minimises sum(((a*C + b*M + c*K) - t) / t)^2 (relative errors, so short and long runs weigh
// alike) within [lower, upper] per parameter: one that leaves its range is held at the bound it
// crossed and the others are refitted (an active-set bounded least squares; at most 3 rounds).
// A parameter whose feature is zero in every run stays at `start`.
Factors fit_factors(const std::vector<Features>& rows, const std::array<double, 3>& start,
                    const std::array<double, 3>& lower, const std::array<double, 3>& upper) {
  std::array<bool, 3> free{false, false, true};
  std::array<double, 3> value = start;
  for (const Features& f : rows) {
    free[0] = free[0] || f.compute > 0;
    free[1] = free[1] || f.memory > 0;
  }
  const auto n = static_cast<Eigen::Index>(rows.size());
  for (int round = 0; round < 3; ++round) {
    const int columns = int(free[0]) + int(free[1]) + int(free[2]);
    if (columns == 0) break;
    Eigen::MatrixXd design(n, columns);
    Eigen::VectorXd target(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      const Features& f = rows[std::size_t(i)];
      const std::array<double, 3> feature{f.compute, f.memory, f.kernels};
      Eigen::Index col = 0;
      target(i) = 1.0;
      for (std::size_t p = 0; p < 3; ++p) {
        if (free[p]) {
          design(i, col++) = feature[p] / f.measured;
        } else {
          target(i) -= value[p] * feature[p] / f.measured;
        }
      }
    }
    const Eigen::VectorXd x = design.colPivHouseholderQr().solve(target);
    bool inside = true;
    Eigen::Index col = 0;
    for (std::size_t p = 0; p < 3; ++p) {
      if (!free[p]) continue;
      value[p] = x(col++);
      if (value[p] < lower[p] || value[p] > upper[p]) {
        value[p] = std::clamp(value[p], lower[p], upper[p]);
        free[p] = false;
        inside = false;
      }
    }
    if (inside) break;
  }
  return {value[0], value[1], value[2]};
}

double clamp_efficiency(double e) { return std::clamp(e, kMinEfficiency, 1.0); }

}  // namespace

Split split_runs(const std::vector<MeasuredRun>& runs, double holdout, std::uint64_t seed) {
  if (!(holdout > 0.0 && holdout < 1.0)) throw InvalidInput("holdout", "must be between 0 and 1 (exclusive)");
  Split split;
  for (const MeasuredRun& run : runs) {
    const double u = double(mix(seed ^ mix(run.line)) >> 11) / double(1ULL << 53);
    (u < holdout ? split.test : split.train).push_back(run);
  }
  return split;
}

std::vector<VariantFit> calibrate(const std::vector<MeasuredRun>& train, const Gpu& gpu) {
  std::map<std::string, std::vector<MeasuredRun>> by_variant;
  for (const MeasuredRun& run : train) {
    if (run.status != "ok" || run.timing == kProfiledTiming) continue;  // a profiled call is no timing
    const auto& all = all_variants();
    if (std::none_of(all.begin(), all.end(), [&](const Variant& v) { return v.id == run.variant; })) continue;
    by_variant[run.variant].push_back(run);
  }
  std::vector<VariantFit> fits;
  for (const auto& [variant, runs] : by_variant) {
    Gpu current = gpu;
    VariantFit fit{variant, int(runs.size()), std::nullopt, std::nullopt, std::nullopt, std::nullopt};
    for (int round = 0; round < kRefits; ++round) {
      std::vector<Features> rows;
      for (const MeasuredRun& run : runs) rows.push_back(features_of(run, current));
      // The constants now in force for this variant's main kernel; factors are relative to them.
      const Efficiency now = predict(runs.front().workload, current, find_variant(variant), {}).cost.kernels.front().efficiency;
      const double hbm_now = now.hbm.value_or(current.hbm_efficiency);
      const double launch_now = now.launch_seconds.value_or(current.kernel_launch_seconds);
      // Efficiencies within [kMinEfficiency, 1]: a in [tensor, tensor / kMin], likewise b for HBM.
      const Factors factors = fit_factors(rows, {1.0, 1.0, launch_now},
                                          {now.tensor, hbm_now, 0.0},
                                          {now.tensor / kMinEfficiency, hbm_now / kMinEfficiency, kMaxKernelSeconds});
      EfficiencyOverride& o = current.efficiency_overrides[variant];
      fit.tensor = clamp_efficiency(now.tensor / factors.compute);
      fit.vector = clamp_efficiency(now.vector / factors.compute);
      fit.hbm = clamp_efficiency(hbm_now / factors.memory);
      fit.launch_seconds = factors.kernel_seconds;
      o.tensor = fit.tensor;
      o.vector = fit.vector;
      o.hbm = fit.hbm;
      o.launch_seconds = fit.launch_seconds;
    }
    fits.push_back(fit);
  }
  return fits;
}

Gpu with_fits(Gpu gpu, const std::vector<VariantFit>& fits, const std::string& source) {
  for (const VariantFit& fit : fits) {
    EfficiencyOverride& o = gpu.efficiency_overrides[fit.variant];
    if (fit.tensor) o.tensor = fit.tensor;
    if (fit.vector) o.vector = fit.vector;
    if (fit.hbm) o.hbm = fit.hbm;
    if (fit.launch_seconds) o.launch_seconds = fit.launch_seconds;
    o.source = source;
  }
  return gpu;
}

std::string calibrated_profile_text(const std::string& base_text, const std::vector<VariantFit>& fits,
                                    const std::string& source) {
  std::istringstream in(base_text);
  std::ostringstream out;
  std::string line;
  bool in_efficiency_table = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.front() == '[') in_efficiency_table = line.rfind("[efficiency.", 0) == 0;
    if (!in_efficiency_table) out << line << "\n";
  }
  std::string escaped;
  for (char c : source) escaped += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  out.precision(4);
  for (const VariantFit& fit : fits) {
    if (!fit.tensor && !fit.hbm && !fit.launch_seconds) continue;
    out << "\n[efficiency." << fit.variant << "]\n";
    auto write = [&](const char* key, const std::optional<double>& value) {
      if (value) out << key << " = { value = " << *value << ", source = \"" << escaped << "\" }\n";
    };
    write("tensor", fit.tensor);
    write("vector", fit.vector);
    write("hbm", fit.hbm);
    write("launch_seconds", fit.launch_seconds);
  }
  return out.str();
}

}  // namespace attnsim
