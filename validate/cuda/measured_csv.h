// Rows in the measured-run CSV schema of validate/README.md (the columns of
// validate/pytorch_attention_bench.py, in the same order), appended and flushed one at a time so an
// interrupted grid keeps what it measured. attnsim validate reads the file as it is.
#pragma once

#include <fstream>
#include <optional>
#include <string>

#include "attention_shape.h"
#include "cold_timing.h"
#include "gpu_environment.h"

namespace attnsim::bench {

struct MeasuredRow {
  std::string variant;  // attnsim variant: eager, flash2, flash-decode
  std::string backend;  // cublas-eager, attnsim-flash2, attnsim-flash-decode
  AttentionShape shape;
  std::string tile;                               // "BMxBN" for attnsim-flash2; empty otherwise
  std::string status;                             // ok, oom, unsupported: ..., error: ..., skipped: ...
  std::optional<CallTiming> timing;               // ok rows only
  std::optional<double> peak_extra_memory_bytes;  // ok rows only; output O included (schema)
  std::string timing_label = "cuda-events-per-call";  // the `timing` column
};

class MeasuredCsv {
 public:
  // Appends to `path`; writes the header first when the file is new or empty.
  MeasuredCsv(const std::string& path, GpuEnvironment environment);
  void append(const MeasuredRow& row);

 private:
  std::ofstream out_;
  GpuEnvironment env_;
};

}  // namespace attnsim::bench
