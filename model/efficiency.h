// Efficiency constants per GPU architecture family, looked up for a variant and overridden by the
// GPU profile's [efficiency.<variant>] table (which calibration writes).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/cost.h"
#include "model/gpu.h"

namespace attnsim {

// "sm80" (A100), "sm8x" (sm86/sm89: GeForce, L40S, L4, A10), "sm90" (Hopper),
// "sm100" (B200), "sm120" (GeForce Blackwell).
std::string arch_family(const Gpu& gpu);

struct ArchEfficiency {
  std::string_view arch_family;
  Efficiency efficiency;
};

// The row for the GPU's family (the first row when none matches), then the profile's override;
// `path` is the tensor-core instruction the kernel issues (absent: the GPU's newest, as cuBLAS).
Efficiency efficiency_for(const Gpu& gpu, std::string_view variant_id, const std::vector<ArchEfficiency>& table,
                          std::optional<TensorPath> path = std::nullopt);

}  // namespace attnsim
