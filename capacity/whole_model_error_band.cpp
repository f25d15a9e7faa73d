#include "capacity/whole_model_error_band.h"

#include <fmt/format.h>

#include "capacity/layer_workloads.h"

namespace attnsim::capacity {

bool end_to_end_runs_cover(const ModelConfig& model) {
  if (!model.has_attention() || model.has_ssm() || model.moe || model.mla) return false;
  for (const LayerAttention kind : attention_layer_kinds(model)) {
    if (kind != LayerAttention::global) return false;
  }
  return true;
}

const WholeModelErrorBand* whole_model_error_band_for(const ModelConfig& model, const Scenario& scenario,
                                                      std::string_view bound, std::string_view arch_family) {
  if (!end_to_end_runs_cover(model)) return nullptr;
  const std::string_view phase = phase_name(scenario.phase);
  for (const WholeModelErrorBand& band : validated_whole_model_error_bands()) {
    if (band.phase == phase && band.bound == bound && band.arch_family == arch_family &&
        band.attention == scenario.attention) {
      return &band;
    }
  }
  return nullptr;
}

std::string whole_model_validated_on(const WholeModelErrorBand* band, const ModelConfig& model,
                                     const Scenario& scenario, std::string_view bound, std::string_view arch_family) {
  if (!end_to_end_runs_cover(model)) {
    return "not validated end to end (no run of a model with local attention layers, experts, latent attention or an "
           "SSM mixer)";
  }
  if (!band) {
    return fmt::format("not validated end to end ({}-bound {} with {} on {})", bound, phase_name(scenario.phase),
                       scenario.attention, arch_family);
  }
  return fmt::format("±{:.0f}% ({} end-to-end runs of {}-bound {} with {} on {}: {})", band->percent, band->runs, bound,
                     band->phase, band->attention, band->arch_family, band->gpus);
}

}  // namespace attnsim::capacity
