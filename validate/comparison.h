// Predictions beside measurements: per run the signed time and memory errors, per (variant,
// backend) MAPE and worst error, and per shape family the log-log slope of time against N, measured
// and predicted. Nothing here is fitted: see the calibration issue for that.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/gpu.h"
#include "model/prediction.h"
#include "model/variant.h"
#include "validate/measured_runs.h"
#include "validate/ncu_report.h"

namespace attnsim {

// Nsight Compute's counters for one run's call (the kernels between its markers).
struct NcuComparison {
  unsigned ncu_line = 0;  // the opening marker's line in the export
  int kernels = 0;
  double measured_dram_read_bytes = 0;
  double measured_dram_write_bytes = 0;
  double predicted_hbm_bytes = 0;  // attnsim's HBM bytes as Nsight Compute counts them (model/l2_writeback.h)
  double dram_error = 0;           // predicted / measured - 1
  double kernel_seconds = 0;       // sum of gpu__time_duration
};

struct RunComparison {
  MeasuredRun run;
  Prediction prediction;
  double time_error = 0;                // predicted / measured - 1
  std::optional<double> memory_error;   // (workspace + O) / measured peak - 1; the peak includes O
  std::optional<NcuComparison> ncu;
  std::string time_source = "median_seconds";  // or "ncu gpu__time_duration" for profiled rows
};

struct VariantSummary {
  std::string variant;
  std::string backend;
  int points = 0;
  double mean_abs_percentage_error = 0;
  double max_abs_percentage_error = 0;
  double median_ratio = 0;  // predicted / measured
  int dram_points = 0;      // runs with ncu DRAM bytes
  double dram_mean_abs_percentage_error = 0;
  double dram_max_abs_percentage_error = 0;
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
// N >= fit_min_seq and at least three lengths. A run's `tile` sets the prediction's tile.
// `ncu_calls` (group_ncu_calls), when not empty, pairs the k-th call with the k-th `ok` row in file
// order (the order in which --profile wrote the rows and launched the markers); a count mismatch
// throws InvalidInput("ncu", ...). Rows timed under a profiler take ncu's kernel time as their
// measured time, and are skipped without ncu.
ValidationReport compare_runs(const std::vector<MeasuredRun>& runs, const Gpu& gpu, std::int64_t fit_min_seq,
                              const std::vector<NcuCall>& ncu_calls = {});

// "B=1 H=32 Hkv=32 d=128 causal tile 128x64": the runs one slope is fitted over share this.
std::string slope_family(const MeasuredRun& run);

// The knobs that reproduce a measured run's configuration (its tile).
VariantKnobs knobs_of(const MeasuredRun& run);
// Eager dispatch for host-inclusive timings, graph (GPU time) for the rest.
HostDispatch host_dispatch_of(const MeasuredRun& run);
// The prediction of a measured run as it ran: its tile (knobs_of) and, where the file recorded it,
// the clock it held inside the kernel (ClockSetting::held, model/sm_clock.h).
Prediction predict_as_run(const MeasuredRun& run, const Gpu& gpu, const HostDispatch& host);

}  // namespace attnsim
