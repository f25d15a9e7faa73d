// How far to trust a prediction: the spread of the model's errors on the project's own validation
// records for the same variant, architecture family and pass (measured runs' test split, and
// published measurements, on none of which the model was fitted). The table is generated from the
// committed data; tests/validate/error_bands_test.cpp recomputes it and fails when it is stale.
#pragma once

#include <string>
#include <vector>

#include "model/gpu.h"
#include "model/workload.h"

namespace attnsim {

struct ErrorBand {
  std::string variant;
  std::string arch_family;  // "sm90", as arch_family() names it
  std::string pass;         // "forward", "backward", "forward+backward"
  double percent = 0;       // 90th percentile of |predicted / measured - 1|, in percent
  int runs = 0;
  std::string gpus;  // the GPUs the runs came from, "h100-sxm, h200"
};

// The committed table (model/error_bands_table.cpp).
const std::vector<ErrorBand>& validated_error_bands();

// The band for this (variant, architecture family, pass), an entry of the committed table; null
// where no record exists.
const ErrorBand* error_band_for(const std::string& variant, const std::string& arch_family, Pass pass);

// "±8% (61 runs on sm90: h100-sxm, h200)" or "not validated on sm8x".
std::string validated_on(const ErrorBand* band, const std::string& arch_family);

}  // namespace attnsim
