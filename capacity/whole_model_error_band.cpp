#include "capacity/whole_model_error_band.h"

#include <fmt/format.h>

#include <cmath>

#include "capacity/layer_workloads.h"
#include "model/efficiency.h"
#include "model/host_dispatch.h"

namespace attnsim::capacity {
namespace {

// The prompt lengths the end-to-end runs span (validate/whole_model_records.h).
constexpr std::int64_t kShortestRunTokens = 128;
constexpr std::int64_t kLongestRunTokens = 32768;

}  // namespace

std::string outside_end_to_end_runs(const ModelConfig& model, const Scenario& s) {
  bool dense_global = model.has_attention() && !model.has_ssm() && !model.moe && !model.mla;
  if (dense_global) {
    for (const LayerAttention kind : attention_layer_kinds(model))
      dense_global = dense_global && kind == LayerAttention::global;
  }
  if (!dense_global) return "no run of a model with local attention layers, experts, latent attention or an SSM mixer";
  if (s.phase != Phase::prefill) return fmt::format("no run of {}", phase_name(s.phase));
  const bool as_run = s.batch == 1 && s.dtype == Dtype::bf16 && !s.weights.quantized() && !s.all_logits &&
                      s.runtime.dispatch == Dispatch::eager &&
                      std::fabs(s.runtime.host_seconds_per_operator - kHostSecondsPerOperator) < 1e-12 &&
                      s.context >= kShortestRunTokens && s.context <= kLongestRunTokens;
  if (!as_run) {
    return fmt::format(
        "the runs were batch 1, bf16, unquantized, last-position logits, eager at the default host time, N {}-{}",
        kShortestRunTokens, kLongestRunTokens);
  }
  return "";
}

const WholeModelErrorBand* whole_model_error_band_for(const ModelConfig& model, const Scenario& scenario,
                                                      const Gpu& gpu, std::string_view bound) {
  if (!outside_end_to_end_runs(model, scenario).empty()) return nullptr;
  const std::string family = arch_family(gpu);
  const std::string attention = attention_backend(model, gpu, scenario);
  for (const WholeModelErrorBand& band : validated_whole_model_error_bands()) {
    if (band.phase == phase_name(scenario.phase) && band.bound == bound && band.arch_family == family &&
        band.attention == attention) {
      return &band;
    }
  }
  return nullptr;
}

std::string whole_model_validated_on(const WholeModelErrorBand* band, const ModelConfig& model,
                                     const Scenario& scenario, const Gpu& gpu, std::string_view bound) {
  if (band) {
    return fmt::format("±{:.0f}% ({} end-to-end runs of {}-bound {} with {} on {}: {})", band->percent, band->runs,
                       band->bound, band->phase, band->attention, band->arch_family, band->gpus);
  }
  const std::string outside = outside_end_to_end_runs(model, scenario);
  if (!outside.empty()) return "not validated end to end (" + outside + ")";
  return fmt::format("not validated end to end ({}-bound {} with {} on {})", bound, phase_name(scenario.phase),
                     attention_backend(model, gpu, scenario), arch_family(gpu));
}

WholeModelTrust whole_model_trust(const ModelConfig& model, const Scenario& scenario, const Gpu& gpu,
                                  const PhaseTime& time) {
  const std::string_view bound = time_bound(time);
  const WholeModelErrorBand* band = whole_model_error_band_for(model, scenario, gpu, bound);
  return {band, whole_model_validated_on(band, model, scenario, gpu, bound)};
}

}  // namespace attnsim::capacity
