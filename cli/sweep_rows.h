// The rows of `attnsim sweep` (points, log-log fits, notes) computed from its arguments, for the
// command and for the Python module, which converts them to Python objects directly instead of
// parsing the command's JSON (docs/benchmarks.md: 10^5 points in well under a second).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli/options.h"
#include "io/report.h"

namespace attnsim::cli {

// One (GPU, variant) line over the lengths: what the fit and the plot read.
struct SweepSeries {
  std::string gpu;
  std::string variant;
  std::string complexity;
  std::vector<double> seq;
  std::vector<double> seconds;
  std::vector<bool> fits;
};

struct SweepRows {
  std::string scenario;        // the workload and runtime every point shares (N varies)
  std::vector<Record> points;  // prediction_record per (GPU, variant, N), in that nesting order
  std::vector<Record> fits;    // one per series
  std::vector<std::string> notes;
  std::vector<SweepSeries> series;
  std::int64_t fit_min_seq = 0;
};

// Receives each point's record as it is computed, in the order of SweepRows::points; a sweep given
// one keeps no points itself (10^5 records of ~40 fields are ~300 MB held at once).
using PointSink = std::function<void(Record&&)>;

po::options_description sweep_options();
// Throws InvalidInput for a bad option, naming it, as the command does. With `sink`, the points go
// there and `points` stays empty.
SweepRows sweep_rows(const po::variables_map& vm, const PointSink& sink = {});
// `args` as after `attnsim sweep` (output options are parsed and ignored).
SweepRows sweep_rows(const std::vector<std::string>& args, const PointSink& sink = {});

}  // namespace attnsim::cli
