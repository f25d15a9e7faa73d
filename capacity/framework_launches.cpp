#include "capacity/framework_launches.h"

namespace attnsim::capacity {
namespace {

// Per decoder layer and per model, from the profiler's counts at N = 512
// (validate/data/h200/capacity/prefill_mechanisms.csv): with sdpa, 656 kernels and 870 operators
// for 16 layers, 968 and 1289 for 24 layers, so 39 kernels and 52.375 operators a layer and 32 and
// 32 outside the layers (embedding, final norm, LM head, rotary tables); with eager attention 794
// and 1119, 1170 and 1650: 47 and 66.375 a layer, 42 and 57 outside.
struct LaunchCounts {
  double kernels_per_layer, operators_per_layer, kernels_outside, operators_outside;
};
constexpr LaunchCounts kSdpaForward{39.0, 52.375, 32.0, 32.0};
constexpr LaunchCounts kEagerForward{47.0, 66.375, 42.0, 57.0};

}  // namespace

FrameworkLaunches hf_forward_launches(const ModelConfig& model, const std::string& attention) {
  const LaunchCounts& c = attention == "eager" ? kEagerForward : kSdpaForward;
  const double layers = double(model.layers);
  return {layers * c.kernels_per_layer + c.kernels_outside, layers * c.operators_per_layer + c.operators_outside};
}

}  // namespace attnsim::capacity
