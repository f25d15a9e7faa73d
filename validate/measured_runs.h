// Reads measured runs in the CSV schema of validate/README.md (written by
// validate/pytorch_attention_bench.py, or by hand from any other tool): one row per timed call.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/workload.h"

namespace attnsim {

struct MeasuredRun {
  unsigned line = 0;     // line in the file, for messages
  std::string variant;   // attnsim variant id (or a name attnsim has no variant for, such as cudnn)
  std::string backend;   // the code path that ran
  std::string status;    // "ok", "oom", "unsupported: ..."
  Workload workload;
  double median_seconds = 0;                     // GPU time of one call
  std::optional<double> peak_extra_memory_bytes;  // allocated during the call, output included
  std::string gpu_name;
  std::string torch_version;  // absent in files written by hand
  // Optional columns. `tile` "BMxBN": the tile that ran (block_m query rows x block_n key rows);
  // `timing` says how median_seconds was taken ("one-call-under-profiler": one call under Nsight
  // Compute, whose replays make it no timing at all).
  std::optional<std::int64_t> tile_block_m;
  std::optional<std::int64_t> tile_block_n;
  std::string timing;
  // `sm_clock_mhz`: the SM clock the call held, where the file measured it (in-kernel or with Nsight
  // Compute's cycle counters); the comparison then prices the run at that clock (model/sm_clock.h).
  std::optional<double> sm_clock_hz;
};

inline constexpr const char* kProfiledTiming = "one-call-under-profiler";
// Calls issued back to back from Python without a graph: the framework's host dispatch is in the
// time wherever it is slower than the GPU (predicted with eager dispatch).
inline constexpr const char* kHostInclusiveTiming = "cuda-events-back-to-back-eager";
// A CUDA graph of the call replayed: GPU time, the graph's launch gaps only.
inline constexpr const char* kGraphReplayTiming = "cuda-graph-replay";

// Throws InvalidInput("FILE:LINE", ...) naming the column and what is allowed.
std::vector<MeasuredRun> read_measured_runs(const std::filesystem::path& file);
// The same from text already in memory; `file_name` only labels the messages.
std::vector<MeasuredRun> parse_measured_runs(std::string_view csv_text, const std::string& file_name);

}  // namespace attnsim
