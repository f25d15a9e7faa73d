#include "model/error_band.h"

#include <fmt/format.h>


namespace attnsim {

const ErrorBand* error_band_for(const std::string& variant, const std::string& arch_family, Pass pass) {
  const std::string_view pass_text = pass_name(pass);
  for (const ErrorBand& band : validated_error_bands()) {
    if (band.variant == variant && band.arch_family == arch_family && band.pass == pass_text) return &band;
  }
  return nullptr;
}

std::string validated_on(const ErrorBand* band, const std::string& arch_family) {
  if (!band) return "not validated on " + arch_family;
  return fmt::format("±{:.0f}% ({} runs on {}: {})", band->percent, band->runs, band->arch_family, band->gpus);
}

}  // namespace attnsim
