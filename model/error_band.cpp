#include "model/error_band.h"

#include <fmt/format.h>

#include "model/efficiency.h"

namespace attnsim {

std::optional<ErrorBand> error_band_for(const std::string& variant, const Gpu& gpu, Pass pass) {
  const std::string family = arch_family(gpu);
  for (const ErrorBand& band : validated_error_bands()) {
    if (band.variant == variant && band.arch_family == family && band.pass == pass_name(pass)) return band;
  }
  return std::nullopt;
}

std::string validated_on(const std::optional<ErrorBand>& band, const Gpu& gpu) {
  if (!band) return "not validated on " + arch_family(gpu);
  return fmt::format("±{:.0f}% ({} runs on {}: {})", band->percent, band->runs, band->arch_family, band->gpus);
}

}  // namespace attnsim
