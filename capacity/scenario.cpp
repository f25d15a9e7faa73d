#include "capacity/scenario.h"

#include "model/error.h"

namespace attnsim::capacity {

std::string_view phase_name(Phase phase) {
  switch (phase) {
    case Phase::prefill:
      return "prefill";
    case Phase::decode:
      return "decode";
    case Phase::train:
      return "train";
    case Phase::train_recompute:
      return "train-recompute";
  }
  return "?";
}

Phase parse_phase(std::string_view name) {
  for (const Phase p : {Phase::prefill, Phase::decode, Phase::train, Phase::train_recompute}) {
    if (phase_name(p) == name) return p;
  }
  throw InvalidInput("phase",
                     "unknown phase '" + std::string(name) + "'; allowed: prefill, decode, train, train-recompute");
}

void require_supported_weights(const Scenario& s) {
  const bool trains = s.phase == Phase::train || s.phase == Phase::train_recompute;
  if (trains && s.weights.quantized()) {
    throw InvalidInput(
        "weight-dtype",
        "quantized weights are modelled for inference (prefill, decode); allowed in training: bf16, fp16");
  }
}

}  // namespace attnsim::capacity

namespace attnsim::capacity {

void require_supported_cache(const Scenario& s) {
  if (!s.kv_cache && s.phase == Phase::decode) {
    throw InvalidInput("kv-cache", "none applies to prefill and training; decode reads a cache (allowed: dynamic)");
  }
  const bool trains = s.phase == Phase::train || s.phase == Phase::train_recompute;
  if (s.kv_cache_keeps_prefill_views && trains) {
    throw InvalidInput("kv-cache", "legacy describes generate()'s cache; training keeps none (allowed: dynamic, none)");
  }
  if (s.ssm_torch_reference && trains) {
    throw InvalidInput("ssm-kernel",
                       "torch is modelled for prefill and decode; training needs the fused kernels (allowed: fused)");
  }
}

}  // namespace attnsim::capacity
