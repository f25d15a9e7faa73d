// Predictions beside measurements: per run the signed time and memory errors, per (variant,
// backend) MAPE and worst error, and per shape family the log-log slope of time against N, measured
// and predicted. Nothing here is fitted: see the calibration issue for that.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/gpu.h"
#include "model/prediction.h"
#include "validate/measured_runs.h"

namespace attnsim {

struct RunComparison {
  MeasuredRun run;
  Prediction prediction;
  double time_error = 0;                // predicted / measured - 1
  std::optional<double> memory_error;   // (workspace + O) / measured peak - 1; the peak includes O
};

struct VariantSummary {
  std::string variant;
  std::string backend;
  int points = 0;
  double mean_abs_percentage_error = 0;
  double max_abs_percentage_error = 0;
  double median_ratio = 0;  // predicted / measured
};

struct SlopeSummary {
  std::string variant;
  std::string backend;
  std::string family;  // "B=1 H=32 Hkv=32 d=128 causal"
  int points = 0;
  double measured_slope = 0;
  double predicted_slope = 0;
};

struct ValidationReport {
  std::vector<RunComparison> rows;
  std::vector<VariantSummary> summary;
  std::vector<SlopeSummary> slopes;
  std::vector<std::string> skipped;  // "file:line: why", runs not compared
};

// Compares every `ok` run that names an attnsim variant; slopes over prefill runs (Nq = Nk) with
// N >= fit_min_seq and at least three lengths.
ValidationReport compare_runs(const std::vector<MeasuredRun>& runs, const Gpu& gpu, std::int64_t fit_min_seq);

}  // namespace attnsim
