// GPU time of one call with a cold L2, as validate/pytorch_attention_bench.py measures it (so the
// two CSVs compare): before every timed call a 256 MiB buffer is written (outside the events),
// then CUDA events recorded immediately before and after that single call.
#pragma once

#include <cuda_runtime.h>

#include <functional>

#include "device_memory.h"

namespace attnsim::bench {

struct CallTiming {
  double median_seconds = 0;
  double min_seconds = 0;
  double max_seconds = 0;
  int repeats = 0;
};

class L2Flusher {
 public:
  // 256 MiB: five times the H100's 50 MB L2 (and four times the H200's 60 MB), as the PyTorch run.
  static constexpr std::size_t kFlushBytes = std::size_t{256} << 20;
  L2Flusher() : buffer_(kFlushBytes) {}
  void flush(cudaStream_t stream);

 private:
  DeviceBytes buffer_;
  unsigned char fill_ = 0;
};

// One warm-up call (module load, cuBLAS heuristics), one timed estimate, then `repeats` timed
// calls: at least 10, up to 100, aiming at ~0.25 s of timed work (the PyTorch script's rule).
CallTiming time_cold_calls(const std::function<void(cudaStream_t)>& call, cudaStream_t stream, L2Flusher& flusher);

}  // namespace attnsim::bench
