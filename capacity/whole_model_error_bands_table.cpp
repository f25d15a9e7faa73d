// Generated from the committed end-to-end records by validate/whole_model_error_bands.cpp; checked by
// tests/validate/whole_model_error_bands_test.cpp, which prints the rows to paste here when they change.
// Not every run is held out: the host-bound rows include the H200 runs the 20.2 us per operator was
// set on, and the GPU-bound cuDNN rows Phi-3-mini's, whose elementwise kernels were set from its trace.
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
