// Calibration of a variant's efficiency constants from measured runs. Each run's predicted time is
// split by what bounds each kernel: compute-bound kernel bodies C, memory-bound kernel bodies M and
// the number of kernels K. A measured time t is then modelled as  t = a*C + b*M + c*K,  and
// (a, b, c) are found by least squares on relative errors (Eigen); a parameter that comes out
// non-physical (a or b <= 0, c < 0) is held at its current value and the rest refitted. The new
// efficiencies are the old ones divided by a (tensor, vector) and b (HBM), kept within [0.02, 1];
// c is the per-kernel fixed cost. Re-timing can move kernels between bounds, so the fit repeats.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/gpu.h"
#include "validate/measured_runs.h"

namespace attnsim {

struct Split {
  std::vector<MeasuredRun> train;
  std::vector<MeasuredRun> test;
};

// Deterministic: a run goes to test when a hash of (seed, file line) falls below `holdout`.
Split split_runs(const std::vector<MeasuredRun>& runs, double holdout, std::uint64_t seed);

struct VariantFit {
  std::string variant;
  int train_points = 0;
  std::optional<double> tensor;  // fitted efficiencies (absent: no run bound by that resource)
  std::optional<double> vector;
  std::optional<double> hbm;
  std::optional<double> launch_seconds;
};

// Fits every attnsim variant that has `ok` runs in `train`; the GPU's existing overrides are the
// starting point. Returns one fit per variant, in variant-id order.
std::vector<VariantFit> calibrate(const std::vector<MeasuredRun>& train, const Gpu& gpu);

// The GPU with the fits applied as [efficiency.<variant>] overrides carrying `source`.
Gpu with_fits(Gpu gpu, const std::vector<VariantFit>& fits, const std::string& source);

// The profile text with the fitted [efficiency.<variant>] tables (earlier efficiency tables of the
// base profile are dropped); each value's source is `source`.
std::string calibrated_profile_text(const std::string& base_text, const std::vector<VariantFit>& fits,
                                    const std::string& source);

}  // namespace attnsim
