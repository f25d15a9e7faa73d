// Generated from the committed end-to-end records by validate/whole_model_error_bands.cpp; checked by
// tests/validate/whole_model_error_bands_test.cpp, which prints the rows to paste here when they change.
#include "capacity/whole_model_error_band.h"

namespace attnsim::capacity {

const std::vector<WholeModelErrorBand>& validated_whole_model_error_bands() {
  static const std::vector<WholeModelErrorBand> bands = {
      {"prefill", "gpu", "sm90", "cudnn", 9.9, 19, "h100-sxm, h200"},
      {"prefill", "gpu", "sm90", "eager", 8.2, 12, "h100-sxm, h200"},
      {"prefill", "host", "sm90", "cudnn", 28.1, 21, "h100-sxm, h200"},
      {"prefill", "host", "sm90", "eager", 33.8, 16, "h100-sxm, h200"},
  };
  return bands;
}

}  // namespace attnsim::capacity
