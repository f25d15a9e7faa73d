// Generated from the committed validation records by validate/error_bands.cpp; checked by
// tests/validate/error_bands_test.cpp, which prints the rows to paste here when they change.
#include "model/error_band.h"

namespace attnsim {

const std::vector<ErrorBand>& validated_error_bands() {
  static const std::vector<ErrorBand> bands = {
      {"cudnn", "sm100", "backward", "graph", 48.2, 18, "b200"},
      {"cudnn", "sm100", "forward", "graph", 68.7, 27, "b200"},
      {"cudnn", "sm90", "backward", "graph", 15.9, 80, "h100-sxm, h200"},
      {"cudnn", "sm90", "forward", "eager", 65.0, 68, "h100-sxm, h200"},
      {"cudnn", "sm90", "forward", "graph", 17.1, 150, "h100-sxm, h200"},
      {"cudnn", "sm90", "forward+backward", "graph", 13.4, 68, "h100-sxm, h200"},
      {"eager", "sm90", "backward", "graph", 22.6, 38, "h100-sxm, h200"},
      {"eager", "sm90", "forward", "eager", 26.6, 38, "h100-sxm, h200"},
      {"eager", "sm90", "forward", "graph", 15.1, 81, "h100-sxm, h200"},
      {"eager", "sm90", "forward+backward", "graph", 25.5, 38, "h100-sxm, h200"},
      {"flash-mla", "sm90", "forward", "graph", 6.2, 5, "h100-sxm"},
      {"flash2", "sm100", "backward", "graph", 47.0, 24, "b200"},
      {"flash2", "sm100", "forward", "graph", 34.9, 32, "b200"},
      {"flash2", "sm100", "forward+backward", "graph", 8.8, 6, "b200"},
      {"flash2", "sm120", "forward", "graph", 17.4, 12, "rtx5090"},
      {"flash2", "sm80", "forward", "graph", 5.7, 12, "a100-sxm-80gb"},
      {"flash2", "sm80", "forward+backward", "graph", 9.5, 24, "a100-sxm-80gb"},
      {"flash2", "sm8x", "forward", "graph", 15.7, 54, "rtx3090, rtx4090"},
      {"flash2", "sm90", "backward", "graph", 16.2, 68, "h100-sxm, h200"},
      {"flash2", "sm90", "forward", "eager", 28.5, 68, "h100-sxm, h200"},
      {"flash2", "sm90", "forward", "graph", 15.5, 129, "h100-sxm, h200"},
      {"flash2", "sm90", "forward+backward", "graph", 14.5, 68, "h100-sxm, h200"},
      {"flash3", "sm90", "backward", "graph", 16.3, 12, "h100-sxm"},
      {"flash3", "sm90", "forward", "graph", 15.2, 43, "h100-sxm"},
      {"mem-efficient", "sm80", "forward", "graph", 10.0, 12, "a100-sxm-80gb"},
      {"mem-efficient", "sm80", "forward+backward", "graph", 7.6, 24, "a100-sxm-80gb"},
      {"mem-efficient", "sm8x", "forward", "graph", 23.4, 60, "rtx3090, rtx4090"},
      {"mem-efficient", "sm90", "backward", "graph", 19.4, 37, "h100-sxm, h200"},
      {"mem-efficient", "sm90", "forward", "eager", 13.5, 37, "h100-sxm, h200"},
      {"mem-efficient", "sm90", "forward", "graph", 10.0, 94, "h100-sxm, h200"},
      {"mem-efficient", "sm90", "forward+backward", "graph", 17.5, 37, "h100-sxm, h200"},
      {"sdpa-math", "sm100", "backward", "graph", 40.9, 5, "b200"},
      {"sdpa-math", "sm100", "forward", "graph", 28.7, 5, "b200"},
      {"sdpa-math", "sm90", "backward", "graph", 11.0, 38, "h100-sxm, h200"},
      {"sdpa-math", "sm90", "forward", "eager", 13.3, 38, "h100-sxm, h200"},
      {"sdpa-math", "sm90", "forward", "graph", 8.4, 70, "h100-sxm, h200"},
      {"sdpa-math", "sm90", "forward+backward", "graph", 12.2, 38, "h100-sxm, h200"},
      {"standard", "sm80", "forward", "graph", 34.5, 8, "a100-sxm-80gb"},
      {"standard", "sm80", "forward+backward", "graph", 7.7, 20, "a100-sxm-80gb"},
      {"standard", "sm8x", "forward", "graph", 40.4, 24, "rtx3090, rtx4090"},
  };
  return bands;
}

}  // namespace attnsim
