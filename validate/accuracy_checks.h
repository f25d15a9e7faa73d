// The accuracy targets of the validation issue, evaluated on committed measurements: each check has
// an id, a target, the achieved number and whether it is met. CI runs them (tests/validate/
// accuracy_test.cpp) against validate/data/h100-sxm and a list of known misses.
//
// Test split (fixed): rows whose key/value length Nk is an even power of two (1024, 4096, 16384,
// 65536) are the test split; all others (512, 2048, 8192, 32768, 131072) the training split, for
// `attnsim calibrate` and for looking at while changing the model. The checks below that report
// errors read only the test split. Two checks need the whole range of N by nature: the largest N
// that fits (an out-of-memory wall) and the ncu DRAM bytes (their own small profiled grid).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "model/gpu.h"
#include "validate/measured_runs.h"

namespace attnsim {

bool in_test_split(const MeasuredRun& run);

// The check group of a run: its backend, then "/backward" or "/forward+backward" for those passes,
// then "/host-inclusive" or "/graph" for those timings ("sdpa-flash/backward/graph").
std::string check_group(const MeasuredRun& run);

struct AccuracyCheck {
  std::string id;        // "time-mape/attnsim-flash2", stable: the known-misses file names it
  std::string what;      // one line for a person
  double target = 0;
  double achieved = 0;
  enum class Goal { at_most, at_least, equal } goal = Goal::at_most;
  bool met() const;
};

// Files under `data` (validate/data/<gpu>/): the timed CSVs, the ncu exports and their run CSVs.
struct AccuracyInputs {
  std::filesystem::path data_root;           // validate/data: measured_clocks.csv gives each timed file's clock
  std::vector<std::filesystem::path> timed;  // time, memory, largest N, tile ranking
  // Shapes drawn at random before anything was measured (pytorch_training_bench.py --grid random):
  // no constant was set on them, so every row counts. Their check ids read "time-mape/held-out/...".
  std::vector<std::filesystem::path> held_out;
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> ncu;  // (runs CSV, ncu CSV)
};

// Each timed file is compared at the clock it was measured at (validate/measured_clocks.h).
std::vector<AccuracyCheck> run_accuracy_checks(const AccuracyInputs& inputs, const Gpu& gpu);

// Published measurements (validate/data/published/<gpu>.csv): nothing in the model was fitted on
// them, so every row counts; one time-MAPE check per (variant, pass) group.
std::vector<AccuracyCheck> published_checks(const std::filesystem::path& file, const Gpu& gpu);

// Spearman rank correlation (average ranks for ties); NaN with fewer than two points or no spread.
double spearman(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace attnsim
