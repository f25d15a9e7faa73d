#include "model/error_band.h"

#include <fmt/format.h>


namespace attnsim {

namespace {

const ErrorBand* find_band(const std::string& variant, const std::string& arch_family, Pass pass, Dispatch dispatch) {
  const std::string_view pass_text = pass_name(pass);
  const std::string_view dispatch_text = dispatch_name(dispatch);
  for (const ErrorBand& band : validated_error_bands()) {
    if (band.variant == variant && band.arch_family == arch_family && band.pass == pass_text &&
        band.dispatch == dispatch_text) {
      return &band;
    }
  }
  return nullptr;
}

}  // namespace

const ErrorBand* error_band_for(const std::string& variant, const std::string& arch_family, Pass pass,
                                Dispatch dispatch) {
  const ErrorBand* band = find_band(variant, arch_family, pass, dispatch);
  return band ? band : find_band(variant, arch_family, pass, Dispatch::graph);
}

std::string validated_on(const ErrorBand* band, const std::string& arch_family, Dispatch dispatch) {
  if (!band) return "not validated on " + arch_family;
  if (band->dispatch == dispatch_name(Dispatch::eager)) {
    return fmt::format("±{:.0f}% ({} eager calls on {}: {}, host dispatch included)", band->percent, band->runs,
                       band->arch_family, band->gpus);
  }
  if (dispatch == Dispatch::eager) {
    return fmt::format("±{:.0f}% ({} GPU-side runs on {}: {}; eager dispatch not validated)", band->percent,
                       band->runs, band->arch_family, band->gpus);
  }
  return fmt::format("±{:.0f}% ({} runs on {}: {})", band->percent, band->runs, band->arch_family, band->gpus);
}

}  // namespace attnsim
