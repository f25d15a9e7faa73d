// What a Hugging Face transformers forward launches besides its arithmetic: CUDA kernels (each with
// a launch gap on the GPU) and framework operators (each dispatched by the host in eager mode).
// Counted by torch.profiler on Llama-3.2-1B and Qwen2.5-0.5B (transformers 5.17, torch 2.11,
// validate/data/h200/capacity/prefill_mechanisms.csv): the two models share the decoder-layer code,
// so the counts split exactly into a per-layer and a per-model part.
#pragma once

#include <string>

#include "capacity/model_config.h"

namespace attnsim::capacity {

struct FrameworkLaunches {
  double kernels = 0;    // CUDA kernels one forward launches
  double operators = 0;  // top-level aten operators one forward dispatches
};

// One forward of `model` with the given attention implementation (a core variant id: "eager" is
// transformers' eager attention, any fused variant its sdpa path). Decoder layers of other
// architectures (SSM mixers) are counted as attention layers: an assumption, not yet measured.
FrameworkLaunches hf_forward_launches(const ModelConfig& model, const std::string& attention);

}  // namespace attnsim::capacity
