// How far to trust a prediction: the spread of the model's errors on the project's own validation
// records for the same variant, architecture family, pass and dispatch (measured runs' test split,
// and published measurements, on none of which the model was fitted). GPU-side records (CUDA-graph
// replays, published kernel times) make the graph bands; calls issued eagerly back to back, host
// dispatch included, make the eager ones. The table is generated from the
// committed data; tests/validate/error_bands_test.cpp recomputes it and fails when it is stale.
#pragma once

#include <string>
#include <vector>

#include "model/gpu.h"
#include "model/host_dispatch.h"
#include "model/workload.h"

namespace attnsim {

struct ErrorBand {
  std::string variant;
  std::string arch_family;  // "sm90", as arch_family() names it
  std::string pass;         // "forward", "backward", "forward+backward"
  std::string dispatch;     // "graph" (GPU side) or "eager" (host dispatch included)
  double percent = 0;       // 90th percentile of |predicted / measured - 1|, in percent
  int runs = 0;
  std::string gpus;  // the GPUs the runs came from, "h100-sxm, h200"
};

// The committed table (model/error_bands_table.cpp).
const std::vector<ErrorBand>& validated_error_bands();

// The band for this (variant, architecture family, pass, dispatch), an entry of the committed
// table. An eager prediction without eager records takes the GPU-side band (its GPU time is what it
// prices), which validated_on then says; null where no record exists.
const ErrorBand* error_band_for(const std::string& variant, const std::string& arch_family, Pass pass,
                                Dispatch dispatch = Dispatch::graph);

// "±8% (61 runs on sm90: h100-sxm, h200)", "±22% (24 eager calls on sm90: h200, host dispatch
// included)", "±8% (61 GPU-side runs on sm90: ...; eager dispatch not validated)" or "not validated on sm8x".
std::string validated_on(const ErrorBand* band, const std::string& arch_family, Dispatch dispatch = Dispatch::graph);

}  // namespace attnsim
